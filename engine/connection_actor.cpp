#include "engine/connection_actor.hpp"
#include "engine/connection_state.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "engine/bridge.hpp"
#include "protocol/codec.hpp"

namespace parley::engine {

namespace {

void on_register(connection_self self,
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
        st.registered = true;
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

/// Polls the session's backlog while notifications are held (a few ms apart).
void arm_poll(connection_self self) {
  if (self->state.poll_armed)
    return;
  self->state.poll_armed = true;
  self->delayed_send(self, std::chrono::milliseconds{2}, nflush_atom_v, true);
}

/// Posts the replayer's waiting events if the peer's output has room, and answers it; else
/// looks again in a few ms.
void post_replay(connection_self self) {
  auto& st = self->state;
  if (st.replay_waiting.empty())
    return;
  if (st.link.backlog() >= st.watermark()) {
    self->delayed_send(self, std::chrono::milliseconds{2}, replay_atom_v);
    return;
  }
  std::vector<std::uint8_t> bytes;
  for (auto& f : st.replay_waiting)
    bytes.insert(bytes.end(), f.begin(), f.end());
  st.link.events(std::move(bytes), st.replay_waiting.size());
  st.replay_waiting.clear();
  st.replay_done.deliver(caf::ok_atom_v);
}

connection_actor::behavior_type connection(connection_self self, session_link link,
                                          connection_setup setup) {
  self->state.link = std::move(link);
  self->state.setup = std::move(setup);
  self->set_down_handler([=](caf::down_msg& dm) {
    // Our agent was logged out from elsewhere (a forced second login): this desktop has
    // no agent any more and may log one in again.
    auto& st = self->state;
    if (st.agent_handle && dm.source == st.agent_handle.address()) {
      st.agent_handle = nullptr;
      st.agent.clear();
      return;
    }
    // A calculation ended without our asking: tell the client, for each statistic on it.
    st.watching.erase(dm.source.id());
    auto code = dm.reason == caf::exit_reason::user_shutdown ? wire::ErrorCode::draining
                                                             : wire_code(dm.reason);
    for (auto it = st.stats.begin(); it != st.stats.end();) {
      if (it->second.address() != dm.source) {
        ++it;
        continue;
      }
      auto& fbb = st.enc.start();
      auto text = fbb.CreateString(describe(dm.reason));
      st.link.event(protocol::to_bytes(st.enc.finish(0, wire::CreateStatError(fbb, it->first, code, text))));
      it = st.stats.erase(it);
    }
  });
  return {
    [=](request_atom, const request_frame& frame) {
      // The session verified this frame before forwarding it.
      auto* env = protocol::envelope_of(frame);
      switch (env->message_type()) {
        case wire::Message::Register:
          on_register(self, *env->message_as_Register());
          return;
        default:
          if (!self->state.registered)
            self->state.fail(env->ref(), wire::ErrorCode::not_registered, "register first");
          else
            dispatch(self, *env);
      }
    },
    [=](event_atom, const frame& ev) {
      // Forget interactions that are over for this client (see connection_state::known).
      auto* env = protocol::envelope_of(ev);
      if (auto* s = env->message_as_ProcessingStopped())
        self->state.known.erase(s->interaction_id());
      else if (auto* r = env->message_as_Revoked())
        self->state.known.erase(r->interaction_id());
      self->state.link.event(ev);
    },
    [=](event_atom, const frame& ev, const caf::actor_addr& inter) {
      if (auto* inv = protocol::envelope_of(ev)->message_as_Invite(); inv && inv->info())
        self->state.remember(inv->info()->id(), inter);
      self->state.link.event(ev);
    },
    [=](closed_atom) {
      // Always: a registration may still be on its way, and the directory handles this
      // message after it (CAF keeps the order of messages between two actors).
      auto& st = self->state;
      self->send(st.setup.directory, unreg_atom_v, st.setup.info.session_id);
      if (st.agent_handle)  // a desktop that goes away logs its agent out
        caf::anon_send(st.agent_handle, logout_atom_v, true);
      if (st.setup.domain)
        caf::anon_send(st.setup.domain->bus, caf::leave_atom_v, caf::actor_cast<client_actor>(self));
      if (st.replayer)
        caf::anon_send_exit(st.replayer, caf::exit_reason::user_shutdown);
      // Every statistic this client opened ends with it (the stats hub monitors us).
      st.stats.clear();
      st.held.clear();
      st.held_at.clear();
      self->quit();
    },
    [=](notify_atom, std::uint64_t id, frame& f, bool latest_wins) {
      auto& st = self->state;
      if (!st.stats.count(id))
        return;  // closed meanwhile
      if (st.held.empty() && st.link.backlog() + st.batch.size() < st.watermark()) {
        st.batch.insert(st.batch.end(), f.begin(), f.end());
        ++st.batch_frames;
        if (!st.flush_sent) {
          st.flush_sent = true;
          self->send(self, nflush_atom_v, false);  // after what is in the mailbox now
        }
        return;
      }
      if (latest_wins) {
        if (auto it = st.held_at.find(id); it != st.held_at.end()) {
          st.held[it->second].bytes = std::move(f);
          st.setup.domain->metrics->stats_coalesced.fetch_add(1, std::memory_order_relaxed);
          return;
        }
      }
      st.held.push_back({id, std::move(f), latest_wins});
      st.index_held(st.held.size() - 1);
      arm_poll(self);
    },
    [=](replay_atom, std::vector<frame>& frames) -> caf::result<caf::ok_atom> {
      // One page at a time: the replayer waits for the answer before it reads the next.
      auto& st = self->state;
      st.replay_waiting = std::move(frames);
      st.replay_done = self->make_response_promise<caf::ok_atom>();
      auto rp = st.replay_done;
      post_replay(self);
      return rp;
    },
    [=](replay_atom) { post_replay(self); },
    [=](nflush_atom, bool timer) {
      auto& st = self->state;
      if (timer)
        st.poll_armed = false;
      else
        st.flush_sent = false;
      // Held notifications after the batch (it is older), as far as the output has room.
      std::size_t moved = 0;
      while (moved < st.held.size() && st.link.backlog() + st.batch.size() < st.watermark()) {
        auto& f = st.held[moved++].bytes;
        st.batch.insert(st.batch.end(), f.begin(), f.end());
        ++st.batch_frames;
      }
      if (moved > 0) {
        st.held.erase(st.held.begin(), st.held.begin() + static_cast<std::ptrdiff_t>(moved));
        st.held_at.clear();
        st.index_held(0);
      }
      if (!st.batch.empty()) {
        st.link.events(std::move(st.batch), st.batch_frames);
        st.batch = {};
        st.batch_frames = 0;
      }
      if (!st.held.empty())
        arm_poll(self);
    },
  };
}

} // namespace

connection_actor spawn_connection(caf::actor_system& sys, session_link link, connection_setup setup) {
  return sys.spawn(connection, std::move(link), std::move(setup));
}

} // namespace parley::engine
