// config_entries: what reading a config shares between config.cpp (the keys),
// config_entries.cpp ([[queues]], [[agent_groups]]) and config_outbound.cpp ([[campaigns]],
// [[schedule]]): the validator that collects every problem with its file:line, the reader
// of one array-of-tables entry, and the description of every entry's keys (entry_tables,
// for --config-keys), which each reader is checked against. Internal to engine/.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "engine/config.hpp"
#include "engine/config_options.hpp"

namespace parley::engine::config_detail {

using std::chrono::milliseconds;

const char* kind_name(kind k);
bool has_kind(const toml::node& n, kind k);

/// "file:line" of a node (or "--set key=value"), `fallback` when it has no source.
std::string where(const toml::node& n, const std::string& fallback);

/// One key of an array-of-tables entry.
struct entry_key {
  std::string key;
  std::string default_text;  ///< as TOML would say it, or "(required)"
  std::string help;
};

/// An array of tables ("queues") or one nested in an entry ("campaigns.treatments"), with
/// every key its reader reads. entry_reader::finish() checks the two agree.
struct entry_table {
  std::string name;
  std::string help;
  std::vector<entry_key> keys;
};

/// Every array of tables the config knows, in the order --config-keys shows them
/// (config_entries.cpp).
const std::vector<entry_table>& entry_tables();
const entry_table* find_entry_table(const std::string& name);

struct validator {
  config& cfg;
  std::string file;
  std::vector<std::pair<std::uint32_t, std::string>> problems;  // (line, text)

  void entries(const toml::node& n, const std::string& key);

  void fail(const toml::node& n, const std::string& key, const std::string& why) {
    problems.push_back({n.source().begin.line, where(n, file) + ": " + key + ": " + why});
  }

  /// Applies every key of `t` (under `prefix`) to cfg, collecting problems.
  void walk(const toml::table& t, const std::string& prefix);
};

/// Reads the fields of one array-of-tables entry, reporting unknown keys and bad values.
struct entry_reader {
  validator& v;
  const toml::table& t;
  std::string name;   // e.g. "queues[2]"
  std::string table;  // its entry_table, e.g. "queues"
  std::vector<std::string> known = {};

  const toml::node* get(const std::string& key, kind k) {
    known.push_back(key);
    auto* n = t.get(key);
    if (n && !has_kind(*n, k)) {
      v.fail(*n, name + "." + key, std::string{"must be "} + kind_name(k));
      return nullptr;
    }
    return n;
  }

  /// One of the words of an enum (`word_of` gives each value's word); a word not among
  /// them is reported at the entry, and false returned.
  template <class E>
  bool choice(const std::string& key, E& out, std::initializer_list<E> values,
              const char* (*word_of)(E), bool required = false) {
    std::string word = word_of(out);
    text(key, word, required);
    std::string all;
    for (auto e : values) {
      if (word == word_of(e)) {
        out = e;
        return true;
      }
      all += std::string{all.empty() ? "" : e == *(values.end() - 1) ? " or " : ", "} + word_of(e);
    }
    v.fail(t, name + "." + key, "\"" + word + "\" is not " + all);
    return false;
  }

  void text(const std::string& key, std::string& out, bool required = false) {
    if (auto* n = get(key, kind::string))
      out = n->as_string()->get();
    else if (required && !t.get(key))
      v.fail(t, name, "needs " + key);
  }

  template <class T>
  void number(const std::string& key, T& out, std::int64_t lo, std::int64_t hi) {
    if (auto* n = get(key, kind::integer)) {
      auto x = n->as_integer()->get();
      if (x < lo || x > hi)
        v.fail(*n, name + "." + key, std::to_string(x) + " is out of range (" + std::to_string(lo)
                                       + ".." + std::to_string(hi) + ")");
      else
        out = static_cast<T>(x);
    }
  }

  void real(const std::string& key, double& out, double lo, double hi) {
    if (auto* n = get(key, kind::real)) {
      auto x = n->is_integer() ? double(n->as_integer()->get()) : n->as_floating_point()->get();
      if (x < lo || x > hi)
        v.fail(*n, name + "." + key, std::to_string(x) + " is out of range");
      else
        out = x;
    }
  }

  void flag(const std::string& key, bool& out) {
    if (auto* n = get(key, kind::boolean))
      out = n->as_boolean()->get();
  }

  void duration(const std::string& key, milliseconds& out) {
    std::int64_t ms = out.count();
    number(key, ms, 0, 24LL * 3600 * 1000);
    out = milliseconds{ms};
  }

  template <class Map>
  void levels(const std::string& key, Map& out, std::int64_t lo, std::int64_t hi) {
    known.push_back(key);
    auto* n = t.get(key);
    if (!n)
      return;
    auto* tbl = n->as_table();
    if (!tbl) {
      v.fail(*n, name + "." + key, "must be a table of name = number");
      return;
    }
    for (auto&& [k, x] : *tbl) {
      auto* i = x.as_integer();
      if (!i || i->get() < lo || i->get() > hi)
        v.fail(x, name + "." + key + "." + std::string{k.str()},
               "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
      else
        out[std::string{k.str()}] = static_cast<typename Map::mapped_type>(i->get());
    }
  }

  void strings(const std::string& key, std::vector<std::string>& out) {
    if (auto* n = get(key, kind::string_list))
      for (auto& s : *n->as_array())
        out.push_back(s.as_string()->get());
  }

  /// Reports the keys nobody read as unknown, and a reader that read other keys than its
  /// entry_table describes (a bug: --config-keys would not tell the truth).
  void finish();
};

/// Checks between entries (overflow queues, capacities' media, campaigns), once
/// everything is read.
void check_domain(validator& v, const std::string& name);

/// [[campaigns]] and [[schedule]] entries (config_outbound.cpp).
void read_campaign(entry_reader& r, const toml::node& item);
void read_schedule(entry_reader& r, const toml::node& item);
void read_sequence(entry_reader& r, const toml::node& item);
/// Checks of campaigns and schedule entries against the rest, once everything is read.
void check_outbound(validator& v, const std::string& name);

} // namespace parley::engine::config_detail
