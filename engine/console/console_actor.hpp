// console_actor: runs the commands of one console connection (see console.hpp).
//
// Spawned by its console_session; quits when the session closes. Holds the connection's
// privilege level. Answers every command through `out(text, done, close)`, exactly once
// with done = true (a trace streams lines with done = false until it is stopped).
// Messages (untyped): (request_atom, std::string line), (stop_atom) ends a trace,
// (event_atom, frame) a traced reporting event, (closed_atom).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "engine/console/console.hpp"

namespace parley::engine {

using console_output = std::function<void(std::string text, bool done, bool close)>;

caf::actor spawn_console_actor(caf::actor_system& sys, std::shared_ptr<console_env> env,
                               std::shared_ptr<audit_log> audit, std::string peer,
                               console_output out);

/// The console's commands: name, level, usage and a line of help, for `help` and docs.
struct console_command {
  const char* name;
  role level;
  const char* usage;
  const char* help;
};

const std::vector<console_command>& console_commands();

/// Splits a command line at blanks.
std::vector<std::string> split_words(const std::string& line);

} // namespace parley::engine
