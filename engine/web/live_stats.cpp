#include "engine/web/live_stats.hpp"

#include <caf/all.hpp>

#include "actors/outbound/record_fields.hpp"
#include "actors/stats/catalogue.hpp"
#include "actors/runtime/types.hpp"
#include "actors/stats/stat_actor.hpp"
#include "protocol/codec.hpp"
#include "wire/stat_generated.h"

namespace parley::engine::web {

namespace {

using nlohmann::json;

constexpr auto heartbeat_every = std::chrono::seconds{15};  ///< as the hub's (live.cpp)

/// A flatbuffers enum by its schema name (`names` ends with nullptr).
template <class E>
bool enum_named(const std::string& s, const char* const* names, E& out) {
  for (std::size_t i = 0; names[i]; ++i)
    if (*names[i] && s == names[i]) {
      out = static_cast<E>(i);
      return true;
    }
  return false;
}

std::string names_of(const char* const* names) {
  std::string all;
  for (std::size_t i = 0; names[i]; ++i)
    if (*names[i])
      all += (all.empty() ? "" : ", ") + std::string{names[i]};
  return all;
}

/// `j[key]` as an unsigned number up to `max` (absent: unchanged); "" or why not.
template <class U>
std::string unsigned_field(const json& j, const char* key, std::uint64_t max, U& out) {
  if (!j.contains(key))
    return {};
  auto& v = j[key];
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max)
    return std::string{key} + " must be a whole number from 0 to " + std::to_string(max);
  out = static_cast<U>(v.get<std::uint64_t>());
  return {};
}

} // namespace

std::string parse_live_stat(const json& j, std::size_t index, live_stat& out) {
  if (!j.is_object())
    return "each statistic is an object";
  auto text = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
  auto& s = out.spec;
  out.key = j.contains("key") ? text("key") : std::to_string(index);
  if (out.key.empty() || out.key.size() > 64)
    return "key: 1 to 64 characters";
  if (!enum_named(text("type"), wire::EnumNamesStatObjectType(), s.object_type))
    return "type: one of " + names_of(wire::EnumNamesStatObjectType());
  s.object_id = text("id");
  if (s.object_id.empty() || s.object_id.size() > 256)
    return "id: the object's name, 1 to 256 characters";
  if (!stats::metric_by_name(text("metric"), s.m))
    return "metric: \"" + text("metric") + "\" is not a metric (docs/statistics.md)";
  if (j.contains("interval") && !enum_named(text("interval"), wire::EnumNamesStatInterval(), s.interval))
    return "interval: one of " + names_of(wire::EnumNamesStatInterval());
  if (j.contains("notify") && !enum_named(text("notify"), wire::EnumNamesStatNotify(), s.notify))
    return "notify: one of " + names_of(wire::EnumNamesStatNotify());
  s.filter = text("filter");
  for (auto why : {unsigned_field(j, "window_s", UINT32_MAX, s.window_s),
                   unsigned_field(j, "range_from_s", UINT32_MAX, s.range_from_s),
                   unsigned_field(j, "range_to_s", UINT32_MAX, s.range_to_s),
                   unsigned_field(j, "period_ms", UINT32_MAX, s.period_ms)})
    if (!why.empty())
      return why;
  if (j.contains("threshold")) {
    if (!j["threshold"].is_number() || j["threshold"].get<double>() < 0)
      return "threshold: a number, 0 or more";
    s.threshold = j["threshold"].get<double>();
  }
  return {};
}

namespace {

std::string event_text(const std::string& key, json data) {
  data["key"] = key;
  return "event: stat\ndata: " + data.dump() + "\n\n";
}

/// What a calculation sent, as the event's data (null: nothing to show).
json frame_json(const frame& f) {
  auto* env = protocol::envelope_of(f);
  auto value = [](double v, const flatbuffers::String* text, std::int64_t at) {
    return json{{"value", v}, {"text", text ? text->str() : ""}, {"valid", true}, {"time", outbound::utc_time(at)}};
  };
  switch (env->message_type()) {
    case wire::Message::StatOpened: {
      auto* m = env->message_as_StatOpened();
      auto j = value(m->value(), m->text(), m->timestamp_ms());
      j["valid"] = m->valid();
      return j;
    }
    case wire::Message::StatInfo: {
      auto* m = env->message_as_StatInfo();
      auto j = value(m->value(), m->text(), m->timestamp_ms());
      j["event_ms"] = m->event_ms();  // the reporting event behind it (0: a timer)
      return j;
    }
    case wire::Message::StatInvalid: {
      auto* reason = env->message_as_StatInvalid()->reason();
      return {{"valid", false}, {"reason", reason ? reason->str() : ""}};
    }
    case wire::Message::StatValid:
      return nullptr;  // the value follows
    case wire::Message::StatError: {
      auto* m = env->message_as_StatError();
      return {{"error", {{"code", wire::EnumNameErrorCode(m->code())}, {"message", m->text() ? m->text()->str() : ""}}}};
    }
    default: return nullptr;
  }
}

struct watch_state {
  std::vector<live_stat> wanted;
  std::shared_ptr<live_sink> sink;
  stats::stats_hub_actor hub;
  std::vector<caf::actor_addr> calculation;  ///< of each wanted statistic, once opened

