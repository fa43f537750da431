// outbound: what the pacing and dial scenarios share. They drive the engine's outbound
// campaigns the way an operator does, over loopback TCP: the admin console (`list import`,
// `campaign start|status|stop`) and /metrics. Here: a blocking line client for the console,
// the campaign status line parsed, a generated contact list, one counter read from
// /metrics, and the [[campaigns]] / [outbound.gateway] TOML the scenarios configure.
//
// Everything here runs on the scenario's main thread and blocks; no callbacks, no CAF.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace parley::bench {

/// One console connection (7123): a command line out, its answer (up to the empty line
/// that ends every answer) back. Throws std::runtime_error when it cannot connect.
class console_link {
public:
  console_link(const std::string& host, std::uint16_t port);
  ~console_link();
  console_link(const console_link&) = delete;
  console_link& operator=(const console_link&) = delete;

  /// Sends `line`, returns the answer without its final empty line; throws on a timeout
  /// or a closed connection (the run cannot go on without its console).
  std::string ask(const std::string& line,
                  std::chrono::milliseconds limit = std::chrono::milliseconds{10'000});

private:
  struct impl;
  std::unique_ptr<impl> p_;
};

/// A campaign status line (`campaign NAME STATE MODE queue=... dialed=N ...`) parsed.
struct campaign_status {
  std::string state;  ///< loaded, running, paused, stopped
  std::uint64_t ready_agents = 0, agents = 0;
  std::uint64_t dialed = 0, answered = 0, abandoned = 0, denied = 0;
  std::uint64_t in_flight = 0, buffered = 0;
  double abandon_rate = 0;  ///< the campaign's own, over its compliance window (0..1)
};
/// Throws std::runtime_error with the line when it is not a campaign status.
campaign_status parse_campaign_status(const std::string& line);
/// `campaign status NAME` through `con`, parsed.
campaign_status campaign_status_of(console_link& con, const std::string& campaign);

/// Writes `<dir>/<file>` (creating `dir`): a header `phone,tz,customer` and `rows` UTC
/// records with distinct E.164 numbers (+1555 and 8 digits from `first`); with `email`
/// an `email` column too (c<i>@example.com, for email campaigns).
void write_contact_list(const std::string& dir, const std::string& file, std::uint64_t rows,
                        std::uint64_t first = 0, bool email = false);
/// `list import NAME FILE` through the console; returns the rows imported, throws unless
/// every row was.
std::uint64_t import_list(console_link& con, const std::string& name, const std::string& file,
                          std::uint64_t rows, std::chrono::milliseconds limit);

/// The sum of every sample of `name` (whatever its labels) in http://host:port/metrics
/// (NaN when there is none); throws std::runtime_error when the endpoint does not answer.
double metric_sum(const std::string& host, std::uint16_t port, const std::string& name);

/// The simulated gateway's settings a scenario chooses (domain milliseconds; shares are
/// normalized by the engine). Outcomes not listed here are 0.
struct gateway_mix {
  double answer = 0, busy = 0, no_answer = 0, machine = 0;
  std::int64_t ring_mean_ms = 8000, no_answer_after_ms = 25'000, talk_mean_ms = 120'000;
  std::uint64_t seed = 1;
  std::uint64_t max_lines = 100'000;
};
/// The `[outbound.gateway]` table for `g`.
std::string gateway_toml(const gateway_mix& g);

/// One predictive `[[campaigns]]` table dialing list `list` for `queue`, calling hours
/// "00:00-24:00" (so the calling window never stops it), `extra` appended as TOML lines.
std::string predictive_campaign_toml(const std::string& name, const std::string& list,
                                     const std::string& queue, const std::string& extra);

} // namespace parley::bench
