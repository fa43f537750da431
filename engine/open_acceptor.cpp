#include "engine/open_acceptor.hpp"

#include <stdexcept>

namespace parley::engine {

std::uint16_t open_acceptor(boost::asio::ip::tcp::acceptor& acceptor, const std::string& address,
                            std::uint16_t port, const std::string& what) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec)
    throw std::runtime_error("cannot open " + what + ": \"" + address + "\" is not an IP address");
  tcp::endpoint ep{addr, port};
  acceptor.open(ep.protocol(), ec);
  if (!ec)
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(ep, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot open " + what + " on " + address + ":" + std::to_string(port)
                             + ": " + ec.message());
  return acceptor.local_endpoint().port();
}

std::vector<std::uint16_t> free_loopback_ports(std::size_t n) {
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::acceptor> held;  // all bound at once: n different ports
  std::vector<std::uint16_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    auto& a = held.emplace_back(io, boost::asio::ip::tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), 0});
    out.push_back(a.local_endpoint().port());
  }
  return out;
}

} // namespace parley::engine
