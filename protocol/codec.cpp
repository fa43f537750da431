#include "protocol/codec.hpp"

#include "protocol/frame_reader.hpp"

namespace parley::protocol {

const char* error_name(wire::ErrorCode code) noexcept {
  const char* name = wire::EnumNameErrorCode(code);
  return *name ? name : "unknown_error";
}

const char* client_type_name(wire::ClientType type) noexcept {
  const char* name = wire::EnumNameClientType(type);
  return *name ? name : "unknown";
}

// -- encoder ------------------------------------------------------------------

encoder& scratch_encoder() {
  thread_local encoder enc;
  return enc;
}

std::span<const std::uint8_t> encoder::finish_raw(std::uint64_t ref, wire::Message type,
                                                  flatbuffers::Offset<void> msg) {
  wire::EnvelopeBuilder env(fbb_);
  env.add_ref(ref);
  env.add_message(msg);
  env.add_version(envelope_version);
  env.add_message_type(type);
  wire::FinishSizePrefixedEnvelopeBuffer(fbb_, env.Finish());
  return {fbb_.GetBufferPointer(), fbb_.GetSize()};
}

std::span<const std::uint8_t> encoder::ping(std::uint64_t ref, std::uint64_t payload) {
  start();
  return finish(ref, wire::CreatePing(fbb_, payload));
}

std::span<const std::uint8_t> encoder::pong(std::uint64_t ref, std::uint64_t payload) {
  start();
  return finish(ref, wire::CreatePong(fbb_, payload));
}

std::span<const std::uint8_t> encoder::ack(std::uint64_t ref) {
  start();
  return finish(ref, wire::CreateAck(fbb_));
}

std::span<const std::uint8_t> encoder::error(std::uint64_t ref, wire::ErrorCode code,
                                             std::string_view text, std::string_view primary) {
  start();
  auto t = fbb_.CreateString(text.data(), text.size());
  flatbuffers::Offset<flatbuffers::String> p;
  if (!primary.empty())
    p = fbb_.CreateString(primary.data(), primary.size());
  return finish(ref, wire::CreateError(fbb_, code, t, p));
}

std::span<const std::uint8_t> encoder::register_client(std::uint64_t ref, std::string_view name,
                                                       wire::ClientType type,
                                                       std::string_view credential,
                                                       std::uint32_t version) {
  start();
  auto n = fbb_.CreateString(name.data(), name.size());
  auto c = fbb_.CreateString(credential.data(), credential.size());
  return finish(ref, wire::CreateRegister(fbb_, n, type, version, c));
}

// -- decoding -----------------------------------------------------------------

decoded decode(std::span<const std::uint8_t> frame) {
  decoded out;
  if (frame.size() < prefix_bytes + 8 || read_prefix(frame.data()) != frame.size() - prefix_bytes
      || !wire::EnvelopeBufferHasIdentifier(frame.data() + prefix_bytes)) {
    out.error = wire::ErrorCode::unverifiable;
    out.reason = "not a Parley envelope (missing \"PRLY\" identifier)";
    return out;
  }
  flatbuffers::Verifier verifier(frame.data(), frame.size());
  if (!wire::VerifySizePrefixedEnvelopeBuffer(verifier)) {
    out.error = wire::ErrorCode::unverifiable;
    out.reason = "the frame failed the FlatBuffers verifier";
    return out;
  }
  auto* env = wire::GetSizePrefixedEnvelope(frame.data());
  if (env->version() != envelope_version) {
    out.error = wire::ErrorCode::unsupported_version;
    out.reason = "unsupported envelope version";
    return out;
  }
  auto type = env->message_type();
  if (type == wire::Message::NONE || type > wire::Message::MAX || env->message() == nullptr) {
    out.error = wire::ErrorCode::unknown_message;
    out.reason = type == wire::Message::NONE ? "the envelope carries no message"
                                             : "unknown message type";
    return out;
  }
  out.envelope = env;
  return out;
}

} // namespace parley::protocol
