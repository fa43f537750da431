// tls: the engine's TLS context for the protocol listeners, built from [tls] at start-up.
//
// engine::start builds it once, before anything opens, and every TLS session shares it.
// Files that are missing, unreadable, not PEM, or a key that does not match its
// certificate stop the start with one line naming the key and the file.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "engine/config.hpp"

namespace parley::engine {

/// The server context for `cfg` (tls.enabled must be true); throws std::runtime_error.
std::unique_ptr<boost::asio::ssl::context> make_server_tls(const tls_config& cfg);

} // namespace parley::engine
