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
#include "sim/frames.hpp"

namespace parley::bench::msg {

using sim::build_fn;
using sim::fbb;
using sim::make;
using sim::agent_login;
using sim::agent_ready;
using sim::accept;
using sim::stop;
using sim::number_of;

/// The numeric property a lifecycle Submit carries: its send time in µs (steady clock).
inline constexpr const char* t0_key = "bench_t0_us";

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

inline build_fn queue_snapshot(const std::string& queue) {
  return make([queue](fbb& b) { return wire::CreateQueueSnapshotDirect(b, queue.c_str(), 0, 1); });
}

/// The t0_key property of an interaction (0 when absent).
inline std::uint64_t t0_of(const wire::InteractionInfo* info) {
  return static_cast<std::uint64_t>(number_of(info, t0_key, 0));
}

} // namespace parley::bench::msg
