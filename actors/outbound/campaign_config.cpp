#include "actors/outbound/campaign_config.hpp"

namespace parley::outbound {

const char* to_name(dial_mode m) {
  switch (m) {
    case dial_mode::preview: return "preview";
    case dial_mode::progressive: return "progressive";
    case dial_mode::predictive: return "predictive";
  }
  return "unknown";
}

} // namespace parley::outbound

namespace parley {

treatment campaign_config::treatment_for(std::uint8_t result) const {
  for (auto& t : treatments)
    if (t.result == result)
      return t;
  return treatment{result, "final", std::chrono::minutes{0}, 0};
}

} // namespace parley
