// frame_reader: splits a TCP byte stream into size-prefixed frames.
//
// A frame is [u32 little-endian length][length bytes]. The reader owns one buffer per
// connection; the caller reads from the socket into prepare(), reports the byte count
// with commit(), then takes frames with next() until it says need_more. A length above
// the configured maximum is reported before a single byte is allocated for it, so a
// hostile 1 GiB prefix costs nothing. The buffer shrinks back after a large frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace parley::protocol {

/// Bytes of the length prefix in front of every frame.
inline constexpr std::size_t prefix_bytes = 4;

/// What next() found in the buffered bytes.
enum class frame_status {
  ok,         ///< a complete frame was returned
  need_more,  ///< read more bytes first
  too_large,  ///< the announced length exceeds the maximum: close the connection
};

class frame_reader {
public:
  explicit frame_reader(std::size_t max_frame_bytes, std::size_t initial_bytes = 16 * 1024);

  /// Free space to read into; never empty.
  std::span<std::uint8_t> prepare();

  /// Marks n bytes of the last prepare() span as filled.
  void commit(std::size_t n);

  /// Takes the next complete frame, length prefix included (FlatBuffers verifies a
  /// size-prefixed buffer as a whole, so alignment stays relative to the prefix), starting
  /// at an 8-byte aligned address. The span stays valid until the next call of next() or
  /// prepare().
  frame_status next(std::span<const std::uint8_t>& frame);

  /// The largest frame it accepts.
  std::size_t max_frame() const noexcept { return max_frame_bytes_; }

  /// The length announced by the frame that next() rejected as too large.
  std::uint32_t announced() const noexcept { return announced_; }

  /// Bytes currently buffered and not yet returned as frames.
  std::size_t buffered() const noexcept { return end_ - begin_; }

  /// Bytes held by the buffer (capacity), for memory accounting.
  std::size_t capacity() const noexcept { return buf_.size(); }

private:
  void compact();

  std::vector<std::uint8_t> buf_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t max_frame_bytes_;
  std::size_t initial_bytes_;
  std::uint32_t announced_ = 0;
};

/// Reads a little-endian u32 length prefix.
inline std::uint32_t read_prefix(const std::uint8_t* p) noexcept {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16
         | std::uint32_t{p[3]} << 24;
}

} // namespace parley::protocol
