// store_worker: a detached actor with its own store connection that runs jobs one at a time
// — the web surface's reads and writes of users, tokens and sessions, and its password
// checks (argon2id costs about 0.1 s of CPU: never on an I/O thread or a scheduled actor).
//
// A job gets the store and must answer on its own (e.g. by posting to an Asio strand); an
// exception it lets out is logged and the job's `failed` callback, when set, gets the
// message. The connection is opened lazily and again after a transient failure.
#pragma once

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "storage/store.hpp"

namespace parley::engine {
struct config;
}

namespace parley::engine::web {

struct store_job {
  std::function<void(storage::store&)> run;
  std::function<void(const std::string& why)> failed;  ///< may be empty
};

/// Spawns a worker on `cfg`'s storage (opened on first use). `name` is for the logs.
caf::actor spawn_store_worker(caf::actor_system& sys, const config& cfg, std::string name);

/// Queues a job on the worker.
void run_on(const caf::actor& worker, store_job job);

} // namespace parley::engine::web

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::engine::web::store_job)
