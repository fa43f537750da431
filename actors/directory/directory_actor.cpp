#include "actors/directory/directory_actor.hpp"

#include <algorithm>
#include <unordered_map>

#include <caf/all.hpp>

namespace parley {

struct directory_state {
  token_map tokens;
  std::unordered_map<std::uint64_t, client_info> clients;
  client_counts counts = client_counts(static_cast<std::size_t>(wire::ClientType::MAX) + 1, 0);
  static inline const char* name = "directory";
};

bool same_secret(const std::string& a, const std::string& b) noexcept {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::string& probe = a.size() == b.size() ? b : a;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ probe[i]);
  return diff == 0;
}

namespace {

directory_actor::behavior_type directory(directory_actor::stateful_pointer<directory_state> self,
                                         token_map tokens) {
  self->state.tokens = std::move(tokens);
  return {
    [=](register_atom, client_info& info) -> caf::result<std::uint64_t> {
      auto& st = self->state;
      if (info.protocol_version != protocol::protocol_version)
        return caf::make_error(wire::ErrorCode::unsupported_version,
                               "the engine speaks protocol version "
                                 + std::to_string(protocol::protocol_version) + ", not "
                                 + std::to_string(info.protocol_version));
      if (info.type == wire::ClientType::unknown || info.type > wire::ClientType::MAX)
        return caf::make_error(wire::ErrorCode::wrong_client_type, "unknown client type");
      if (auto it = st.tokens.find(info.type); it != st.tokens.end()
                                               && !same_secret(it->second, info.credential))
        return caf::make_error(wire::ErrorCode::bad_credential,
                               std::string{"wrong credential for "}
                                 + protocol::client_type_name(info.type));
      if (st.clients.count(info.session_id))
        return caf::make_error(wire::ErrorCode::already_registered, "session already registered");
      info.credential.clear();  // never kept in memory longer than needed
      ++st.counts[static_cast<std::size_t>(info.type)];
      auto id = info.session_id;
      st.clients.emplace(id, std::move(info));
      return id;
    },
    [=](unreg_atom, std::uint64_t session_id) {
      auto& st = self->state;
      if (auto it = st.clients.find(session_id); it != st.clients.end()) {
        --st.counts[static_cast<std::size_t>(it->second.type)];
        st.clients.erase(it);
      }
    },
    [=](caf::update_atom, token_map& tokens) { self->state.tokens = std::move(tokens); },
    [=](count_atom) { return self->state.counts; },
    [=](snapshot_atom) {
      std::vector<client_info> out;
      for (auto& [id, c] : self->state.clients)
        out.push_back(c);
      std::sort(out.begin(), out.end(),
                [](auto& a, auto& b) { return a.session_id < b.session_id; });
      return out;
    },
  };
}

} // namespace

directory_actor spawn_directory(caf::actor_system& sys, token_map tokens) {
  return sys.spawn(directory, std::move(tokens));
}

} // namespace parley