  void push(std::size_t i, json data) {
    if (!data.is_null() && i < wanted.size())
      sink->push("stat:" + wanted[i].key, event_text(wanted[i].key, std::move(data)));
  }
  void fail(std::size_t i, const caf::error& e) {
    auto text = error_text(e);
    push(i, {{"error", {{"code", wire::EnumNameErrorCode(wire_code(e))}, {"message", text.empty() ? describe(e) : text}}}});
  }
};

caf::behavior stat_watch(caf::stateful_actor<watch_state>* self, std::vector<live_stat> wanted,
                         std::shared_ptr<live_sink> sink, stats::stats_hub_actor hub, caf::actor owner) {
  self->state.wanted = std::move(wanted);
  self->state.sink = std::move(sink);
  self->state.hub = std::move(hub);
  self->state.calculation.resize(self->state.wanted.size());
  auto me = caf::actor_cast<stats::stat_client_actor>(self);
  auto timeout = std::chrono::seconds{10};
  for (std::size_t i = 0; i < self->state.wanted.size(); ++i)
    self->request(self->state.hub, timeout, caf::open_atom_v, self->state.wanted[i].spec, me, std::uint64_t{i})
      .then(
        [=](const stats::stat_actor& a) {
          self->state.calculation[i] = a.address();
          self->monitor(a);
          self->request(a, timeout, peek_atom_v, std::uint64_t{0}, self->id(), std::uint64_t{i}, true)
            .then([=](frame& f) { self->state.push(i, frame_json(f)); },
                  [=](caf::error& e) { self->state.fail(i, e); });
        },
        [=](caf::error& e) { self->state.fail(i, e); });
  auto owner_addr = owner.address();
  self->monitor(owner);
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source == owner_addr)
      return self->quit();  // the web surface stops
    // A calculation ended by itself (the hub restarts none): the statistics on it show no
    // value from now on, as a 2060 client's get StatError.
    for (std::size_t i = 0; i < self->state.wanted.size(); ++i)
      if (self->state.calculation[i] == dm.source) {
        self->state.calculation[i] = caf::actor_addr{};
        self->state.push(i, {{"error", {{"code", "internal"}, {"message", "the statistic's calculation ended"}}}});
      }
  });
  // The hub does not follow this stream: its heartbeat comes from here.
  self->delayed_send(self, heartbeat_every, period_atom_v);
  return {
    [=](notify_atom, std::uint64_t i, frame& f, bool) { self->state.push(i, frame_json(f)); },
    [=](period_atom) {
      self->state.sink->push("heartbeat", ": heartbeat\n\n");
      self->delayed_send(self, heartbeat_every, period_atom_v);
    },
  };
}

} // namespace

std::string parse_live_stats(const std::string& text, std::size_t max, std::vector<live_stat>& out) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array())
    return "stats: a JSON array of statistics, e.g. "
           R"([{"type":"queue","id":"sales","metric":"current_in_queue"}])";
  if (j.empty() || j.size() > max)
    return "stats: 1 to " + std::to_string(max) + " statistics per stream";
  out.clear();
  for (std::size_t i = 0; i < j.size(); ++i) {
    live_stat s;
    if (auto why = parse_live_stat(j[i], i, s); !why.empty())
      return "stats[" + std::to_string(i) + "]: " + why;
    for (auto& other : out)
      if (other.key == s.key)
        return "stats[" + std::to_string(i) + "]: key \"" + s.key + "\" twice";
    out.push_back(std::move(s));
  }
  return {};
}

caf::actor spawn_stat_watch(caf::actor_system& sys, stats::stats_hub_actor hub, std::vector<live_stat> wanted,
                            std::shared_ptr<live_sink> sink, const caf::actor& owner) {
  return sys.spawn(stat_watch, std::move(wanted), std::move(sink), std::move(hub), owner);
}

} // namespace parley::engine::web
