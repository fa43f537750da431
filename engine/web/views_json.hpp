// views_json: what the API and the live updates show of queues, campaigns and agents, one
// shape for both (api_views.cpp defines them).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace parley::outbound {
struct campaign_view;
}

namespace parley::engine {
struct queue_live;
}

namespace parley {
struct agent_row;
}

namespace parley::engine::web {

nlohmann::json queue_json(const queue_live& q);
nlohmann::json campaign_json(const outbound::campaign_view& v, const std::string& tenant);
/// An agent as the reporting bus's table has it (no time in state: that changes by itself).
nlohmann::json agent_json(const agent_row& a);

} // namespace parley::engine::web
