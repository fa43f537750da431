#include "engine/connection_actor.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "engine/bridge.hpp"
#include "protocol/codec.hpp"

namespace parley::engine {

struct connection_state {
  session_link link;
  connection_setup setup;
  protocol::encoder enc;
  static inline const char* name = "connection";

  /// Answers one request with an error frame.
  void fail(std::uint64_t ref, wire::ErrorCode code, const std::string& text) {
    link.answer(protocol::to_bytes(enc.error(ref, code, text)));
  }
};

namespace {

void on_register(connection_actor::stateful_pointer<connection_state> self,
                 const wire::Register& reg) {
  auto& st = self->state;
  auto info = st.setup.info;
  info.name = reg.client_name() ? reg.client_name()->str() : std::string{};
  info.type = reg.client_type();
  info.credential = reg.credential() ? reg.credential()->str() : std::string{};
  info.protocol_version = reg.protocol_version();
  self->request(st.setup.directory, st.setup.request_timeout, register_atom_v, info)
    .then(
      [=](std::uint64_t) {
        auto& st = self->state;
        st.setup.info = info;
        st.setup.info.credential.clear();
        st.link.admitted(st.setup.info);
      },
      [=](caf::error& err) {
        spdlog::info("session {}: registration of \"{}\" refused: {}", info.session_id, info.name,
                     describe(err));
        self->state.link.refused(wire_code(err), error_text(err));
      });
}

connection_actor::behavior_type
connection(connection_actor::stateful_pointer<connection_state> self, session_link link,
           connection_setup setup) {
  self->state.link = std::move(link);
  self->state.setup = std::move(setup);
  return {
    [=](request_atom, const request_frame& frame) {
      // The session verified this frame before forwarding it.
      auto* env = protocol::envelope_of(frame);
      switch (env->message_type()) {
        case wire::Message::Register:
          on_register(self, *env->message_as_Register());
          return;
        default:
          // No family beyond the session family is served yet.
          self->state.fail(env->ref(), wire::ErrorCode::unknown_message,
                           std::string{"no handler for "} + wire::EnumNameMessage(env->message_type()));
      }
    },
    [=](closed_atom) {
      // Always: a registration may still be on its way, and the directory handles this
      // message after it (CAF keeps the order of messages between two actors).
      auto& st = self->state;
      self->send(st.setup.directory, unreg_atom_v, st.setup.info.session_id);
      self->quit();
    },
  };
}

} // namespace

connection_actor spawn_connection(caf::actor_system& sys, session_link link, connection_setup setup) {
  return sys.spawn(connection, std::move(link), std::move(setup));
}

} // namespace parley::engine
