// ask_limit: how long the console and the HTTP API wait for an actor's answer before they
// report a timeout themselves — one figure for both surfaces.
#pragma once

#include <chrono>

namespace parley::engine {

inline constexpr auto ask_limit = std::chrono::seconds{5};

} // namespace parley::engine
