// Records a campaign holds for agents (campaign_state.hpp): previews an agent asks for and
// decides on, and personal callbacks, dialed only for their own agent — or, after
// personal_grace, for anyone.
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/campaign_state.hpp"
#include "actors/outbound/record_fields.hpp"
#include "actors/runtime/metrics.hpp"
#include "actors/runtime/types.hpp"

namespace parley::outbound::campaign_detail {

/// Answers every agent waiting for a preview record with `why` (wrong_state).
void refuse_previews(self_ptr self, const std::string& why) {
  auto& st = self->state;
  for (auto& rp : st.preview_waiting)
    rp.deliver(caf::make_error(wire::ErrorCode::wrong_state, why));
  st.preview_waiting.clear();
  st.preview_agents.clear();
}

namespace {

/// Reserves a personal callback's own agent and dials it for them; an agent not free now is
/// asked again a second later.
void dial_personal(self_ptr self, std::uint64_t record, const std::string& agent) {
  auto& st = self->state;
  ++st.reserving;
  auto find = [self, record]() -> personal_hold* {
    for (auto& p : self->state.personal)
      if (p.record.id == record)
        return &p;
    return nullptr;
  };
  self->request(st.router, st.dom->cfg->request_timeout, reserve_atom_v, st.cfg->queue,
                st.cfg->media, agent)
    .then(
      [=](const std::string& a) {
        auto& st = self->state;
        --st.reserving;
        auto* p = find();
        if (!p || st.state == run_state::stopped) {  // given back meanwhile (stop)
          self->send(st.router, unreserve_atom_v, a, st.cfg->media);
          return;
        }
        auto r = std::move(p->record);
        st.personal.erase(st.personal.begin() + (p - st.personal.data()));
        dial(self, std::move(r), a);
      },
      [=](caf::error&) {
        auto& st = self->state;
        --st.reserving;
        if (auto* p = find()) {
          p->trying = false;
          p->next_try_ms = st.now_ms() + personal_retry.count();  // domain time
        }
      });
}

} // namespace

/// Personal callbacks: each dialed when its own agent is free (preview: offered when that
/// agent asks, serve_previews); one its agent has not taken within personal_grace of the
/// campaign holding it (it was due then: leases take due records) becomes a campaign
/// callback, for any agent.
void serve_personal(self_ptr self) {
  auto& st = self->state;
  auto now = st.now_ms();
  for (std::size_t i = 0; i < st.personal.size();) {
    auto& p = st.personal[i];
    if (p.trying || now < p.next_try_ms) {
      ++i;
      continue;
    }
    if (now - p.held_since_ms > st.cfg->personal_grace.count()) {
      auto r = std::move(p.record);
      st.personal.erase(st.personal.begin() + static_cast<std::ptrdiff_t>(i));
      spdlog::info("campaign {}: personal callback {} for {} missed its agent; any agent takes it now",
                   st.cfg->name, r.id, r.agent);
      st.dom->metrics->dial_missed_personal.fetch_add(1, std::memory_order_relaxed);
      r.record_type = static_cast<std::uint8_t>(storage::record_type::campaign_callback);
      give_back_allowed(self, std::move(r), now);
      continue;
    }
    if (st.cfg->mode != dial_mode::preview) {
      p.trying = true;
      dial_personal(self, p.record.id, p.record.agent);
    }
    ++i;
  }
}

namespace {

/// The next record for an agent asking for a preview: their own personal callbacks first,
/// then what is due for anyone. False when there is none.
bool take_preview_record(self_ptr self, const std::string& agent, record_row& out) {
  auto& st = self->state;
  for (auto it = st.personal.begin(); it != st.personal.end(); ++it)
    if (it->record.agent == agent && !it->trying) {
      out = std::move(it->record);
      st.personal.erase(it);
      return true;
    }
  if (st.dialable.empty())
    return false;
  out = std::move(st.dialable.front());
  st.dialable.pop_front();
  return true;
}

} // namespace

void serve_previews(self_ptr self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.preview_waiting.size();) {
    record_row r;
    if (!take_preview_record(self, st.preview_agents[i], r)) {
      ++i;
      continue;
    }
    auto rp = st.preview_waiting[i];
    auto agent = st.preview_agents[i];
    st.preview_waiting.erase(st.preview_waiting.begin() + static_cast<std::ptrdiff_t>(i));
    st.preview_agents.erase(st.preview_agents.begin() + static_cast<std::ptrdiff_t>(i));
    preview_record p;
    p.campaign = st.cfg->name;
    p.record_id = r.id;
    p.phone = r.phone;
    p.customer_id = r.customer_id;
    p.fields = {{"tz", r.tz},
                {"attempts", std::to_string(r.attempts)},
                {"call_result", outbound::to_name(static_cast<storage::call_result>(r.call_result))},
                {"chain_id", std::to_string(r.chain_id)},
                {"record_type", outbound::to_name(static_cast<storage::record_type>(r.record_type))},
                {"custom", r.custom}};
    p.timeout_ms = static_cast<std::uint32_t>(st.cfg->preview_timeout.count());
    auto id = r.id;
    st.previews[id] = preview_hold{agent, std::move(r)};
    self->delayed_send(self, st.dom->clk->real_delay(st.cfg->preview_timeout), preview_atom_v, id);
    rp.deliver(std::move(p));
  }
  if (!st.preview_waiting.empty()) {
    lease(self);
    // Nothing to lease now (every list was empty a moment ago): agents hear so at once.
    if (!st.leasing)
      refuse_previews(self, "nothing is due in campaign " + st.cfg->name + " now");
  }
}

