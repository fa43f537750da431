#include "actors/runtime/types.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace parley {

wire::ErrorCode wire_code(const caf::error& err) {
  if (!err)
    return wire::ErrorCode::none;
  if (err.category() == error_category)
    return static_cast<wire::ErrorCode>(err.code());
  if (err == caf::sec::request_timeout)
    return wire::ErrorCode::timeout;
  return wire::ErrorCode::internal;
}

std::string error_text(const caf::error& err) {
  if (!err || err.context().empty())
    return {};
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return caf::to_string(err.context());
}

std::string describe(const caf::error& err) {
  auto code = wire_code(err);
  std::string out = protocol::error_name(code);
  if (code == wire::ErrorCode::internal)
    out += " (" + caf::to_string(err) + ")";
  if (auto text = error_text(err); !text.empty())
    out += ": " + text;
  return out;
}

} // namespace parley
