// interaction_state: what one interaction actor holds, and the steps its handlers are built
// from (interaction_steps.cpp). Internal to actors/interaction: the public contract is
// interaction_actor.hpp.
#pragma once

#include <functional>

#include <caf/stateful_actor.hpp>

#include "actors/interaction/interaction_actor.hpp"
#include "actors/queue/queue_actor.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/domain.hpp"
#include "protocol/codec.hpp"

namespace parley::interaction_detail {

using wire::InteractionState;
using wire::ReportingKind;

struct party {
  std::string agent;
  agent_actor handle;
};

/// Why an offer is out: routed from a queue, a transfer to an agent, or a conference invite.
enum class offer_kind { none, routed, transfer, conference };

struct interaction_state {
  interaction_view v;
  client_actor owner;
  domain_ptr dom;
  queue_actor queue;         // while queued
  std::uint64_t seq = 0;     // position in the current queue (kept across requeues)
  std::vector<party> parties;
  party offered;             // the agent an offer is out to
  offer_kind offer = offer_kind::none;
  std::uint64_t offer_gen = 0;
  bool announced = false;
  bool recovering = false;   // loaded at start-up: its first report is `recovered`
  std::string reserved_for;  // an outbound call's reserved agent, until its first enqueue
  std::int64_t entered_ms = 0;  // when it entered its current queue (overflow counts from here)
  clock::time_point entered_at;  // the same, precisely (routing latency)
  static inline const char* name = "interaction";

  void sync_agents() {
    v.agents.clear();
    for (auto& p : parties)
      v.agents.push_back(p.agent);
    if (offer != offer_kind::none && offer != offer_kind::conference)
      v.agents.push_back(offered.agent);
  }

  bool is_party(const std::string& agent) const {
    return std::any_of(parties.begin(), parties.end(), [&](auto& p) { return p.agent == agent; });
  }
};

using self_ptr = interaction_actor::stateful_pointer<interaction_state>;

using done_fn = std::function<void(const caf::error&)>;

caf::error err(wire::ErrorCode code, std::string text);
std::string id_text(self_ptr self);

/// The report of `v` as it is now (source_ms: when it happened).
report make_report(const interaction_view& v, ReportingKind kind, std::int64_t source_ms,
                   const std::string& agent, const std::string& reason, bool transition,
                   InteractionState from, bool has_from);
/// What queue `queue` keeps of `v` once it waits there (its snapshot's row): not the user
/// data, except for a queue routed over streams (its routers see the properties).
interaction_view queue_summary(const domain_handles& dom, const interaction_view& v,
                               const std::string& queue, std::int64_t now_ms);

/// One report to the reporting bus; every report also stores the interaction's row.
void publish(self_ptr self, ReportingKind kind, const std::string& agent = {},
            const std::string& reason = {}, bool transition = false,
            InteractionState from = InteractionState::submitted, bool has_from = true);
/// Moves to `to` and reports it as one transition.
void change(self_ptr self, InteractionState to, ReportingKind kind, const std::string& agent = {},
            const std::string& reason = {});
void to_owner(self_ptr self, frame f);
void to_parties(self_ptr self, const frame& f);
void release_parties(self_ptr self, const std::string& reason);
void withdraw_offer(self_ptr self, const std::string& reason);
/// Voids the outstanding offer without telling its agent; returns the agent (invalid: none).
agent_actor void_offer(self_ptr self);
void enqueue(self_ptr self, const std::string& name, std::uint64_t seq, ReportingKind kind,
             const std::string& agent, const std::string& reason, done_fn done);
void requeue(self_ptr self, ReportingKind kind, const std::string& agent,
             const std::string& reason, std::function<void()> then = {});
/// `wait`: how long the agent may take to show the invite (a client's remaining budget for
/// a transfer or conference, the internal timeout for a routed offer).
void offer(self_ptr self, const std::string& agent, const agent_actor& handle, offer_kind kind,
           caf::timespan wait, done_fn done);
void offer_failed(self_ptr self, offer_kind kind, const std::string& agent, ReportingKind why_kind,
                  const std::string& why, const agent_actor& revoke = {},
                  const std::string& revoke_reason = {});
void stop_now(self_ptr self, const std::string& reason, bool abandoned);
caf::error must_handle(self_ptr self, const requester& who);

} // namespace parley::interaction_detail
