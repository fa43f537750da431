// views: plain snapshots of an interaction or an agent, as clients see them, and the
// functions that put them on the wire. Actors build a view from their state; the connection
// actor and the event builders encode it. No CAF types here beyond inspection.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "actors/runtime/types.hpp"
#include "protocol/codec.hpp"

namespace parley {

struct interaction_view {
  std::uint64_t id = 0;
  std::string external_id;
  std::string tenant;
  std::string media;
  std::string queue;
  std::int32_t priority = 0;
  wire::InteractionState state = wire::InteractionState::submitted;
  std::vector<std::string> agents;
  bool held = false;
  std::string workbin;
  property_list properties;
  std::int64_t submitted_ms = 0;
  std::int64_t changed_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, interaction_view& x) {
  return f(caf::meta::type_name("interaction_view"), x.id, x.external_id, x.tenant, x.media,
           x.queue, x.priority, x.state, x.agents, x.held, x.workbin, x.properties,
           x.submitted_ms, x.changed_ms);
}

struct agent_view {
  std::string agent;
  wire::AgentState state = wire::AgentState::logged_out;
  std::string reason;
  std::map<std::string, std::uint32_t> capacity;
  std::map<std::string, std::uint32_t> used;
  std::int64_t changed_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_view& x) {
  return f(caf::meta::type_name("agent_view"), x.agent, x.state, x.reason, x.capacity, x.used,
           x.changed_ms);
}

// -- encoding -----------------------------------------------------------------------------

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<wire::Property>>>
build_properties(flatbuffers::FlatBufferBuilder& fbb, const property_list& props);

flatbuffers::Offset<wire::InteractionInfo> build_info(flatbuffers::FlatBufferBuilder& fbb,
                                                      const interaction_view& v);

flatbuffers::Offset<wire::AgentStatus> build_status(flatbuffers::FlatBufferBuilder& fbb,
                                                    const agent_view& v);

/// Reads wire properties into a list (nullptr gives an empty list).
property_list read_properties(const flatbuffers::Vector<flatbuffers::Offset<wire::Property>>* ps);

/// Events with ref 0, ready to send.
frame invite_event(protocol::encoder& enc, const interaction_view& v, std::uint32_t timeout_ms);
frame revoked_event(protocol::encoder& enc, std::uint64_t iid, const std::string& reason);
frame party_event(protocol::encoder& enc, bool added, std::uint64_t iid, const std::string& agent,
                  const std::string& reason = {});
frame placed_event(protocol::encoder& enc, std::uint64_t iid, const std::string& queue);
frame taken_event(protocol::encoder& enc, std::uint64_t iid, const std::string& queue,
                  const std::string& agent);
frame props_event(protocol::encoder& enc, std::uint64_t iid, const property_list& set,
                  const std::vector<std::string>& removed);
frame stopped_event(protocol::encoder& enc, std::uint64_t iid, const std::string& reason);
frame agent_state_event(protocol::encoder& enc, const agent_view& v);

} // namespace parley
