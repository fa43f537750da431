// harden: the error policy every domain actor installs when it starts.
//
// - A message the actor does not understand is a bug: logged (warn, once per actor and
//   signature), counted (parley_unexpected_messages_total{actor}, unexpected.hpp), and a
//   request gets sec::unexpected_message. Never dropped silently.
// - An error that arrives as a message (an unrequested failure reply) is logged at debug
//   level; it never terminates the actor, which is CAF's default.
// - An exception is a bug: it is logged with the actor's name, the actor terminates with
//   runtime_error, and whoever monitors it (registries) cleans up.
#pragma once

#include <caf/fwd.hpp>

namespace parley {

void harden(caf::scheduled_actor* self);

} // namespace parley
