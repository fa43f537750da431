// config_options: the building blocks of parleyd's option table (config.cpp): one
// `option` per key, with its type, help text, how it is stored, shown and copied, and
// whether a reload may change it. One row drives validation, --config-keys, the reload
// diff and what a reload applies. Internal to engine/.
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "engine/config.hpp"

namespace parley::engine::config_detail {

enum class kind { integer, real, string, string_list, integer_list, boolean };

struct option {
  std::string key;
  kind type;
  std::string help;
  /// Stores a value of the right type into the config; returns "" or why it is invalid.
  std::function<std::string(config&, const toml::node&)> apply;
  std::function<std::string(const config&)> show;
  /// Copies this key's value between configs (what a reload applies); empty for keys
  /// whose value has no single field.
  std::function<void(config& to, const config& from)> copy = {};
  /// SIGHUP (and the console's `reload`) may change it in a running engine.
  bool reloadable = false;
};

/// Marks a row reloadable.
inline option reloadable(option o) {
  o.reloadable = true;
  return o;
}

/// The copy function of a key stored in one field.
template <class Get>
auto copier(Get get) {
  return [get](config& to, const config& from) { get(to) = get(const_cast<config&>(from)); };
}

template <class Get>
option integer(std::string key, std::int64_t lo, std::int64_t hi, Get get, std::string help) {
  return {std::move(key), kind::integer, std::move(help),
          [=](config& c, const toml::node& n) -> std::string {
            auto v = n.as_integer()->get();
            if (v < lo || v > hi)
              return std::to_string(v) + " is out of range (" + std::to_string(lo) + ".."
                     + std::to_string(hi) + ")";
            get(c) = static_cast<std::remove_reference_t<decltype(get(c))>>(v);
            return {};
          },
          [=](const config& c) { return std::to_string(get(const_cast<config&>(c))); },
          copier(get)};
}

template <class Get>
option number(std::string key, double lo, double hi, Get get, std::string help) {
  return {std::move(key), kind::real, std::move(help),
          [=](config& c, const toml::node& n) -> std::string {
            auto v = n.value<double>().value_or(lo - 1);
            if (!(v >= lo && v <= hi))
              return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
            get(c) = v;
            return {};
          },
          [=](const config& c) {
            std::ostringstream out;
            out << get(const_cast<config&>(c));
            return out.str();
          },
          copier(get)};
}

template <class Get>
option duration_ms(std::string key, std::int64_t lo, std::int64_t hi, Get get, std::string help) {
  return {std::move(key), kind::integer, std::move(help) + " (milliseconds)",
          [=](config& c, const toml::node& n) -> std::string {
            auto v = n.as_integer()->get();
            if (v < lo || v > hi)
              return std::to_string(v) + " ms is out of range (" + std::to_string(lo) + ".."
                     + std::to_string(hi) + ")";
            get(c) = milliseconds{v};
            return {};
          },
          [=](const config& c) { return std::to_string(get(const_cast<config&>(c)).count()); },
          copier(get)};
}

template <class Get, class Check>
option text(std::string key, Get get, Check check, std::string help) {
  return {std::move(key), kind::string, std::move(help),
          [=](config& c, const toml::node& n) -> std::string {
            auto v = n.as_string()->get();
            if (auto why = check(v); !why.empty())
              return why;
            get(c) = v;
            return {};
          },
          [=](const config& c) { return '"' + get(const_cast<config&>(c)) + '"'; },
          copier(get)};
}

/// A key whose value is one of the words of an enum: parsed here, once, into the enum
/// (`name` gives each value's word). A word not among them is refused with `refusal`
/// after the quoted word, or else with the list of the allowed words.
template <class E, class Get>
option choice(std::string key, std::initializer_list<E> words, const char* (*name)(E), Get get,
              std::string help, std::string refusal = {}) {
  std::vector<E> values{words};
  return {std::move(key), kind::string, std::move(help),
          [=](config& c, const toml::node& n) -> std::string {
            auto v = n.as_string()->get();
            for (auto e : values)
              if (v == name(e)) {
                get(c) = e;
                return {};
              }
            if (!refusal.empty())
              return "\"" + v + "\" " + refusal;
            std::string all;
            for (auto e : values)
              all += std::string{all.empty() ? "\"" : ", \""} + name(e) + "\"";
            return "\"" + v + "\" is not one of " + all;
          },
          [=](const config& c) { return '"' + std::string{name(get(const_cast<config&>(c)))} + '"'; },
          copier(get)};
}

template <class Get>
option flag(std::string key, Get get, std::string help) {
  return {std::move(key), kind::boolean, std::move(help),
          [=](config& c, const toml::node& n) -> std::string {
            get(c) = n.as_boolean()->get();
            return {};
          },
          [=](const config& c) { return get(const_cast<config&>(c)) ? "true" : "false"; },
          copier(get)};
}

inline std::string any_text(const std::string&) {
  return {};
}

inline std::string non_empty(const std::string& v) {
  return v.empty() ? "must not be empty" : "";
}

/// Every key of the table, in the order --config-keys shows them (config.cpp).
const std::vector<option>& options();
const option* find_option(const std::string& key);

/// The [storage] keys (config_storage.cpp).
void add_storage_options(std::vector<option>& o);
void add_ha_options(std::vector<option>& o);
/// Why `v` is no ha.node (empty when it is one).
std::string ha_node_problem(const std::string& v);
/// What is wrong with [ha] as a whole (ha.enabled): storage, durability, timing; fills in
/// ha.node (the host name) and ha.advertise (listen.bind) when they are empty.
std::vector<std::string> check_ha(config& cfg);

/// The [outbound] and [redis] keys (config_storage.cpp).
void add_outbound_options(std::vector<option>& o);

/// The [reporting] keys (config_reporting.cpp).
void add_reporting_options(std::vector<option>& o);

/// The [streams] keys (config_reporting.cpp).
void add_streams_options(std::vector<option>& o);

} // namespace parley::engine::config_detail
