// render_parts: the parts of the /metrics page, each writing its families into the page
// (render.cpp puts them together for one scrape). Private to engine/metrics.
//
// Every labelled counter family prints a sample for every label value it can have, at 0
// before the first event, so that rate() and increase() work from the first scrape.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "actors/reporting/reporting_bus.hpp"
#include "engine/campaign_status.hpp"
#include "engine/metrics/metrics_server.hpp"
#include "engine/metrics/page.hpp"

namespace parley::engine {

/// Connections, frames, requests, errors, reloads, latencies, storage, statistics.
void engine_part(page& p, const metrics_env& env);

/// Reporting events by kind, interactions and agents per tenant (every configured tenant,
/// at 0 until it has some), waiting interactions per queue.
void domain_part(page& p, const domain_handles& dom, const bus_status& b,
                 const std::vector<std::pair<std::string, std::uint64_t>>& queues);

/// Dials, dial attempts by result, compliance decisions (render_outbound.cpp).
void outbound_part(page& p, const domain_metrics& m);

/// parley_campaign_*: one set per configured campaign, from its status answer; a campaign
/// that did not answer has no samples this scrape (render_outbound.cpp).
void campaign_part(page& p, const domain_handles& dom, const campaign_answers& got);

/// parley_sequence_*: each campaign sequence's state and step (render_outbound.cpp).
void sequence_part(page& p, const sequence_answers& got);

} // namespace parley::engine
