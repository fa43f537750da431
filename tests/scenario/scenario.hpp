// scenario: call-flow scenarios as readable data files (tests/scenarios/*.scenario), run by
// one driver in two modes: over real TCP against a real parleyd process, or in-process on
// virtual time (see world.hpp). tests/scenarios/README.md is the language reference; this
// header is the parsed form and the entry points.
//
// parser.cpp turns a file into a `script` (every problem is a parse_error "file:line: why"),
// runner.cpp runs it (clients, answers, expectations) in a world (tcp_world.cpp,
// virtual_world.cpp), requests.cpp builds the request messages, events.cpp matches and
// describes the events clients receive, main.cpp is the doctest case reading
// $PARLEY_SCENARIO and $PARLEY_SCENARIO_MODE.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/client/client.hpp"
#include "protocol/wire.hpp"

namespace parley::scenario {

using millis = std::chrono::milliseconds;

/// How a scenario runs: against parleyd over TCP on real time, or in-process on virtual
/// time ($PARLEY_SCENARIO_MODE = tcp | virtual).
enum class mode { tcp, virtual_time };

const char* mode_name(mode m) noexcept;  ///< "tcp", "virtual"
std::optional<mode> mode_named(std::string_view word);

/// The kinds of clients a scenario declares.
enum class client_kind { gateway, desktop, reporter, vq, router };

enum class op {
  declare,         ///< `gateway g1`, `vq v1 sales`: client = name, type, args = queues
  request,         ///< `<client> <verb> args... [-> error CODES]`
  snapshot,        ///< `snapshot <client> <queue> <offset> <limit> [expect ids...]`
  expect_event,    ///< `expect <client> <event> args... [within T]`
  expect_nothing,  ///< `expect nothing <client> [for T]`
  expect_state,    ///< `expect state <id> <state> via <client>`: verb = state, args = [id]
  expect_agents,   ///< `expect agents <id> <agents...> via <client>`: args = [id, agents...]
  wait,            ///< `wait T` / `advance T`: timeout = T
  disconnect,      ///< `disconnect <client>`
  conservation,    ///< `check conservation`
};

struct step {
  std::size_t line = 0;
  std::string text;               ///< the line as written, without comment and indentation
  op kind = op::wait;
  std::string client;             ///< who acts, or whose events are looked at
  client_kind type = client_kind::gateway;  ///< op::declare only
  std::string verb;               ///< request verb, event name or state name
  std::vector<std::string> args;  ///< the words after the verb, as written
  bool want_error = false;        ///< `-> error [CODE|CODE...]`
  std::vector<wire::ErrorCode> errors;  ///< accepted codes; empty = any error
  millis timeout{2000};           ///< within / for / wait duration; snapshot "expect" flag below
  bool check_items = false;       ///< snapshot: an `expect` list was given (args[3..])
};

struct script {
  std::string file;                ///< the path as given
  std::string name;                ///< its file name, for messages
  std::string toml;                ///< config text; line N is line N of the file
  std::vector<step> steps;
  std::map<std::string, client_kind> clients;
  /// The event types some expect step waits for: what `expect nothing` watches.
  std::set<wire::Message> watched;
  /// `skip <mode>: <reason>` directives: the modes this file cannot run in, and why.
  std::map<mode, std::string> skip;
};

struct parse_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

script parse(const std::string& text, const std::string& file);
/// Reads and parses a file (parse_error when it cannot be read).
script parse_file(const std::string& path);

/// "300ms" / "2s" -> milliseconds; nullopt for anything else.
std::optional<millis> parse_duration(std::string_view word);

/// "k=v" -> (k, v); nullopt when there is no '=' or the key is empty.
std::optional<std::pair<std::string, std::string>> split_kv(const std::string& word);

/// The words from `from` on, joined by single spaces (a free-text reason).
std::string rest(const std::vector<std::string>& a, std::size_t from);

/// True for a word made of digits only (a literal interaction or request id).
bool is_literal_id(std::string_view word);

/// The message type an `expect <client> <event>` step waits for (NONE if unknown).
wire::Message event_type(const std::string& event);

/// An enum value by its schema name, e.g. enum_named(wire::EnumValuesAgentState(),
/// wire::EnumNameAgentState, "ready").
template <class E, std::size_t N>
std::optional<E> enum_named(const E (&values)[N], const char* (*name)(E), std::string_view word) {
  for (auto v : values)
    if (word == name(v))
      return v;
  return std::nullopt;
}

std::optional<wire::ErrorCode> error_named(std::string_view word);

// -- running -------------------------------------------------------------------------

/// Variables bound by `submit` (interaction ids) and `route_request` (request ids).
using vars = std::map<std::string, std::uint64_t>;

/// A variable's value, or the literal id; throws std::out_of_range when unbound.
std::uint64_t resolve(const vars& v, const std::string& word);

/// What an event means for an expect step.
enum class verdict {
  skip,      ///< another kind of event, or about another interaction: dropped
  match,     ///< the step is satisfied (bindings made)
  conflict,  ///< the same kind about the same interaction, with other details: a failure
};

struct outcome {
  verdict v = verdict::skip;
  std::string why;
};

/// Matches one event against an op::expect_event step; binds route_request variables.
outcome match_event(const step& s, const client::answer& ev, vars& v);

/// A one-line description of a message for failure reports, ids shown with their names.
std::string describe(const client::answer& a, const vars& v);

/// A request step's message and the answer types that mean success.
struct request_msg {
  client::client::build_fn build;
  std::vector<wire::Message> answers;
};

/// The message of an op::request step (std::runtime_error for an unbound variable).
request_msg build_request(const step& s, const vars& v);
/// The QueueSnapshot of an op::snapshot step.
request_msg build_snapshot(const step& s);
/// What a declared reporter / vq / router sends once registered (SubscribeReporting,
/// VqSubscribe, RegisterRouter).
request_msg build_subscription(const step& s);

/// What a run leaves for the determinism check.
struct run_result {
  bool passed = false;
  /// The world's frame log (virtual mode): every frame a client received, in order.
  std::vector<std::string> frames;
};

/// Runs a parsed script in a fresh world of mode `m`. Every failure is a doctest FAIL
/// naming the file, line and step text; the script stops at the first one.
run_result run(const script& s, mode m);

} // namespace parley::scenario
