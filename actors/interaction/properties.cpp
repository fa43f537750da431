// properties: the limits on an interaction's user data (routing.max_properties and
// routing.max_property_bytes), shared by submit (the registry) and ChangeProperties.
#include <algorithm>

#include "actors/interaction/interaction_actor.hpp"

namespace parley {

std::string check_properties(const routing_config& cfg, const property_list& current,
                             const property_list& set, const std::vector<std::string>& remove) {
  std::size_t count = current.size();
  std::vector<std::string> added;
  for (auto& p : set) {
    if (p.key.empty())
      return "a property key must not be empty";
    if (p.key.size() + p.text.size() > cfg.max_property_bytes)
      return "property " + p.key + " exceeds routing.max_property_bytes ("
             + std::to_string(cfg.max_property_bytes) + ")";
    bool exists = std::any_of(current.begin(), current.end(), [&](auto& c) { return c.key == p.key; })
                  || std::find(added.begin(), added.end(), p.key) != added.end();
    if (!exists) {
      added.push_back(p.key);
      ++count;
    }
  }
  for (auto& k : remove)
    if (std::any_of(current.begin(), current.end(), [&](auto& c) { return c.key == k; }))
      --count;
  if (count > cfg.max_properties)
    return "more than routing.max_properties (" + std::to_string(cfg.max_properties)
           + ") properties";
  return {};
}

} // namespace parley
