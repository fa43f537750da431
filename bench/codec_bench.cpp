// Envelope encode/decode: the cost every frame pays on both sides of a connection.
#include <benchmark/benchmark.h>

#include "protocol/codec.hpp"
#include "protocol/frame_reader.hpp"

namespace {

using namespace parley;

void encode_ping(benchmark::State& state) {
  protocol::encoder enc;
  std::uint64_t ref = 0;
  for (auto _ : state) {
    ++ref;
    auto frame = enc.ping(ref, ref);
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(encode_ping);

void encode_register(benchmark::State& state) {
  protocol::encoder enc;
  std::uint64_t ref = 0;
  for (auto _ : state) {
    auto frame = enc.register_client(++ref, "desktop-0042", wire::ClientType::agent_desktop,
                                     "a-token-of-realistic-length-0123456789");
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(encode_register);

void decode_verify(benchmark::State& state, bool large) {
  protocol::encoder enc;
  auto frame = large ? protocol::to_bytes(enc.register_client(
                         7, std::string(200, 'n'), wire::ClientType::router, std::string(200, 'c')))
                     : protocol::to_bytes(enc.ping(7, 42));
  std::span<const std::uint8_t> body{frame};
  for (auto _ : state) {
    auto d = protocol::decode(body);
    benchmark::DoNotOptimize(d.envelope);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK_CAPTURE(decode_verify, ping, false);
BENCHMARK_CAPTURE(decode_verify, register_400b, true);

// A read of 64 KiB worth of pings split into frames and verified, as a session does.
void frame_reader_pings(benchmark::State& state) {
  protocol::encoder enc;
  std::vector<std::uint8_t> stream;
  while (stream.size() < 64 * 1024) {
    auto f = enc.ping(stream.size() + 1, 0);
    stream.insert(stream.end(), f.begin(), f.end());
  }
  protocol::frame_reader reader{1024 * 1024};
  std::int64_t frames = 0;
  for (auto _ : state) {
    std::size_t off = 0;
    while (off < stream.size()) {
      auto buf = reader.prepare();
      auto n = std::min(buf.size(), stream.size() - off);
      std::memcpy(buf.data(), stream.data() + off, n);
      reader.commit(n);
      off += n;
      std::span<const std::uint8_t> body;
      while (reader.next(body) == protocol::frame_status::ok) {
        benchmark::DoNotOptimize(protocol::decode(body).envelope);
        ++frames;
      }
    }
  }
  state.SetItemsProcessed(frames);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(frame_reader_pings);

} // namespace
