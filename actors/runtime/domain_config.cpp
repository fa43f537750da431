#include "actors/runtime/domain_config.hpp"

#include <algorithm>

namespace parley {

const char* to_string(second_login_policy p) noexcept {
  switch (p) {
    case second_login_policy::reject: return "reject";
    case second_login_policy::force: return "force";
  }
  return "?";
}

bool member_matches(const std::string& pattern, const std::string& agent) {
  if (!pattern.empty() && pattern.back() == '*')
    return agent.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == agent;
}

const queue_config* domain_config::find_queue(const std::string& name) const {
  for (auto& q : queues)
    if (q.name == name)
      return &q;
  return nullptr;
}

const agent_group_config* domain_config::group_of(const std::string& agent) const {
  for (auto& g : groups)
    for (auto& m : g.members)
      if (member_matches(m, agent))
        return &g;
  return nullptr;
}

bool domain_config::knows_media(const std::string& media) const {
  return std::find(routing.media.begin(), routing.media.end(), media) != routing.media.end();
}

} // namespace parley
