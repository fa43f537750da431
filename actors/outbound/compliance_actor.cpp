// The compliance actor (compliance_actor.hpp): suppression lookups, attempt history,
// the decision, its count and the stored denial.
#include "actors/outbound/compliance_actor.hpp"

#include <algorithm>
#include <deque>
#include <tuple>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/messages.hpp"
#include "actors/outbound/record_fields.hpp"
#include "actors/outbound/suppression.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"
#include "actors/runtime/metrics.hpp"
#include "storage/store.hpp"

namespace parley::outbound {

namespace {

using times = std::deque<std::int64_t>;

/// A record allowed under an attempt cap and not dialed yet: it counts as an attempt from
/// the check on (at `at`), so the records of one customer checked before any of them is
/// dialed cannot pass the cap together.
struct hold {
  std::string customer;
  std::int64_t at = 0;
};

/// Replaces (or, with `to` 0, removes) one occurrence of `from` in `t`; false if none.
bool replace_time(times& t, std::int64_t from, std::int64_t to) {
  auto it = std::find(t.begin(), t.end(), from);
  if (it == t.end())
    return false;
  if (to == 0)
    t.erase(it);
  else
    *it = to;
  return true;
}

struct compliance_state {
  std::shared_ptr<compliance_setup> env;
  std::unordered_map<std::uint64_t, times> by_record;
  std::unordered_map<std::string, times> by_customer;
  std::unordered_map<std::uint64_t, hold> holds;  ///< by record id
  std::int64_t horizon_ms = 0;  ///< the longest cap period seen (history older is dropped)
  std::uint64_t checks = 0;
  /// Opt-outs not on the list yet, by kind (checked with it); written every 100 ms.
  std::unordered_map<std::string, std::unordered_set<std::string>> opted_out;
  bool flush_armed = false;
  static inline const char* name = "compliance";

  /// On the do-not-call list, or opted out and about to be.
  bool listed(const std::string& kind, const std::string& value) {
    if (auto it = opted_out.find(kind); it != opted_out.end() && it->second.count(value))
      return true;
    return env->dnc->contains(kind, value);
  }

  /// The record's and customer's dial times, loaded from storage on first sight.
  std::pair<times*, times*> history(const storage::record_row& r, std::int64_t now) {
    auto rit = by_record.find(r.id);
    auto cit = r.customer_id.empty() ? by_customer.end() : by_customer.find(r.customer_id);
    if (rit == by_record.end() || (!r.customer_id.empty() && cit == by_customer.end())) {
      auto& ob = env->store->outbound();
      auto since = now - horizon_ms;
      if (rit == by_record.end()) {
        times t;
        for (auto& a : ob.record_attempts(r.id, since))
          if (a.call_result == 0)  // the row written at dial; the result row is not an attempt
            t.push_back(a.started_ms);
        rit = by_record.emplace(r.id, std::move(t)).first;
      }
      if (!r.customer_id.empty() && cit == by_customer.end()) {
        times t;
        for (auto& a : ob.customer_attempts(r.customer_id, since))
          if (a.call_result == 0)
            t.push_back(a.started_ms);
        cit = by_customer.emplace(r.customer_id, std::move(t)).first;
      }
    }
    return {&rit->second, r.customer_id.empty() ? nullptr : &cit->second};
  }

  /// The record's hold becomes its dial at `t` (0: it is dropped, nothing was dialed).
  /// False when the record had no hold.
  bool settle(std::uint64_t record, std::int64_t t) {
    auto h = holds.find(record);
    if (h == holds.end())
      return false;
    auto settle_in = [&](auto& m, const auto& key) {
      if (auto it = m.find(key); it != m.end() && !replace_time(it->second, h->second.at, t) && t)
        it->second.push_back(t);  // pruned meanwhile: the dial still counts
    };
    settle_in(by_record, record);
    if (!h->second.customer.empty())
      settle_in(by_customer, h->second.customer);
    holds.erase(h);
    return true;
  }

