// frames: the request frames simulated clients send, as build functions (what
// client::client and virtual_center both take: encoder + reference id -> frame).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/client/client.hpp"

namespace parley::sim {

using build_fn = client::client::build_fn;
using fbb = flatbuffers::FlatBufferBuilder;

/// A build function from `f(builder) -> message offset`.
template <class F>
build_fn make(F f) {
  return [f = std::move(f)](protocol::encoder& e, std::uint64_t ref) {
    auto& b = e.start();
    return e.finish(ref, f(b));
  };
}

inline build_fn agent_login(const std::string& agent) {
  return make([agent](fbb& b) { return wire::CreateAgentLoginDirect(b, agent.c_str()); });
}

inline build_fn agent_ready() {
  return make([](fbb& b) { return wire::CreateAgentReady(b); });
}

inline build_fn accept(std::uint64_t id) {
  return make([id](fbb& b) { return wire::CreateAccept(b, id); });
}

inline build_fn stop(std::uint64_t id) {
  return make([id](fbb& b) { return wire::CreateStopProcessing(b, id); });
}

/// The numeric property `key` of an interaction (`absent` when it has none).
inline double number_of(const wire::InteractionInfo* info, std::string_view key, double absent) {
  if (!info || !info->properties())
    return absent;
  for (auto* p : *info->properties())
    if (p->is_number() && p->key()->string_view() == key)
      return p->number();
  return absent;
}

} // namespace parley::sim
