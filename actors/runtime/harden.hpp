// harden: the error policy every domain actor installs when it starts.
//
// - A reply to a fire-and-forget send (CAF sends a handler's result back to the sender)
//   or any other unexpected message is dropped, not printed to stderr.
// - An error that arrives as a message (an unrequested failure reply) is logged at debug
//   level; it never terminates the actor, which is CAF's default.
// - An exception is a bug: it is logged with the actor's name, the actor terminates with
//   runtime_error, and whoever monitors it (registries) cleans up.
#pragma once

#include <caf/fwd.hpp>

namespace parley {

void harden(caf::scheduled_actor* self);

} // namespace parley
