// wire.hpp: the generated FlatBuffers types of the Parley protocol, plus the protocol
// version this build speaks. Include this instead of the generated headers.
#pragma once

#include "wire/envelope_generated.h"

namespace parley::protocol {

/// The protocol version this build speaks (Register.protocol_version / Registered).
inline constexpr std::uint32_t protocol_version = 1;

/// The envelope layout version this build writes and accepts.
inline constexpr std::uint16_t envelope_version = 1;

/// Stable name of an error code, e.g. "frame_too_large".
const char* error_name(wire::ErrorCode code) noexcept;

/// Stable name of a client type, e.g. "agent_desktop".
const char* client_type_name(wire::ClientType type) noexcept;

} // namespace parley::protocol
