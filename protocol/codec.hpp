// codec: turns messages into frames and frames back into verified envelopes.
//
// encoder wraps a reusable FlatBufferBuilder: build the message in start(), then
// finish() it into a size-prefixed frame (prefix included) that stays valid until the
// next use of the encoder. decode() runs the FlatBuffers Verifier over a frame body and
// checks what the verifier cannot: the identifier, the envelope version and that the
// union member is one this build knows. No CAF, no Asio: the engine, the client library,
// tests and benchmarks all share this code.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/wire.hpp"

namespace parley::protocol {

/// An owned frame including its length prefix.
using frame_bytes = std::vector<std::uint8_t>;

class encoder {
public:
  explicit encoder(std::size_t initial_bytes = 1024) : fbb_(initial_bytes) {}

  /// Clears the builder and returns it, to create one message in.
  flatbuffers::FlatBufferBuilder& start() noexcept {
    fbb_.Clear();
    return fbb_;
  }

  /// Wraps msg in an envelope with reference id ref and finishes the frame.
  template <class T>
  std::span<const std::uint8_t> finish(std::uint64_t ref, flatbuffers::Offset<T> msg) {
    return finish_raw(ref, wire::MessageTraits<T>::enum_value, msg.Union());
  }

  /// Same as finish() for a type chosen at run time.
  std::span<const std::uint8_t> finish_raw(std::uint64_t ref, wire::Message type,
                                           flatbuffers::Offset<void> msg);

  // -- the session family, ready-made ---------------------------------------

  std::span<const std::uint8_t> ping(std::uint64_t ref, std::uint64_t payload);
  std::span<const std::uint8_t> pong(std::uint64_t ref, std::uint64_t payload);
  std::span<const std::uint8_t> ack(std::uint64_t ref);
  /// `primary`: where the primary is, with not_primary (docs/ha.md).
  std::span<const std::uint8_t> error(std::uint64_t ref, wire::ErrorCode code,
                                      std::string_view text, std::string_view primary = {});
  std::span<const std::uint8_t> register_client(std::uint64_t ref, std::string_view name,
                                                wire::ClientType type,
                                                std::string_view credential,
                                                std::uint32_t version = protocol_version);

private:
  flatbuffers::FlatBufferBuilder fbb_;
};

/// This thread's encoder, for actors that encode an event now and then: one builder per
/// interaction kept 1 KiB each while it waited (heaptrack, docs/benchmarks.md). What it
/// encodes is valid until its next use on this thread: copy the frame out (to_bytes)
/// before encoding the next one.
encoder& scratch_encoder();

/// The outcome of decode(): an envelope, or the error code and text to answer with.
struct decoded {
  const wire::Envelope* envelope = nullptr;
  wire::ErrorCode error = wire::ErrorCode::none;
  const char* reason = "";

  explicit operator bool() const noexcept { return envelope != nullptr; }
};

/// Verifies one whole frame (length prefix included; the prefix must match its size).
decoded decode(std::span<const std::uint8_t> frame);

/// The envelope of a frame that decode() accepted before.
inline const wire::Envelope* envelope_of(std::span<const std::uint8_t> frame) {
  return wire::GetSizePrefixedEnvelope(frame.data());
}

/// Copies a finished frame into an owned buffer.
inline frame_bytes to_bytes(std::span<const std::uint8_t> frame) {
  return {frame.begin(), frame.end()};
}

/// The text of an optional string field: "" when it is absent.
inline std::string text_of(const flatbuffers::String* s) {
  return s ? s->str() : std::string{};
}

} // namespace parley::protocol
