// The campaigns' list store (list_store_actor.hpp): leases and attempt history on demand,
// writes buffered and committed in groups.
#include "actors/outbound/list_store_actor.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"
#include "storage/store.hpp"

namespace parley::outbound {

namespace {

struct list_store_state {
  std::shared_ptr<storage::store> store;
  list_store_config cfg;
  std::vector<storage::record_row> updates;
  std::vector<storage::attempt_row> attempts;
  std::vector<storage::denial_row> denials;
  std::vector<storage::record_action_row> actions;
  bool timer = false;
  std::chrono::milliseconds backoff{0};
  static inline const char* name = "list_store";

  std::size_t pending() const {
    return updates.size() + attempts.size() + denials.size() + actions.size();
  }

  /// Commits what waits; false (and everything kept) when the database refuses.
  bool flush() {
    try {
      auto& ob = store->outbound();
      if (!attempts.empty())
        ob.insert_attempts(attempts);
      attempts.clear();
      if (!updates.empty())
        ob.update_records(updates);
      updates.clear();
      if (!denials.empty())
        ob.insert_denials(denials);
      denials.clear();
      if (!actions.empty())
        ob.insert_record_actions(actions);
      actions.clear();
      backoff = std::chrono::milliseconds{0};
      return true;
    } catch (const storage::storage_error& e) {
      backoff = std::clamp(backoff * 2, std::chrono::milliseconds{50}, std::chrono::milliseconds{5000});
      spdlog::error("outbound list store: {} ({} writes kept, retrying in {} ms)", e.what(),
                    pending(), backoff.count());
      return false;
    }
  }
};

using list_store_self = list_store_actor::stateful_pointer<list_store_state>;

void arm(list_store_self self) {
  auto& st = self->state;
  if (st.timer)
    return;
  st.timer = true;
  self->delayed_send(self, std::max(st.cfg.flush, st.backoff), tick_atom_v);
}

template <class Row>
void add(list_store_self self, std::vector<Row>& to, Row&& row) {
  to.push_back(std::move(row));
  if (self->state.pending() >= self->state.cfg.batch && self->state.backoff.count() == 0)
    self->state.flush();
  if (self->state.pending() > 0)
    arm(self);
}

/// A read of what is committed — after committing what waits, so it sees that too.
template <class F>
auto read(list_store_self self, F f) -> caf::result<decltype(f(std::declval<storage::outbound_store&>()))> {
  auto& st = self->state;
  if (st.pending() > 0 && !st.flush())
    return caf::make_error(wire::ErrorCode::storage_unavailable, "contact lists unavailable");
  try {
    return f(st.store->outbound());
  } catch (const storage::storage_error& e) {
    return caf::make_error(wire::ErrorCode::storage_unavailable, e.what());
  }
}

list_store_actor::behavior_type list_store(list_store_self self, std::shared_ptr<storage::store> store, list_store_config cfg) {
  self->state.store = std::move(store);
  self->state.cfg = cfg;
  harden(self);
  self->set_exit_handler([=](caf::exit_msg& m) {
    // Stopped by the engine: what waits is committed before the connection closes.
    auto& st = self->state;
    if (st.pending() > 0 && !st.flush())
      spdlog::error("outbound list store: {} writes could not be committed at shutdown",
                    st.pending());
    self->quit(m.reason);
  });
  return {
    [=](lookup_atom, const std::string& name) -> caf::result<std::uint64_t> {
      try {
        if (auto l = self->state.store->outbound().list(name))
          return l->id;
        return caf::make_error(wire::ErrorCode::unknown_id, "no contact list named " + name);
      } catch (const storage::storage_error& e) {
        return caf::make_error(wire::ErrorCode::storage_unavailable, e.what());
      }
    },
    [=](lease_atom, std::uint64_t list, std::uint32_t n, std::int64_t now_ms,
        std::uint8_t order) -> caf::result<std::vector<storage::record_row>> {
      return read(self, [&](storage::outbound_store& ob) {
        return ob.lease(list, n, now_ms, static_cast<storage::lease_order>(order));
      });
    },
    [=](attempt_atom, std::uint64_t record, const std::string& customer,
        std::int64_t since_ms) -> caf::result<std::vector<std::int64_t>, std::vector<std::int64_t>> {
      auto& st = self->state;
      if (st.pending() > 0 && !st.flush())
        return caf::make_error(wire::ErrorCode::storage_unavailable, "contact lists unavailable");
      try {
        // One row at dial (no result yet) and one with the result: the dial rows count.
        std::vector<std::int64_t> r, c;
        for (auto& a : st.store->outbound().record_attempts(record, since_ms))
          if (a.call_result == 0)
            r.push_back(a.started_ms);
        if (!customer.empty())
          for (auto& a : st.store->outbound().customer_attempts(customer, since_ms))
            if (a.call_result == 0)
              c.push_back(a.started_ms);
        return caf::make_result(std::move(r), std::move(c));
      } catch (const storage::storage_error& e) {
        return caf::make_error(wire::ErrorCode::storage_unavailable, e.what());
      }
    },
    [=](audit_atom, const std::string& campaign,
        std::int64_t since_ms) -> caf::result<std::vector<storage::answer_hour>> {
      return read(self, [&](storage::outbound_store& ob) { return ob.answer_hours(campaign, since_ms); });
    },
    [=](audit_atom, const std::string& campaign, std::int64_t since_ms,
        std::int64_t until_ms) -> caf::result<storage::attempt_audit> {
      return read(self, [&](storage::outbound_store& ob) { return ob.audit(campaign, since_ms, until_ms); });
    },
    [=](count_atom, std::uint64_t list,
        std::int64_t now_ms) -> caf::result<storage::list_remaining> {
      return read(self, [&](storage::outbound_store& ob) { return ob.remaining(list, now_ms); });
    },
    [=](outcome_atom, storage::record_row& r) { add(self, self->state.updates, std::move(r)); },
    [=](attempt_atom, storage::attempt_row& r) { add(self, self->state.attempts, std::move(r)); },
    [=](denial_atom, storage::denial_row& r) { add(self, self->state.denials, std::move(r)); },
    [=](action_atom, storage::record_action_row& r) { add(self, self->state.actions, std::move(r)); },
    [=](action_atom, const std::string& campaign,
        std::uint32_t limit) -> caf::result<std::vector<storage::record_action_row>> {
      return read(self, [&](storage::outbound_store& ob) { return ob.record_actions(campaign, limit); });
    },
    [=](chain_atom, std::uint64_t list, std::uint64_t chain, std::uint32_t n, std::int64_t now,
        bool close) {
      // One per final result of a chained record: committed at once, after what waits.
      auto& st = self->state;
      try {
        if (st.pending() > 0)
          st.flush();
        if (close)
          st.store->outbound().close_chain(list, chain);
        else
          st.store->outbound().release_chain_next(list, chain, n, now);
      } catch (const storage::storage_error& e) {
        spdlog::error("outbound list store: chain {} of list {}: {}", chain, list, e.what());
      }
    },
    [=](tick_atom) {
      auto& st = self->state;
      st.timer = false;
      if (st.pending() > 0 && !st.flush())
        arm(self);
    },
    [=](sync_atom) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (st.pending() > 0 && !st.flush())
        return caf::make_error(wire::ErrorCode::storage_unavailable, "contact lists unavailable");
      return caf::ok_atom_v;
    },
  };
}

} // namespace

list_store_actor spawn_list_store(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                                  list_store_config cfg, actor_placement where) {
  if (where == actor_placement::scheduled)
    return sys.spawn(list_store, std::move(store), cfg);
  return sys.spawn<caf::detached>(list_store, std::move(store), cfg);
}

} // namespace parley::outbound
