#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include "protocol/codec.hpp"
#include "protocol/frame_reader.hpp"

using namespace parley;

namespace {

/// Feeds `stream` to a reader in chunks of `chunk` bytes; returns the frames' sizes.
std::vector<std::size_t> feed(protocol::frame_reader& r, const std::vector<std::uint8_t>& stream,
                              std::size_t chunk) {
  std::vector<std::size_t> sizes;
  std::size_t off = 0;
  while (off < stream.size()) {
    auto buf = r.prepare();
    auto n = std::min({buf.size(), chunk, stream.size() - off});
    std::memcpy(buf.data(), stream.data() + off, n);
    r.commit(n);
    off += n;
    std::span<const std::uint8_t> body;
    while (r.next(body) == protocol::frame_status::ok) {
      CHECK(protocol::decode(body));
      sizes.push_back(body.size());
    }
  }
  return sizes;
}

std::vector<std::uint8_t> frames(int count) {
  protocol::encoder enc;
  std::vector<std::uint8_t> out;
  for (int i = 0; i < count; ++i) {
    auto f = enc.register_client(i + 1, std::string(static_cast<std::size_t>(i * 37 % 5000), 'x'),
                                 wire::ClientType::router, "");
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

} // namespace

TEST_CASE("frame_reader splits a stream at any chunk size") {
  auto stream = frames(60);
  for (std::size_t chunk : {1u, 3u, 4u, 5u, 100u, 4096u, 70000u}) {
    protocol::frame_reader r{1 << 20};
    auto sizes = feed(r, stream, chunk);
    CHECK(sizes.size() == 60);
    CHECK(r.buffered() == 0);
  }
}

TEST_CASE("frame_reader rejects an oversized length before allocating for it") {
  protocol::frame_reader r{1024};
  auto buf = r.prepare();
  auto before = r.capacity();
  std::uint8_t gib[4] = {0x00, 0x00, 0x00, 0x40};  // 1 GiB
  std::memcpy(buf.data(), gib, 4);
  r.commit(4);
  std::span<const std::uint8_t> body;
  CHECK(r.next(body) == protocol::frame_status::too_large);
  CHECK(r.announced() == (1u << 30));
  CHECK(r.capacity() == before);
}

TEST_CASE("frame_reader waits for a truncated frame and shrinks after a large one") {
  protocol::frame_reader r{1 << 20, 4096};
  protocol::encoder enc;
  auto big = protocol::to_bytes(
    enc.register_client(1, std::string(200'000, 'n'), wire::ClientType::admin, ""));
  // All but the last byte: nothing comes out yet.
  std::vector<std::uint8_t> partial(big.begin(), big.end() - 1);
  CHECK(feed(r, partial, 8192).empty());
  CHECK(r.buffered() == partial.size());
  CHECK(feed(r, {big.back()}, 1).size() == 1);
  CHECK(r.capacity() >= big.size());
  r.prepare();
  CHECK(r.capacity() < 64 * 1024);
}

TEST_CASE("frame_reader survives random bytes") {
  std::mt19937 rng{7};
  for (int round = 0; round < 200; ++round) {
    protocol::frame_reader r{4096};
    std::vector<std::uint8_t> junk(rng() % 9000);
    for (auto& b : junk)
      b = static_cast<std::uint8_t>(rng());
    std::size_t off = 0;
    bool stop = false;
    while (off < junk.size() && !stop) {
      auto buf = r.prepare();
      auto n = std::min<std::size_t>({buf.size(), junk.size() - off, 1 + rng() % 700});
      std::memcpy(buf.data(), junk.data() + off, n);
      r.commit(n);
      off += n;
      std::span<const std::uint8_t> body;
      for (;;) {
        auto st = r.next(body);
        if (st == protocol::frame_status::too_large)
          stop = true;
        if (st != protocol::frame_status::ok)
          break;
        CHECK(body.size() <= 4096 + protocol::prefix_bytes);
        (void)protocol::decode(body);  // must not crash, whatever the bytes
      }
    }
    CHECK(r.capacity() <= 4096 + 4 + 16 * 1024);
  }
}
