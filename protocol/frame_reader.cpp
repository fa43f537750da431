#include "protocol/frame_reader.hpp"

#include <algorithm>
#include <cstring>

namespace parley::protocol {

namespace {
// Every read gets at least this much room, so small frames never force a resize.
constexpr std::size_t min_free = 4096;
} // namespace

frame_reader::frame_reader(std::size_t max_frame_bytes, std::size_t initial_bytes)
  : max_frame_bytes_(max_frame_bytes), initial_bytes_(std::max(initial_bytes, min_free)) {
}

void frame_reader::compact() {
  if (begin_ == 0)
    return;
  std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

std::span<std::uint8_t> frame_reader::prepare() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
    // Give back what one large frame made us allocate.
    if (buf_.size() > 4 * initial_bytes_) {
      buf_.resize(initial_bytes_);
      buf_.shrink_to_fit();
    }
  }
  // The capacity the partial frame at begin_ needs; its length was checked by next().
  std::size_t want = end_ - begin_ + min_free;
  if (end_ - begin_ >= prefix_bytes)
    want = std::max(want, prefix_bytes + read_prefix(buf_.data() + begin_));
  if (buf_.size() - end_ < min_free || buf_.size() - begin_ < want)
    compact();
  if (buf_.size() < want)
    buf_.resize(std::max({want, initial_bytes_, std::min(buf_.size() * 2, want + min_free)}));
  if (buf_.size() == end_)
    buf_.resize(buf_.size() + min_free);
  return {buf_.data() + end_, buf_.size() - end_};
}

void frame_reader::commit(std::size_t n) {
  end_ += n;
}

frame_status frame_reader::next(std::span<const std::uint8_t>& frame) {
  if (end_ - begin_ < prefix_bytes)
    return frame_status::need_more;
  auto len = read_prefix(buf_.data() + begin_);
  if (len > max_frame_bytes_) {
    announced_ = len;
    return frame_status::too_large;
  }
  if (end_ - begin_ - prefix_bytes < len)
    return frame_status::need_more;
  // FlatBuffers reads scalars in place: a frame must start 8-byte aligned. Well-formed
  // frames are multiples of 8 bytes long and stay aligned; after an odd-sized (hostile)
  // frame the rest is moved once to the aligned start of the buffer.
  if (reinterpret_cast<std::uintptr_t>(buf_.data() + begin_) % 8 != 0)
    compact();
  frame = {buf_.data() + begin_, prefix_bytes + len};
  begin_ += prefix_bytes + len;
  return frame_status::ok;
}

} // namespace parley::protocol
