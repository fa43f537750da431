#include "engine/web/pulse.hpp"

#include <cmath>

#include "actors/stats/catalogue.hpp"
#include "actors/stats/stat_types.hpp"

namespace parley::engine::web {

namespace {

using nlohmann::json;

template <std::size_t N>
bool one_of(const json& v, const char* const (&names)[N]) {
  if (!v.is_string())
    return false;
  for (auto* n : names)
    if (v.get<std::string>() == n)
      return true;
  return false;
}

template <std::size_t N>
std::string listed(const char* const (&names)[N]) {
  std::string all;
  for (auto* n : names)
    all += (all.empty() ? "" : ", ") + std::string{n};
  return all;
}

bool short_text(const json& w, const char* key, std::size_t max) {
  return !w.contains(key) || (w[key].is_string() && w[key].get<std::string>().size() <= max);
}

/// The OpenStat fields of statistic `s` on `object`, as parse_live_stat reads them.
json stat_request(const std::string& key, const json& object, const json& s, const json& refresh) {
  json j{{"key", key}, {"type", object["type"]}, {"id", object["id"]}, {"metric", s["metric"]}};
  for (auto* k : {"interval", "window_s", "range_from_s", "range_to_s", "filter"})
    if (s.contains(k))
      j[k] = s[k];
  if (refresh.value("mode", "on_change") == "periodic") {
    j["notify"] = "periodic";
    j["period_ms"] = refresh.value("every_s", 10u) * 1000u;
  } else {
    j["notify"] = "on_change";
    j["threshold"] = refresh.value("sensitivity", 0.0);
  }
  return j;
}

std::string thresholds_problem(const json& t) {
  if (!t.is_object())
    return "thresholds: an object {warning, alarm, lower_is_worse}";
  for (auto& [k, v] : t.items()) {
    if (k == "lower_is_worse") {
      if (!v.is_boolean())
        return "thresholds.lower_is_worse: true or false";
    } else if (k == "warning" || k == "alarm") {
      if (!v.is_number() || !std::isfinite(v.get<double>()))
        return "thresholds." + k + ": a number";
    } else {
      return "thresholds: unknown field " + k;
    }
  }
  return {};
}

std::string refresh_problem(const json& r) {
  if (!r.is_object())
    return "refresh: an object {mode, sensitivity | every_s}";
  auto mode = r.value("mode", std::string{"on_change"});
  if (mode == "on_change") {
    if (r.contains("sensitivity") && (!r["sensitivity"].is_number() || r["sensitivity"].get<double>() < 0
                                      || r["sensitivity"].get<double>() > 1e12))
      return "refresh.sensitivity: a number, 0 or more (the smallest change shown)";
  } else if (mode == "periodic") {
    if (!r.contains("every_s") || !r["every_s"].is_number_unsigned() || r["every_s"].get<std::uint64_t>() < 1
        || r["every_s"].get<std::uint64_t>() > 3600)
      return "refresh.every_s: whole seconds from 1 to 3600";
  } else {
    return "refresh.mode: on_change or periodic";
  }
  return {};
}

} // namespace

std::string widget_problem(const json& w, bool with_objects) {
  if (!w.is_object())
    return "a widget is a JSON object";
  static const char* const known[] = {"kind", "title", "objects", "statistics", "refresh", "size"};
  for (auto& [k, v] : w.items()) {
    bool ok = false;
    for (auto* n : known)
      ok = ok || k == n;
    if (!ok)
      return "unknown field " + k + " (docs/pulse.md: " + listed(known) + ")";
  }
  if (!one_of(w.value("kind", json{}), widget_kinds))
    return "kind: one of " + listed(widget_kinds);
  if (!short_text(w, "title", 200))
    return "title: text of 200 characters at most";
  if (w.contains("size") && (!w["size"].is_object() || !w["size"].value("w", json(1)).is_number_unsigned()
                             || !w["size"].value("h", json(1)).is_number_unsigned()))
    return "size: {w, h} in grid cells";
  auto objects = w.value("objects", json::array());
  if (!objects.is_array() || objects.size() > max_widget_objects)
    return "objects: an array of at most " + std::to_string(max_widget_objects) + " {type, id}";
  if (with_objects && objects.empty())
    return "objects: name at least one {type, id} (a queue, agent, agent_group, campaign or tenant)";
  if (!with_objects && !objects.empty())
    return "objects: a template names none (they are picked when a widget is made from it)";
  for (std::size_t i = 0; i < objects.size(); ++i) {
    auto& o = objects[i];
    if (!o.is_object() || !o.contains("type") || !o.contains("id") || o.size() != 2)
      return "objects[" + std::to_string(i) + "]: {type, id}";
  }
  auto& statistics = w.contains("statistics") ? w["statistics"] : json{};
  if (!statistics.is_array() || statistics.empty() || statistics.size() > max_widget_statistics)
    return "statistics: an array of 1 to " + std::to_string(max_widget_statistics) + " statistics";
  auto kind = w["kind"].get<std::string>();
  if (kind == "billboard" && (statistics.size() != 1 || objects.size() > 1))
    return "a billboard shows one statistic of one object";
  if (kind == "trend" && objects.size() * statistics.size() > max_trend_lines)
    return "a trend draws at most " + std::to_string(max_trend_lines) + " lines (objects × statistics)";
  auto refresh = w.value("refresh", json::object());
  if (auto why = refresh_problem(refresh); !why.empty())
    return why;
  // Each statistic on each object type the widget shows (or, for a template, as a queue
  // would: the object is not known yet, only the fields are checked).
  json sample_objects = objects;
  if (sample_objects.empty())
    sample_objects = json::array({json{{"type", "queue"}, {"id", "x"}}});
  for (std::size_t s = 0; s < statistics.size(); ++s) {
    auto& st = statistics[s];
    auto at = "statistics[" + std::to_string(s) + "]";
    if (!st.is_object())
      return at + ": an object {alias, metric, format, ...}";
    if (!st.contains("alias") || !st["alias"].is_string() || st["alias"].get<std::string>().empty()
        || st["alias"].get<std::string>().size() > 64)
      return at + ".alias: the name shown, 1 to 64 characters";
    if (!one_of(st.value("format", json("integer")), widget_formats))
      return at + ".format: one of " + listed(widget_formats);
    if (st.contains("thresholds"))
      if (auto why = thresholds_problem(st["thresholds"]); !why.empty())
        return at + "." + why;
    static const char* const stat_fields[] = {"alias", "format", "thresholds", "metric", "interval",
                                              "window_s", "range_from_s", "range_to_s", "filter"};
    for (auto& [k, v] : st.items()) {
      bool ok = false;
      for (auto* n : stat_fields)
        ok = ok || k == n;
      if (!ok)
        return at + ": unknown field " + k;
    }
    for (std::size_t o = 0; o < sample_objects.size(); ++o) {
      live_stat ls;
      if (auto why = parse_live_stat(stat_request("k", sample_objects[o], st, refresh), 0, ls); !why.empty())
        return (with_objects ? "objects[" + std::to_string(o) + "] " : std::string{}) + at + ": " + why;
      if (!with_objects)
        ls.spec.object_type = wire::StatObjectType::tenant;  // a template: the fields alone
      auto why = stats::validate(ls.spec);
      if (!why.empty() && (with_objects || why.find("does not apply") == std::string::npos))
        return (with_objects ? "objects[" + std::to_string(o) + "] " : std::string{}) + at + ": " + why;
    }
  }
  return {};
}

std::size_t widget_values(const json& w) {
  return w.value("objects", json::array()).size() * w.value("statistics", json::array()).size();
}

std::vector<live_stat> widget_stats(std::int64_t id, const json& w) {
  std::vector<live_stat> out;
  auto objects = w.value("objects", json::array());
  auto statistics = w.value("statistics", json::array());
  auto refresh = w.value("refresh", json::object());
  for (std::size_t o = 0; o < objects.size(); ++o)
    for (std::size_t s = 0; s < statistics.size(); ++s) {
      auto key = std::to_string(id) + "." + std::to_string(o) + "." + std::to_string(s);
      live_stat ls;
      if (parse_live_stat(stat_request(key, objects[o], statistics[s], refresh), 0, ls).empty())
        out.push_back(std::move(ls));
      if (statistics[s].value("format", "") == "agent_status") {
        json since{{"alias", "since"}, {"metric", "time_in_state"}};
        live_stat t;
        if (parse_live_stat(stat_request(key + ".since", objects[o], since, json{{"mode", "on_change"}}), 0, t).empty())
          out.push_back(std::move(t));
      }
    }
  return out;
}

std::string history_key(const json& object, const json& s) {
  auto field = [&](const char* k) {
    if (!s.contains(k))
      return std::string{};
    return s[k].is_string() ? s[k].get<std::string>() : s[k].dump();
  };
  return object.value("type", "") + "|" + object.value("id", "") + "|" + field("metric") + "|"
         + (s.contains("interval") ? field("interval") : "growing") + "|" + field("window_s") + "|"
         + field("range_from_s") + "|" + field("range_to_s") + "|" + field("filter");
}

std::vector<std::pair<std::string, stats::stat_spec>> trend_stats(const json& w, std::uint32_t sample_s) {
  std::vector<std::pair<std::string, stats::stat_spec>> out;
  if (w.value("kind", "") != "trend")
    return out;
  auto periodic = json{{"mode", "periodic"}, {"every_s", sample_s}};
  auto objects = w.value("objects", json::array());
  auto statistics = w.value("statistics", json::array());
  for (auto& o : objects)
    for (auto& s : statistics) {
      live_stat ls;
      if (parse_live_stat(stat_request("h", o, s, periodic), 0, ls).empty())
        out.emplace_back(history_key(o, s), ls.spec);
    }
  return out;
}

bool same_but_display(const json& a, const json& b) {
  auto strip = [](json w) {
    w.erase("title");
    w.erase("size");
    if (w.contains("statistics") && w["statistics"].is_array())
      for (auto& s : w["statistics"]) {
        s.erase("alias");
        s.erase("format");
        s.erase("thresholds");
      }
    return w;
  };
  return strip(a) == strip(b);
}

} // namespace parley::engine::web
