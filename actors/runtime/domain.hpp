// domain: the handles of the long-lived domain actors, shared read-only by everyone who
// needs to reach them (connection actors, interactions, agents, queues, routers).
//
// The engine spawns the long-lived actors, fills one domain_handles, and sends it to each
// of them as (init_atom, domain_ptr) before any client can connect. Interaction and agent
// actors get it at spawn. It is never modified after that, so sharing it is safe. The
// engine stops every long-lived actor explicitly at shutdown (the handles form cycles).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

#include "actors/runtime/clock.hpp"
#include "actors/runtime/domain_config.hpp"
#include "actors/runtime/metrics.hpp"

namespace parley {

struct domain_handles {
  caf::actor interactions;  ///< interaction registry: submit, lookup by id
  caf::actor agents;        ///< agent registry: login, lookup by agent id
  caf::actor bus;           ///< reporting bus: ordered reporting and VQ events
  caf::actor store;         ///< persistence writer (invalid: nothing is stored)
  caf::actor stats;         ///< stats hub: opens statistics, feeds them the stream
  std::unordered_map<std::string, caf::actor> queues;   ///< by queue name
  std::unordered_map<std::string, caf::actor> routers;  ///< by tenant
  std::vector<caf::actor> routers_by_index;             ///< see router_index_of()
  std::unordered_map<std::string, caf::actor> campaigns;  ///< by campaign name
  caf::actor compliance;    ///< outbound compliance and the do-not-call list
  caf::actor gateway;       ///< the telephony gateway (invalid: no campaigns configured)
  std::shared_ptr<const clock> clk;
  std::shared_ptr<const domain_config> cfg;
  std::shared_ptr<domain_metrics> metrics;

  caf::actor queue(const std::string& name) const {
    auto it = queues.find(name);
    return it == queues.end() ? caf::actor{} : it->second;
  }
  caf::actor campaign(const std::string& name) const {
    auto it = campaigns.find(name);
    return it == campaigns.end() ? caf::actor{} : it->second;
  }
  caf::actor router(const std::string& tenant) const {
    auto it = routers.find(tenant);
    return it == routers.end() ? caf::actor{} : it->second;
  }
};

using domain_ptr = std::shared_ptr<const domain_handles>;

} // namespace parley

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::domain_ptr)
