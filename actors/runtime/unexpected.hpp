// unexpected: messages an actor did not understand. Such a message is a bug (a sender and a
// receiver that disagree on a contract), so it is never dropped silently: harden() installs
// a default handler that logs it at warn level — once per actor and message signature, so
// a storm cannot flood the log — counts it per actor, and answers a request with
// sec::unexpected_message. /metrics shows the counts as parley_unexpected_messages_total.
//
// Process-wide (one engine per process in production; tests that start several engines in
// one process read differences).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace parley {

class unexpected_messages {
public:
  static unexpected_messages& instance();

  /// Counts one message for `actor`; true the first time this actor saw this signature.
  bool record(const std::string& actor, const std::string& signature);

  /// Messages so far per actor name (every name in actor_names() included, at 0 or more).
  std::map<std::string, std::uint64_t> counts() const;

  std::uint64_t total() const;

private:
  mutable std::mutex mx_;
  std::map<std::string, std::uint64_t> counts_;
  std::set<std::pair<std::string, std::string>> seen_;
};

/// The names of the engine's actor families (their state's `name`), shown at 0 in /metrics
/// before anything went wrong.
const std::vector<std::string>& actor_names();

} // namespace parley
