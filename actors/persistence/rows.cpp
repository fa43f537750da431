#include "actors/persistence/rows.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace parley {

std::string properties_json(const property_list& props) {
  auto out = nlohmann::json::array();
  for (auto& p : props)
    if (p.is_number)
      out.push_back({{"k", p.key}, {"n", p.number}});
    else
      out.push_back({{"k", p.key}, {"t", p.text}});
  // Replace invalid UTF-8 rather than throw: a client's bytes must never stop a write.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

property_list properties_from_json(const std::string& text) {
  property_list out;
  if (text.empty() || text == "[]")  // most rows: no parse (a recovery reads every live row)
    return out;
  try {
    for (auto& p : nlohmann::json::parse(text)) {
      property x;
      x.key = p.at("k").get<std::string>();
      if (p.contains("n")) {
        x.is_number = true;
        x.number = p.at("n").get<double>();
      } else {
        x.text = p.at("t").get<std::string>();
      }
      out.push_back(std::move(x));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string{"stored properties are not valid: "} + e.what());
  }
  return out;
}

storage::interaction_row to_row(const interaction_view& v, std::uint64_t queue_seq,
                                std::int64_t entered_ms) {
  storage::interaction_row r;
  r.id = v.id;
  r.external_id = v.external_id;
  r.tenant = v.tenant;
  r.media = v.media;
  r.queue = v.queue;
  r.priority = v.priority;
  r.state = static_cast<std::uint8_t>(v.state);
  r.agents = nlohmann::json(v.agents).dump(-1, ' ', false,
                                           nlohmann::json::error_handler_t::replace);
  r.held = v.held;
  r.workbin = v.workbin;
  r.properties = properties_json(v.properties);
  r.submitted_ms = v.submitted_ms;
  r.changed_ms = v.changed_ms;
  r.entered_ms = entered_ms;
  r.queue_seq = queue_seq;
  return r;
}

interaction_view from_row(const storage::interaction_row& r) {
  interaction_view v;
  v.id = r.id;
  v.external_id = r.external_id;
  v.tenant = r.tenant;
  v.media = r.media;
  v.queue = r.queue;
  v.priority = r.priority;
  if (r.state > static_cast<std::uint8_t>(wire::InteractionState::MAX))
    throw std::invalid_argument("stored state " + std::to_string(r.state) + " is not known");
  v.state = static_cast<wire::InteractionState>(r.state);
  try {
    if (!r.agents.empty() && r.agents != "[]")
      v.agents = nlohmann::json::parse(r.agents).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string{"stored agents are not valid: "} + e.what());
  }
  v.held = r.held;
  v.workbin = r.workbin;
  v.properties = properties_from_json(r.properties);
  v.submitted_ms = r.submitted_ms;
  v.changed_ms = r.changed_ms;
  return v;
}

storage::event_row to_event(const report& r, std::uint64_t seq, std::int64_t engine_ms) {
  storage::event_row e;
  e.seq = seq;
  e.engine_ms = engine_ms;
  e.source_ms = r.source_ms;
  e.kind = static_cast<std::uint8_t>(r.kind);
  e.tenant = r.tenant;
  e.iid = r.iid;
  e.agent = r.agent;
  e.queue = r.queue;
  e.media = r.media;
  e.from_state = r.transition && r.has_from ? static_cast<std::int16_t>(r.from) : -1;
  e.state = static_cast<std::uint8_t>(r.state);
  e.agent_state = static_cast<std::uint8_t>(r.agent_state);
  e.reason = r.reason;
  return e;
}

frame event_frame(protocol::encoder& enc, const storage::event_row& e) {
  auto& fbb = enc.start();
  auto tenant = fbb.CreateString(e.tenant);
  auto agent = fbb.CreateString(e.agent);
  auto queue = fbb.CreateString(e.queue);
  auto media = fbb.CreateString(e.media);
  auto reason = fbb.CreateString(e.reason);
  auto ev = wire::CreateReportingEvent(fbb, e.seq, static_cast<wire::ReportingKind>(e.kind), e.source_ms,
                                       e.engine_ms, tenant, e.iid, agent, queue, media,
                                       static_cast<wire::InteractionState>(e.state),
                                       static_cast<wire::AgentState>(e.agent_state), reason);
  return protocol::to_bytes(enc.finish(0, ev));
}

frame vq_event_frame(protocol::encoder& enc, const storage::vq_event_row& e) {
  auto& fbb = enc.start();
  auto vq = fbb.CreateString(e.vq);
  auto agent = fbb.CreateString(e.agent);
  auto reason = fbb.CreateString(e.reason);
  auto tenant = fbb.CreateString(e.tenant);
  auto ev = wire::CreateVqEvent(fbb, static_cast<wire::VqEventKind>(e.kind), vq, e.iid, agent, e.engine_ms, reason,
                                e.seq, tenant);
  return protocol::to_bytes(enc.finish(0, ev));
}

} // namespace parley
