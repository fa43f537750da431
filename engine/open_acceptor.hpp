// open_acceptor: binds and listens on address:port for every TCP listener of the engine
// (protocol listeners, the console), with one wording for its failures.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace parley::engine {

/// Opens `acceptor` on address:port (port 0: any free port) and returns the bound port.
/// Throws std::runtime_error naming `what` ("the console", "the vq listener") and the
/// address on failure.
std::uint16_t open_acceptor(boost::asio::ip::tcp::acceptor& acceptor, const std::string& address,
                            std::uint16_t port, const std::string& what);

/// `n` loopback ports nobody listens on at this moment (bound together, then let go), for
/// tests and benchmarks that run an HA pair: a node keeps its ports when it changes role,
/// so port 0 will not do.
std::vector<std::uint16_t> free_loopback_ports(std::size_t n);

} // namespace parley::engine
