// config_options: the building blocks of parleyd's option table (config.cpp): one
// `option` per key, with its type, help text, how it is stored and shown. Internal to engine/.
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "engine/config.hpp"

namespace parley::engine::config_detail {

enum class kind { integer, real, string, string_list, boolean };

struct option {
  std::string key;
  kind type;
  std::string help;
  /// Stores a value of the right type into the config; returns "" or why it is invalid.
  std::function<std::string(config&, const toml::node&)> apply;
  std::function<std::string(const config&)> show;
};

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
          [=](const config& c) { return std::to_string(get(const_cast<config&>(c))); }};
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
          }};
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
          [=](const config& c) { return std::to_string(get(const_cast<config&>(c)).count()); }};
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
          [=](const config& c) { return '"' + get(const_cast<config&>(c)) + '"'; }};
}

template <class Get>
option choice(std::string key, std::vector<std::string> allowed, Get get, std::string help) {
  return text(std::move(key), get,
              [allowed](const std::string& v) -> std::string {
                for (auto& a : allowed)
                  if (v == a)
                    return {};
                std::string all;
                for (auto& a : allowed)
                  all += (all.empty() ? "\"" : ", \"") + a + "\"";
                return "\"" + v + "\" is not one of " + all;
              },
              std::move(help));
}

template <class Get>
option flag(std::string key, Get get, std::string help) {
  return {std::move(key), kind::boolean, std::move(help),
          [=](config& c, const toml::node& n) -> std::string {
            get(c) = n.as_boolean()->get();
            return {};
          },
          [=](const config& c) { return get(const_cast<config&>(c)) ? "true" : "false"; }};
}

inline std::string any_text(const std::string&) {
  return {};
}

inline std::string non_empty(const std::string& v) {
  return v.empty() ? "must not be empty" : "";
}

inline std::string log_level(const std::string& v) {
  for (auto* ok : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    if (v == ok)
      return {};
  return "\"" + v + "\" is not a log level (trace, debug, info, warn, error, critical, off)";
}

/// The [storage] keys (config_storage.cpp).
void add_storage_options(std::vector<option>& o);

/// The [outbound] and [redis] keys (config_storage.cpp).
void add_outbound_options(std::vector<option>& o);

} // namespace parley::engine::config_detail
