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

const char* to_string(treatment_action a) noexcept {
  switch (a) {
    case treatment_action::retry: return "retry";
    case treatment_action::next: return "next";
    case treatment_action::final: return "final";
  }
  return "?";
}

const char* to_string(schedule_action a) noexcept {
  switch (a) {
    case schedule_action::start: return "start";
    case schedule_action::stop: return "stop";
    case schedule_action::pause: return "pause";
    case schedule_action::resume: return "resume";
    case schedule_action::import: return "import";
    case schedule_action::retention: return "retention";
  }
  return "?";
}

const char* to_string(gateway_kind k) noexcept {
  return k == gateway_kind::external ? "external" : "simulated";
}

const char* to_string(machine_policy p) noexcept {
  switch (p) {
    case machine_policy::drop: return "drop";
    case machine_policy::agent: return "agent";
    case machine_policy::no_answer: return "no_answer";
  }
  return "?";
}

const char* to_string(step_until u) noexcept {
  switch (u) {
    case step_until::exhausted: return "exhausted";
    case step_until::idle: return "idle";
    case step_until::time: return "time";
  }
  return "?";
}

treatment campaign_config::treatment_for(std::uint8_t result) const {
  for (auto& t : treatments)
    if (t.result == result)
      return t;
  return treatment{result, treatment_action::final, std::chrono::minutes{0}, 0};
}

} // namespace parley