caf::result<preview_record> ask_preview(self_ptr self, const std::string& agent) {
  auto& st = self->state;
  if (st.cfg->mode != dial_mode::preview)
    return caf::make_error(wire::ErrorCode::wrong_state,
                           "campaign " + st.cfg->name + " is not a preview campaign");
  if (st.state != run_state::running)
    return caf::make_error(wire::ErrorCode::wrong_state,
                           "campaign " + st.cfg->name + " is " + to_name(st.state));
  for (auto& [id, p] : st.previews)
    if (p.agent == agent)
      return caf::make_error(wire::ErrorCode::wrong_state,
                             agent + " holds record " + std::to_string(id) + " already");
  auto rp = self->make_response_promise<preview_record>();
  st.preview_waiting.push_back(rp);
  st.preview_agents.push_back(agent);
  serve_previews(self);
  return rp;
}

caf::result<caf::ok_atom> decide_preview(self_ptr self, const std::string& agent,
                                         std::uint64_t record, bool dial_it) {
  auto& st = self->state;
  auto it = st.previews.find(record);
  if (it == st.previews.end() || it->second.agent != agent)
    return caf::make_error(wire::ErrorCode::unknown_id,
                           "record " + std::to_string(record) + " is not previewed by " + agent);
  auto r = std::move(it->second.record);
  st.previews.erase(it);
  if (dial_it && !window_still_open(self, r))
    return caf::make_error(wire::ErrorCode::wrong_state,
                           "record " + std::to_string(record)
                             + " is outside its calling window now; it goes back to its list");
  if (dial_it)
    dial_reserved(self, std::move(r), agent);
  else
    give_back_allowed(self, std::move(r), 0);
  return caf::ok_atom_v;
}

void preview_expired(self_ptr self, std::uint64_t record) {
  auto& st = self->state;
  auto it = st.previews.find(record);
  if (it == st.previews.end())
    return;
  spdlog::info("campaign {}: record {} previewed by {} timed out", st.cfg->name, record,
               it->second.agent);
  give_back_allowed(self, std::move(it->second.record), 0);
  st.previews.erase(it);
}

} // namespace parley::outbound::campaign_detail
