// Fuzz target: arbitrary bytes through the frame reader (in random-sized reads) and the
// decoder, as a session sees them. Must never crash, hang or allocate beyond the limit.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "protocol/codec.hpp"
#include "protocol/frame_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley;
  constexpr std::size_t max_frame = 64 * 1024;
  protocol::frame_reader reader{max_frame, 4096};
  std::size_t off = 0;
  // The first byte picks the read size, so the fuzzer explores partial frames too.
  std::size_t chunk = size > 0 ? 1 + data[0] * 16 : 1;
  while (off < size) {
    auto buf = reader.prepare();
    auto n = std::min({buf.size(), chunk, size - off});
    std::memcpy(buf.data(), data + off, n);
    reader.commit(n);
    off += n;
    std::span<const std::uint8_t> frame;
    for (;;) {
      auto st = reader.next(frame);
      if (st == protocol::frame_status::too_large)
        return 0;  // a session closes here
      if (st == protocol::frame_status::need_more)
        break;
      if (auto d = protocol::decode(frame)) {
        // Touch what a session reads of a verified envelope.
        (void)d.envelope->ref();
        (void)d.envelope->message_type();
      }
    }
    if (reader.capacity() > max_frame + 4 + 64 * 1024)
      __builtin_trap();  // the buffer grew beyond the frame limit
  }
  return 0;
}
