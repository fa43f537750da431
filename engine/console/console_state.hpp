// console_state: what one console connection's actor holds, and the ways a command answers.
// Private to engine/console (console_actor.cpp, console_outbound.cpp).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>

#include "engine/console/console_actor.hpp"

namespace parley::engine {

struct queue_live_report;

struct console_state {
  std::shared_ptr<console_env> env;
  std::shared_ptr<audit_log> audit;
  std::string peer;
  console_output out;
  role level = role::none;
  bool tracing = false;
  std::string job_line;  ///< the audited command a detached job runs for ("" for reads)
  static inline const char* name = "console";
};

using console_self = caf::stateful_actor<console_state>*;

inline void done(console_self self, const std::string& text, bool close = false) {
  self->state.out(text, true, close);
}

inline void fail(console_self self, const std::string& why) {
  done(self, "error: " + why + "\n");
}

/// Runs a command that changes something, writing it to the audit log: "ok", or the
/// error answer (without its closing newline).
inline void audited(console_self self, const std::string& line, std::function<std::string()> act) {
  auto result = act();
  auto error = result.rfind("error", 0) == 0;
  self->state.audit->write(self->state.peer, self->state.level, line,
                           error ? result.substr(0, result.find_last_not_of('\n') + 1) : "ok");
  done(self, result);
}

/// The answer to a command that reads (`read`: as is) or changes something (audited).
inline std::function<void(std::string)> replier(console_self self, bool read, std::string line) {
  return [=](std::string text) {
    if (read)
      done(self, text);
    else
      audited(self, line, [=] { return text; });
  };
}

inline std::string pad(const std::string& s, std::size_t n) {
  return s.size() >= n ? s + " " : s + std::string(n - s.size(), ' ');
}

// The views (console_show.cpp): `status` and `show ...`.
void status(console_self self);
void show(console_self self, const std::vector<std::string>& w);
const char* show_usage();
/// Seconds as 45s, 3m05s, 2h03m, 4d02h.
std::string age_text(double seconds);
/// " (no answer from queue x, router y)" when a part of a gathered view did not answer.
std::string unanswered(const queue_live_report& r);

// The outbound commands (console_outbound.cpp): `campaign`, `dnc`, `list`, `show campaigns`.
void run_campaign(console_self self, const std::vector<std::string>& w, const std::string& line);
void run_dnc(console_self self, const std::vector<std::string>& w, const std::string& line);
void run_list(console_self self, const std::vector<std::string>& w, const std::string& line);
void show_campaigns(console_self self);
/// `show gateways`: the telephony gateway — the simulated one, or each registered dialing
/// gateway with its media, lines, busy lines, dials and lost calls.
void show_gateways(console_self self);

// Campaign sequences (console_sequence.cpp): `sequence`, `show sequences`.
void run_sequence(console_self self, const std::vector<std::string>& w, const std::string& line);
// The job scheduler's entries (console_sequence.cpp): `schedule status|enable|disable`.
void run_schedule(console_self self, const std::vector<std::string>& w, const std::string& line);
void show_sequences(console_self self);

// `user ...`: web users and their API tokens (console_users.cpp).
void run_user(console_self self, const std::vector<std::string>& w, const std::string& line);

// `report ...`: historical reports, their status and rebuilds (console_report.cpp).
void run_report_command(console_self self, const std::vector<std::string>& w, const std::string& line);

// `debug kill ACTOR [NAME]` (console_debug.cpp).
void run_debug(console_self self, const std::vector<std::string>& w, const std::string& line);

} // namespace parley::engine
