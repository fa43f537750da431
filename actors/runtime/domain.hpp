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

#include "actors/agent/agent_registry.hpp"
#include "actors/interaction/interaction_registry.hpp"
#include "actors/outbound/campaign_actor.hpp"
#include "actors/outbound/sequence_actor.hpp"
#include "actors/outbound/compliance_actor.hpp"
#include "actors/outbound/gateway.hpp"
#include "actors/outbound/gateway_pool.hpp"
#include "actors/persistence/writer.hpp"
#include "actors/queue/queue_actor.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/clock.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "actors/runtime/domain_config.hpp"
#include "actors/routing/router_actor.hpp"
#include "actors/runtime/metrics.hpp"
#include "actors/stats/stats_hub.hpp"

namespace parley {

struct domain_handles {
  interaction_registry_actor interactions;  ///< submit, lookup by id
  agent_registry_actor agents;              ///< login, lookup by agent id
  reporting_bus_actor bus;  ///< ordered reporting and VQ events
  writer_actor store;       ///< persistence writer (invalid: nothing is stored)
  stats::stats_hub_actor stats;  ///< opens statistics, feeds them the stream
  std::unordered_map<std::string, queue_actor> queues;    ///< by queue name
  std::unordered_map<std::string, router_actor> routers;  ///< by tenant
  std::vector<router_actor> routers_by_index;             ///< see router_index_of()
  route_stream_actor route_stream;  ///< posts stream-routed queues' requests (invalid: none configured)
  std::unordered_map<std::string, outbound::campaign_actor> campaigns;  ///< by campaign name
  std::unordered_map<std::string, outbound::sequence_actor> sequences;  ///< by sequence name
  outbound::compliance_actor compliance;  ///< outbound compliance and the do-not-call list
  outbound::gateway_actor gateway;  ///< the telephony gateway (invalid: no campaigns configured)
  /// The same actor when the gateway is external: dial_gateway clients register with it
  /// (invalid: simulated, or no campaigns).
  outbound::gateway_pool_actor gateway_pool;
  std::shared_ptr<const clock> clk;
  std::shared_ptr<const domain_config> cfg;
  std::shared_ptr<domain_metrics> metrics;

  queue_actor queue(const std::string& name) const {
    auto it = queues.find(name);
    return it == queues.end() ? queue_actor{} : it->second;
  }
  outbound::campaign_actor campaign(const std::string& name) const {
    auto it = campaigns.find(name);
    return it == campaigns.end() ? outbound::campaign_actor{} : it->second;
  }
  outbound::sequence_actor sequence(const std::string& name) const {
    auto it = sequences.find(name);
    return it == sequences.end() ? outbound::sequence_actor{} : it->second;
  }
  router_actor router(const std::string& tenant) const {
    auto it = routers.find(tenant);
    return it == routers.end() ? router_actor{} : it->second;
  }
};

} // namespace parley
