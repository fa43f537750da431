#include "actors/runtime/views.hpp"

namespace parley {

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<wire::Property>>>
build_properties(flatbuffers::FlatBufferBuilder& fbb, const property_list& props) {
  std::vector<flatbuffers::Offset<wire::Property>> out;
  out.reserve(props.size());
  for (auto& p : props) {
    auto k = fbb.CreateString(p.key);
    auto t = p.is_number ? flatbuffers::Offset<flatbuffers::String>{} : fbb.CreateString(p.text);
    out.push_back(wire::CreateProperty(fbb, k, t, p.number, p.is_number));
  }
  return fbb.CreateVector(out);
}

flatbuffers::Offset<wire::InteractionInfo> build_info(flatbuffers::FlatBufferBuilder& fbb,
                                                      const interaction_view& v) {
  auto ext = fbb.CreateString(v.external_id);
  auto tenant = fbb.CreateString(v.tenant);
  auto media = fbb.CreateString(v.media);
  auto queue = fbb.CreateString(v.queue);
  auto agents = fbb.CreateVectorOfStrings(v.agents);
  auto workbin = fbb.CreateString(v.workbin);
  auto props = build_properties(fbb, v.properties);
  return wire::CreateInteractionInfo(fbb, v.id, ext, tenant, media, queue, v.priority, v.state,
                                     agents, v.held, workbin, props, v.submitted_ms, v.changed_ms);
}

flatbuffers::Offset<wire::AgentStatus> build_status(flatbuffers::FlatBufferBuilder& fbb,
                                                    const agent_view& v) {
  std::vector<flatbuffers::Offset<wire::MediaCapacity>> media;
  for (auto& [m, cap] : v.capacity) {
    auto it = v.used.find(m);
    media.push_back(wire::CreateMediaCapacity(fbb, fbb.CreateString(m), cap,
                                              it == v.used.end() ? 0 : it->second));
  }
  auto agent = fbb.CreateString(v.agent);
  auto reason = fbb.CreateString(v.reason);
  auto mv = fbb.CreateVector(media);
  return wire::CreateAgentStatus(fbb, agent, v.state, reason, mv, v.changed_ms);
}

property_list read_properties(const flatbuffers::Vector<flatbuffers::Offset<wire::Property>>* ps) {
  property_list out;
  if (!ps)
    return out;
  out.reserve(ps->size());
  for (auto* p : *ps) {
    property x;
    x.key = p->key()->str();
    x.is_number = p->is_number();
    if (x.is_number)
      x.number = p->number();
    else if (p->text())
      x.text = p->text()->str();
    out.push_back(std::move(x));
  }
  return out;
}

frame invite_event(protocol::encoder& enc, const interaction_view& v, std::uint32_t timeout_ms) {
  auto& fbb = enc.start();
  auto info = build_info(fbb, v);
  return protocol::to_bytes(enc.finish(0, wire::CreateInvite(fbb, info, timeout_ms)));
}

frame revoked_event(protocol::encoder& enc, std::uint64_t iid, const std::string& reason) {
  auto& fbb = enc.start();
  auto r = fbb.CreateString(reason);
  return protocol::to_bytes(enc.finish(0, wire::CreateRevoked(fbb, iid, r)));
}

frame party_event(protocol::encoder& enc, bool added, std::uint64_t iid, const std::string& agent,
                  const std::string& reason) {
  auto& fbb = enc.start();
  auto a = fbb.CreateString(agent);
  if (added)
    return protocol::to_bytes(enc.finish(0, wire::CreatePartyAdded(fbb, iid, a)));
  auto r = fbb.CreateString(reason);
  return protocol::to_bytes(enc.finish(0, wire::CreatePartyRemoved(fbb, iid, a, r)));
}

frame placed_event(protocol::encoder& enc, std::uint64_t iid, const std::string& queue) {
  auto& fbb = enc.start();
  auto q = fbb.CreateString(queue);
  return protocol::to_bytes(enc.finish(0, wire::CreatePlacedInQueue(fbb, iid, q)));
}

frame taken_event(protocol::encoder& enc, std::uint64_t iid, const std::string& queue,
                  const std::string& agent) {
  auto& fbb = enc.start();
  auto q = fbb.CreateString(queue);
  auto a = fbb.CreateString(agent);
  return protocol::to_bytes(enc.finish(0, wire::CreateTakenFromQueue(fbb, iid, q, a)));
}

frame props_event(protocol::encoder& enc, std::uint64_t iid, const property_list& set,
                  const std::vector<std::string>& removed) {
  auto& fbb = enc.start();
  auto s = build_properties(fbb, set);
  auto r = fbb.CreateVectorOfStrings(removed);
  return protocol::to_bytes(enc.finish(0, wire::CreatePropertiesChanged(fbb, iid, s, r)));
}

frame stopped_event(protocol::encoder& enc, std::uint64_t iid, const std::string& reason) {
  auto& fbb = enc.start();
  auto r = fbb.CreateString(reason);
  return protocol::to_bytes(enc.finish(0, wire::CreateProcessingStopped(fbb, iid, r)));
}

frame agent_state_event(protocol::encoder& enc, const agent_view& v) {
  auto& fbb = enc.start();
  auto st = build_status(fbb, v);
  return protocol::to_bytes(enc.finish(0, wire::CreateAgentStateChanged(fbb, st)));
}

} // namespace parley
