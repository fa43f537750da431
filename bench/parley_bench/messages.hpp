// messages: the requests parley-bench sends, as client::client build functions.
//
// A build function runs on the client's strand right before the frame is written, so a
// timestamp taken inside it is the moment the request leaves the client library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/parley_bench/harness.hpp"
#include "protocol/client/client.hpp"

namespace parley::bench::msg {

using build_fn = client::client::build_fn;
using fbb = flatbuffers::FlatBufferBuilder;

/// The numeric property a lifecycle Submit carries: its send time in µs (steady clock).
inline constexpr const char* t0_key = "bench_t0_us";

template <class F>
build_fn make(F f) {
  return [f = std::move(f)](protocol::encoder& e, std::uint64_t ref) {
    auto& b = e.start();
    return e.finish(ref, f(b));
  };
}

/// Submit to `queue` with `media`. With `stamp`, a property t0_key = the send time.
/// The strings must outlive the request (they live in the scenario's options).
inline build_fn submit(const std::string& queue, const std::string& media, bool stamp) {
  return make([&queue, &media, stamp](fbb& b) {
    auto q = b.CreateString(queue);
    auto m = b.CreateString(media);
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<wire::Property>>> props;
    if (stamp) {
      auto key = b.CreateString(t0_key);
      auto p = wire::CreateProperty(b, key, 0, static_cast<double>(now_us()), true);
      props = b.CreateVector(&p, 1);
    }
    return wire::CreateSubmit(b, 0, 0, m, q, 0, props);
  });
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

inline build_fn queue_snapshot(const std::string& queue) {
  return make([queue](fbb& b) { return wire::CreateQueueSnapshotDirect(b, queue.c_str(), 0, 1); });
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

/// The t0_key property of an interaction (0 when absent).
inline std::uint64_t t0_of(const wire::InteractionInfo* info) {
  return static_cast<std::uint64_t>(number_of(info, t0_key, 0));
}

} // namespace parley::bench::msg
