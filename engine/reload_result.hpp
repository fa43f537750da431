// reload_result: what engine::reload (SIGHUP, the console's `reload`) did, as a value its
// callers act on — the console answers a refusal as an error (so `parley -c reload` exits
// non-zero and the audit log records why), /metrics counts reloads by outcome. Made by the
// engine; nothing to start or stop.
#pragma once

#include <string>
#include <vector>

namespace parley::engine {

enum class reload_outcome {
  applied,   ///< every changed key is reloadable, and all of them apply now
  unchanged, ///< the file says what the engine runs already
  refused,   ///< nothing applied: a key needs a restart, the file does not validate,
             ///< there is no file to read, or the engine is stopping
};

/// "applied", "unchanged", "refused" (the `result` label of parley_config_reloads_total).
inline const char* to_string(reload_outcome o) noexcept {
  switch (o) {
  case reload_outcome::applied:
    return "applied";
  case reload_outcome::unchanged:
    return "unchanged";
  case reload_outcome::refused:
    return "refused";
  }
  return "?";
}

struct reload_result {
  reload_outcome outcome = reload_outcome::unchanged;
  std::vector<std::string> lines; ///< what was logged, one line per key (or the refusal)

  bool refused() const noexcept { return outcome == reload_outcome::refused; }
};

} // namespace parley::engine
