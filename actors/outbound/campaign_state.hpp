// campaign_state: what one campaign actor holds (campaign_actor.hpp), and the functions
// its three sources share: campaign_actor.cpp (the behaviour, control, the abandon window
// rebuilt before the first start), campaign_pace.cpp (leases, compliance verdicts, pacing,
// dialing) and campaign_agents.cpp (records held for agents: previews and personal
// callbacks). Internal to actors/outbound; every function runs in the campaign actor.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/response_promise.hpp>

#include "actors/outbound/campaign_actor.hpp"
#include "actors/outbound/messages.hpp"
#include "actors/outbound/compliance.hpp"
#include "actors/outbound/pacing.hpp"
#include "actors/runtime/domain.hpp"

namespace parley::outbound::campaign_detail {

using storage::record_row;
using ms = std::chrono::milliseconds;

enum class run_state { loaded, running, paused, stopped };

inline const char* to_name(run_state s) {
  switch (s) {
    case run_state::loaded: return "loaded";
    case run_state::running: return "running";
    case run_state::paused: return "paused";
    case run_state::stopped: return "stopped";
  }
  return "unknown";
}

constexpr ms tick_every{100};
constexpr std::int64_t hour_ms = 3'600'000;

struct preview_hold {
  std::string agent;
  record_row record;
};

/// A personal callback waiting for its agent (record.agent).
struct personal_hold {
  record_row record;
  std::int64_t held_since_ms = 0;  ///< leased (so due): its agent's grace counts from here
  std::int64_t next_try_ms = 0;    ///< its agent was not free: ask again then
  bool trying = false;             ///< a reservation of its agent is out
};

constexpr ms personal_retry{1000};

struct campaign_state {
  const campaign_config* cfg = nullptr;
  domain_ptr dom;
  campaign_handles h;
  router_actor router;
  run_state state = run_state::loaded;
  std::vector<std::uint64_t> lists;
  std::size_t list_cursor = 0;
  std::size_t empty_leases = 0;         ///< lists in a row that had nothing due
  std::int64_t next_lease_ms = 0;       ///< all lists were empty: not before this
  std::deque<record_row> dialable;      ///< leased and allowed, not dialed yet
  std::vector<personal_hold> personal;  ///< leased and allowed, for one agent each
  bool leasing = false;
  bool ticking = false;
  std::uint32_t reserving = 0;          ///< reservation requests out
  std::uint32_t ringing = 0;            ///< dialed, no outcome yet
  std::int64_t no_line_until_ms = 0;    ///< a dial found no gateway line: none before this
  std::int64_t no_line_logged_ms = -60'000;  ///< when that was last logged
  double credit = 0;                    ///< sms/email: messages it may send now
  double credit_at_s = -1;              ///< when the credit was last topped up (-1: not yet)
  std::unordered_map<std::uint64_t, double> talking;  ///< answered call -> answered at (s)
  std::unordered_set<std::uint64_t> waiting;  ///< of those, not offered to an agent yet
  std::unordered_map<std::uint64_t, preview_hold> previews;  ///< by record id
  /// The dialer session holding each dialed record until it is written back (the agent's
  /// desktop acts on it through the campaign).
  std::unordered_map<std::uint64_t, dialer_session_actor> sessions;
  std::vector<caf::response_promise> preview_waiting;
  std::vector<std::string> preview_agents;
  std::unique_ptr<pacer> pace;
  abandon_window abandons;
  bool window_loaded = false;           ///< abandons rebuilt from stored attempts
  std::uint32_t ready_agents = 0, agents = 0;
  std::uint64_t next_call = 0;
  std::uint64_t dialed = 0, answered = 0, abandoned = 0, denied = 0;
  std::array<std::uint64_t, 16> results{};  ///< finished attempts by final call_event
  static inline const char* name = "campaign";

  std::int64_t now_ms() const { return dom->clk->now_ms(); }
  double now_s() const { return double(now_ms()) / 1000.0; }
  /// Over the compliance cap, predictive dialing falls back to reserved (progressive) calls.
  bool fallback() {
    auto a = abandons.over(now_ms(), cfg->abandon_window);
    return a.answered >= 20 && a.rate() > cfg->rules.max_abandon_rate;
  }
  /// An sms or email campaign: messages at a rate, no agents.
  bool messages() const { return is_message_media(cfg->media); }
  bool reserved_calls() {
    return cfg->mode != dial_mode::predictive || fallback();
  }
};

using self_ptr = campaign_actor::stateful_pointer<campaign_state>;

campaign_view view(self_ptr self);

// -- campaign_pace.cpp: leases, verdicts, pacing, dialing --------------------------------
/// A record goes back to its list (not dialed): ready again (or `status`), due at `due_ms`.
void give_back(self_ptr self, record_row r, std::int64_t due_ms,
               storage::record_status status = storage::record_status::ready);
/// The same for a record compliance allowed: compliance stops counting it as an attempt.
void give_back_allowed(self_ptr self, record_row r, std::int64_t due_ms);
/// The record's calling window is open now; if not it goes back, due when it opens.
bool window_still_open(self_ptr self, record_row& r);
/// Leases the next chunk of the lists in turn and has compliance check it.
void lease(self_ptr self);
/// Dials a record (`agent`: the one reserved for it, "" in predictive mode).
void dial(self_ptr self, record_row r, std::string agent);
/// Reserves an agent (any of the queue's, or `agent`) and dials the record for them.
void dial_reserved(self_ptr self, record_row r, const std::string& agent = {});
/// Dials what the pace allows now, and leases ahead.
void pace(self_ptr self);
/// Every 100 ms while running: the router's agent counts, then pace().
void tick(self_ptr self);

// -- campaign_agents.cpp: previews and personal callbacks --------------------------------
/// Answers every agent waiting for a preview record with `why` (wrong_state).
void refuse_previews(self_ptr self, const std::string& why);
/// Hands out records to the agents waiting for a preview.
void serve_previews(self_ptr self);
/// Personal callbacks: dialed for their agent, or for anyone after the grace.
void serve_personal(self_ptr self);
caf::result<preview_record> ask_preview(self_ptr self, const std::string& agent);
caf::result<caf::ok_atom> decide_preview(self_ptr self, const std::string& agent,
                                         std::uint64_t record, bool dial_it);
/// A previewed record nobody decided on in time goes back to its list.
void preview_expired(self_ptr self, std::uint64_t record);

} // namespace parley::outbound::campaign_detail
