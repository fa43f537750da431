// client_values: the client library's plain values and helpers (client.hpp): status and
// state names, the answer an engine sent, endpoint parsing, and io_thread. The connection
// itself is client.cpp.
#include <thread>

#include "protocol/client/client.hpp"

namespace parley::client {

const char* status_name(status s) noexcept {
  switch (s) {
    case status::ok: return "ok";
    case status::disconnected: return "disconnected";
    case status::timeout: return "timeout";
    case status::stopped: return "stopped";
  }
  return "?";
}

const char* state_name(state s) noexcept {
  switch (s) {
    case state::idle: return "idle";
    case state::connecting: return "connecting";
    case state::registering: return "registering";
    case state::registered: return "registered";
    case state::backoff: return "backoff";
    case state::stopped: return "stopped";
  }
  return "?";
}

// -- answer -------------------------------------------------------------------

const wire::Envelope* answer::envelope() const noexcept {
  return status_ == status::ok && !frame_.empty() ? protocol::envelope_of(frame_) : nullptr;
}

wire::Message answer::type() const noexcept {
  auto* env = envelope();
  return env ? env->message_type() : wire::Message::NONE;
}

wire::ErrorCode answer::error_code() const noexcept {
  auto* err = as<wire::Error>();
  return err ? err->code() : wire::ErrorCode::none;
}

std::string answer::error_text() const {
  if (status_ != status::ok)
    return std::string{status_name(status_)} + (why_.empty() ? "" : ": " + why_);
  if (auto* err = as<wire::Error>()) {
    std::string out = protocol::error_name(err->code());
    if (err->text() && err->text()->size() > 0)
      out += ": " + err->text()->str();
    return out;
  }
  return {};
}

std::optional<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return std::nullopt;
  auto host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']')
      return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return std::nullopt;  // an IPv6 address needs its brackets
  }
  auto port = text.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto n = std::stoul(port);
  if (n == 0 || n > 65535)
    return std::nullopt;
  return std::pair{host, static_cast<std::uint16_t>(n)};
}

// -- io_thread ------------------------------------------------------------------

io_thread::io_thread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {
}

io_thread::~io_thread() {
  guard_.reset();
  io_.stop();
  if (thread_.joinable())
    thread_.join();
}

} // namespace parley::client
