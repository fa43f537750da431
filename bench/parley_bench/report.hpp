// report: what one parley-bench run found, and the two ways it is printed.
//
// Every scenario fills one `result`. print_table() writes the readable table to stdout;
// print_json() writes one JSON object on one line, which main() prints last so that scripts
// can take the last line of stdout. Errors are counted by kind in `error_counts`, which the
// clients' callbacks update from any io thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "bench/parley_bench/histogram.hpp"
#include "protocol/client/client.hpp"
#include "sim/error_sink.hpp"

namespace parley::bench {

/// Errors by kind: the engine's Error codes, the client's transport outcomes, lost
/// connections and answers of an unexpected type. Thread-safe; never hides anything but
/// the requests cut short by the benchmark's own stop (after `closing` is set).
class error_counts : public sim::error_sink {
public:
  /// Counts `a` when it is not the answer wanted (an Error, a transport failure).
  void record(const client::answer& a);
  /// A connection that dropped (the client does not reconnect in parley-bench).
  void record_disconnect(const std::string& why);
  /// Anything else that went wrong, with a short kind name ("unexpected_answer", ...).
  void record_other(const std::string& kind, const std::string& why) override;

  std::uint64_t total() const override;
  std::vector<std::pair<std::string, std::uint64_t>> by_kind() const;
  /// The text of the first error seen ("" when none), to tell a misconfiguration apart.
  std::string first() const override;

  /// From now on transport failures (requests the benchmark itself cut short) are ignored.
  std::atomic<bool> closing{false};

private:
  void note(const std::string& why);

  std::array<std::atomic<std::uint64_t>, 256> engine_{};
  std::atomic<std::uint64_t> disconnected_{0}, timeout_{0}, stopped_{0}, lost_{0};
  mutable std::mutex mx_;
  std::vector<std::pair<std::string, std::uint64_t>> other_;
  std::string first_;
};

/// A scenario-specific figure, shown in the table and written to the JSON object.
struct field {
  using value_type = std::variant<std::int64_t, double, std::string, bool>;
  std::string key;    ///< JSON key (snake_case)
  value_type value;
  std::string label;  ///< table text; empty: the key
  std::string unit;   ///< table suffix
};

/// The same benchmark run on something else, measured in the same run.
struct reference {
  std::string name;
  double throughput_per_s = 0;
  std::string command;
};

/// A histogram's figures, copied out (the histogram lives in the scenario), in µs.
struct latency_summary {
  std::uint64_t samples = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  double mean = 0;

  static latency_summary of(const histogram& h);
};

/// What the scenario aims at, and whether it got there.
struct goal {
  std::string text;     ///< e.g. ">= 25,000 lifecycles/s on 2 cores"
  bool met = false;
  std::string verdict;  ///< the honest gap, e.g. "reached 9,800/s = 39 % of the goal"
};

struct result {
  std::string scenario;
  std::string target;       ///< "embedded engine" or "HOST:PORT"
  bool embedded = true;
  std::string count_what;   ///< what `count` counts, e.g. "lifecycles (stop acked)"
  std::uint64_t count = 0;
  std::uint64_t errors = 0;
  std::vector<std::pair<std::string, std::uint64_t>> errors_by_kind;
  std::string first_error;
  double duration_s = 0;
  double throughput_per_s = 0;
  std::string latency_what; ///< e.g. "submit sent -> stop acked"
  latency_summary latency;
  std::uint64_t rss_bytes = 0;
  goal aim;
  std::optional<reference> ref;
  std::vector<field> extra;
  std::vector<std::string> notes;
  /// False when the scenario could not run at all (main then exits non-zero).
  bool ran = true;
};

void print_table(std::ostream& out, const result& r);
void print_json(std::ostream& out, const result& r);

/// 12345678 -> "12,345,678".
std::string grouped(std::uint64_t n);
/// Bytes in KiB/MiB/GiB with one decimal.
std::string human_bytes(double bytes);
/// One number through a printf format: fmt("%.1f %%", 12.34) -> "12.3 %".
std::string fmt(const char* format, double v);

} // namespace parley::bench