  /// Drops history past the horizon now and then (every 64k checks).
  void prune(std::int64_t now) {
    if (++checks % 65'536 != 0)
      return;
    auto old = now - horizon_ms;
    auto sweep = [old](auto& m) {
      for (auto it = m.begin(); it != m.end();) {
        while (!it->second.empty() && it->second.front() < old)
          it->second.pop_front();
        it = it->second.empty() ? m.erase(it) : std::next(it);
      }
    };
    sweep(by_record);
    sweep(by_customer);
  }
};

using compliance_self = compliance_actor::stateful_pointer<compliance_state>;

verdict check_one(compliance_self self, const std::string& campaign, const compliance_rules& rules,
                  const abandon_stats& abandon, const storage::record_row& r, std::int64_t now) {
  auto& st = self->state;
  auto& dnc = *st.env->dnc;
  check_input in;
  in.record = &r;
  in.now_ms = now;
  in.abandon = abandon;
  if (rules.media == "email") {
    in.no_address = !email_of(r, in.address);
    in.suppressed_kind = "email";
    in.phone_suppressed = !in.no_address && st.listed("email", in.address);
  } else {
    in.phone_suppressed = dnc.contains("phone", r.phone);
    if (!in.phone_suppressed && rules.media == "sms") {
      in.suppressed_kind = "sms";
      in.phone_suppressed = st.listed("sms", r.phone);
    }
  }
  in.customer_suppressed = !in.phone_suppressed && !r.customer_id.empty()
                           && dnc.contains("customer", r.customer_id);
  std::vector<std::int64_t> rec, cust;
  times* rt = nullptr;
  times* ct = nullptr;
  bool capped = rules.max_record_attempts || rules.max_customer_attempts;
  if (capped) {
    auto period = std::max(rules.record_period, rules.customer_period);
    st.horizon_ms = std::max<std::int64_t>(
      st.horizon_ms, std::chrono::duration_cast<std::chrono::milliseconds>(period).count());
    std::tie(rt, ct) = st.history(r, now);
    st.settle(r.id, 0);  // a hold its campaign never gave back (not expected): not an attempt
    rec.assign(rt->begin(), rt->end());
    if (ct)
      cust.assign(ct->begin(), ct->end());
    in.record_attempts = rec;
    in.customer_attempts = cust;
  }
  auto d = check(in, rules);
  if (capped && d.allowed()) {
    rt->push_back(now);
    if (ct)
      ct->push_back(now);
    st.holds[r.id] = hold{ct ? r.customer_id : std::string{}, now};
  }
  verdict v{static_cast<std::uint8_t>(d.reason), std::move(d.detail), d.retry_ms};
  static_assert(std::tuple_size_v<decltype(domain_metrics::compliance)>
                == static_cast<std::size_t>(deny_reason::no_address) + 1);
  st.env->metrics->compliance[v.reason].fetch_add(1, std::memory_order_relaxed);
  if (v.reason != 0) {
    storage::denial_row row{now, campaign, r.list_id, r.id, r.phone, r.customer_id,
                            to_name(d.reason), v.detail};
    self->send(st.env->list_store, denial_atom_v, std::move(row));
  }
  return v;
}

/// The opt-outs waiting go on the do-not-call list, one transaction per kind; on a storage
/// failure they wait for the next flush (checks still see them).
void flush_opt_outs(compliance_self self) {
  auto& st = self->state;
  st.flush_armed = false;
  for (auto it = st.opted_out.begin(); it != st.opted_out.end();) {
    try {
      st.env->dnc->add(it->first, {it->second.begin(), it->second.end()}, st.env->clk->now_ms());
      it = st.opted_out.erase(it);
    } catch (const std::exception& e) {
      spdlog::warn("compliance: {} opt-out(s) ({}) not on the do-not-call list yet: {}",
                   it->second.size(), it->first, e.what());
      ++it;
    }
  }
  if (!st.opted_out.empty()) {
    st.flush_armed = true;
    self->delayed_send(self, std::chrono::seconds{1}, caf::flush_atom_v);
  }
}

compliance_actor::behavior_type compliance(compliance_self self, std::shared_ptr<compliance_setup> env) {
  self->state.env = std::move(env);
  harden(self);
  self->set_exit_handler([=](caf::exit_msg& m) {
    if (m.reason == caf::exit_reason::normal)  // CAF's default: a normal end is no reason
      return;
    flush_opt_outs(self);  // the engine stops: no opt-out is lost
    self->quit(m.reason);
  });
  return {
    [=](check_atom, const std::string& campaign, const compliance_rules& rules,
        const abandon_stats& abandon,
        const std::vector<storage::record_row>& records) -> caf::result<std::vector<verdict>> {
      auto& st = self->state;
      auto now = st.env->clk->now_ms();
      std::vector<verdict> out;
      out.reserve(records.size());
      try {
        for (auto& r : records)
          out.push_back(check_one(self, campaign, rules, abandon, r, now));
      } catch (const std::exception& e) {
        // Redis or storage down: nothing can be said to be allowed (and the records go
        // back undialed: the ones allowed before the failure hold no attempt).
        for (auto& r : records)
          st.settle(r.id, 0);
        spdlog::error("compliance: {}", e.what());
        return caf::make_error(wire::ErrorCode::storage_unavailable,
                               std::string{"compliance check failed: "} + e.what());
      }
      st.prune(now);
      return out;
    },
    [=](attempt_atom, std::uint64_t record, const std::string& customer, std::int64_t t) {
      // A held record's hold becomes this dial. Otherwise only histories already loaded are
      // extended: the others are read when first needed (and by then storage has this dial).
      auto& st = self->state;
      if (st.settle(record, t))
        return;
      if (auto it = st.by_record.find(record); it != st.by_record.end())
        it->second.push_back(t);
      if (auto it = st.by_customer.find(customer); it != st.by_customer.end())
        it->second.push_back(t);
    },
    [=](caf::delete_atom, std::uint64_t record) {
      // Its campaign gave an allowed record back undialed: it holds no attempt.
      self->state.settle(record, 0);
    },
    // -- the do-not-call list (console) ---------------------------------------------------
    [=](caf::add_atom, const std::string& kind,
        const std::vector<std::string>& values) -> caf::result<std::uint64_t> {
      try {
        for (auto& v : values) {
          std::string normal;
          if (auto why = normalize_entry(kind, v, {}, normal); !why.empty())
            return caf::make_error(wire::ErrorCode::invalid_argument, why);
          if (normal != v)
            return caf::make_error(wire::ErrorCode::invalid_argument,
                                   "\"" + v + "\" is not as stored (" + normal + ")");
        }
        return self->state.env->dnc->add(kind, values, self->state.env->clk->now_ms());
      } catch (const std::exception& e) {
        return caf::make_error(wire::ErrorCode::invalid_argument, e.what());
      }
    },
    [=](caf::delete_atom, const std::string& kind, const std::string& value) -> caf::result<bool> {
      try {
        std::string normal;
        return self->state.env->dnc->remove(
          kind, normalize_entry(kind, value, {}, normal).empty() ? normal : value);
      } catch (const std::exception& e) {
        return caf::make_error(wire::ErrorCode::invalid_argument, e.what());
      }
    },
    [=](caf::get_atom, const std::string& kind, const std::string& value) -> caf::result<bool> {
      try {
        std::string normal;
        return self->state.listed(kind,
                                  normalize_entry(kind, value, {}, normal).empty() ? normal : value);
      } catch (const std::exception& e) {
        return caf::make_error(wire::ErrorCode::invalid_argument, e.what());
      }
    },
    [=](import_atom, const std::string& kind, const std::string& path,
        const std::string& prefix) -> caf::result<std::string> {
      std::ifstream in{path};
      if (!in)
        return caf::make_error(wire::ErrorCode::invalid_argument, "cannot read " + path);
      try {
        check_kind(kind);
        auto r = import_suppression(*self->state.env->dnc, kind, in, prefix,
                                    self->state.env->clk->now_ms());
        std::string out = std::to_string(r.rows) + " row(s) read, " + std::to_string(r.added)
                          + " added, " + std::to_string(r.rejected) + " rejected\n";
        for (auto& e : r.errors)
          out += "  " + e + "\n";
        return out;
      } catch (const std::exception& e) {
        return caf::make_error(wire::ErrorCode::invalid_argument, e.what());
      }
    },
    [=](caf::add_atom, const std::string& kind, const std::string& value) {
      auto& st = self->state;
      st.opted_out[kind].insert(value);
      if (!st.flush_armed) {
        st.flush_armed = true;
        self->delayed_send(self, std::chrono::milliseconds{100}, caf::flush_atom_v);
      }
    },
    [=](caf::flush_atom) { flush_opt_outs(self); },
  };
}

} // namespace

compliance_actor spawn_compliance(caf::actor_system& sys, std::shared_ptr<compliance_setup> setup,
                                  actor_placement where) {
  if (where == actor_placement::scheduled)
    return sys.spawn(compliance, std::move(setup));
  return sys.spawn<caf::detached>(compliance, std::move(setup));
}

} // namespace parley::outbound
