// The pacing scenario: a predictive campaign of the real engine on scaled time, measured
// the way a supervisor would: abandon rate and agent occupancy.
//
// The embedded engine runs with engine.clock_scale = --scale and the simulated telephony
// gateway (answer share --answer, the rest busy or no answer half and half; ring time
// uniform 0.25..1.75 x --ring-s; no answer after --no-answer-s; exponential talk time of
// mean --talk-s, after which the customer hangs up). A contact list is generated into the
// engine's import directory and imported through the admin console (`list import`), the
// campaign is started there (`campaign start`), and --agents desks (one agent each,
// capacity 1, no wrap-up) accept every Invite at once and never stop a call themselves:
// the customer's hangup stops the interaction, and the agent is ready again.
//
// After --warmup-h domain hours (not measured) the campaign's counters are read
// (`campaign status`), and again --hours later. Abandon rate = abandoned / answered
// attempts that ended in that window (the campaign's counters; the FCC/Ofcom definition:
// answered by a live person, no agent within abandon_after_ms = 2 s). Occupancy = the
// time desks held a call (Invite offered -> ProcessingStopped, engine domain time) within
// the window / (agents x window), from the desks' own events, cross-checked against the
// campaign's connected calls (answered - abandoned).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <filesystem>
#include <mutex>

#include <stdlib.h>

#include <spdlog/spdlog.h>

#include "bench/parley_bench/desks.hpp"
#include "bench/parley_bench/messages.hpp"
#include "bench/parley_bench/outbound.hpp"
#include "bench/parley_bench/scenarios.hpp"
#include "sim/queueing.hpp"
#include "sim/virtual_center.hpp"
#include "storage/store.hpp"

namespace parley::bench {

using sim::count_error;
using sim::each_frame;
using sim::sim_client;
using sim::stream_hash;
using sim::t95;
using sim::virtual_center;

using namespace std::chrono_literals;
using M = wire::Message;

namespace {

constexpr const char* campaign = "pacing";
constexpr double max_abandon_rate = 0.03;  // the campaign's compliance cap (its default)

/// One desk's calls in domain ms, written by the io thread of its connection.
struct desk_log {
  std::mutex mx;
  std::uint64_t iid = 0;             ///< the call it holds (0: none)
  std::int64_t since_ms = -1;        ///< offered at
  std::vector<std::pair<std::int64_t, std::int64_t>> spans;  ///< closed calls [offer, end]
};

struct pacing_setup {
  gateway_mix gw;
  double lines_per_agent, target_abandon;
  std::uint32_t lease_chunk;
};

pacing_setup resolve_pacing(const options& o) {
  pacing_setup s;
  s.gw.answer = o.answer_share >= 0 ? o.answer_share : 0.30;
  if (!(s.gw.answer > 0 && s.gw.answer <= 1))
    throw std::runtime_error("--answer must be in (0, 1]: with no answers there is nothing to pace");
  s.gw.machine = o.machine_share;
  if (s.gw.answer + s.gw.machine > 1)
    throw std::runtime_error("--answer + --machine must not exceed 1");
  s.gw.busy = s.gw.no_answer = (1 - s.gw.answer - s.gw.machine) / 2;
  s.gw.ring_mean_ms = std::llround((o.ring_s > 0 ? o.ring_s : 6.0) * 1000);
  s.gw.no_answer_after_ms = std::llround((o.no_answer_s > 0 ? o.no_answer_s : 15.0) * 1000);
  s.gw.talk_mean_ms = std::llround(o.talk_s * 1000);
  s.gw.seed = o.seed;
  s.lines_per_agent = o.lines_per_agent > 0 ? o.lines_per_agent : 3.0;
  s.target_abandon = o.target_abandon;
  s.lease_chunk = o.lease_chunk ? o.lease_chunk : 200;
  return s;
}

/// What a run saw, whichever mode drove it; the analysis reads it afterwards.
struct pacing_run {
  std::vector<desk_log> logs;
  histogram waits;  ///< answered (submitted) -> offered, domain ms recorded as if µs
  std::atomic<std::int64_t> window_from{std::numeric_limits<std::int64_t>::max()},
    window_till{std::numeric_limits<std::int64_t>::max()};
  std::atomic<std::uint64_t> offers{0}, ends{0}, revoked{0};
  campaign_status s0, s1;        ///< the campaign's counters at t0 and t1
  std::int64_t t0 = 0, t1 = 0;   ///< the measured window, domain ms
  std::int64_t end_ms = 0;       ///< domain ms when the desks' logs were read
  /// Polls of the campaign's own abandon rate (over its compliance window: the whole run):
  /// above max_abandon_rate after 20 answers, predictive dialing falls back to reserved
  /// calls. [0]: before the measured window, [1]: in it.
  std::uint64_t polls[2] = {0, 0}, polls_fallback[2] = {0, 0};
  cpu_times cpu0{}, cpu1{};
  double window_real_s = 0, import_s = 0;
  std::string stop_answer;       ///< what stopping the campaign said
  bool stopped = false;
  std::uint64_t rss_bytes = 0;
  std::string event_log_hash;    ///< virtual mode: FNV-1a of the reporting stream
  std::uint64_t events = 0;

  explicit pacing_run(unsigned agents) : logs(agents) {}

  /// Desk d was offered `iid` (answered by the customer at `submitted_ms`) at `offered_ms`.
  void offered(std::size_t d, std::uint64_t iid, std::int64_t submitted_ms, std::int64_t offered_ms,
               error_counts& errors) {
    {
      std::lock_guard lock{logs[d].mx};
      if (logs[d].since_ms >= 0)
        errors.record_other("offered_while_busy", "an agent with capacity 1 got a second call");
      logs[d].iid = iid;
      logs[d].since_ms = offered_ms;
    }
    ++offers;
    if (offered_ms >= window_from && offered_ms <= window_till)
      waits.record(static_cast<std::uint64_t>(std::max<std::int64_t>(offered_ms - submitted_ms, 0)) * 1000);
  }

  /// Desk d's call `iid` ended (ProcessingStopped) or was taken back (Revoked) at `now_ms`.
  void ended(std::size_t d, std::uint64_t iid, bool was_revoked, std::int64_t now_ms) {
    revoked += was_revoked;
    std::lock_guard lock{logs[d].mx};
    if (iid != logs[d].iid || logs[d].since_ms < 0)
      return;
    logs[d].spans.emplace_back(logs[d].since_ms, now_ms);
    logs[d].since_ms = -1;
    logs[d].iid = 0;
    ++ends;
  }

  void polled(const campaign_status& st, bool in_window) {
    ++polls[in_window];
    polls_fallback[in_window] += st.answered >= 20 && st.abandon_rate > max_abandon_rate;
  }
};

std::string pacing_toml(const options& o, const pacing_setup& s, bool scaled) {
  std::string t;
  if (scaled)
    t += "[engine]\nclock_scale = " + std::to_string(o.scale) + "\n\n";
  else  // a scratch store: a power cut may take it, a crash of the bench would not
    t += "[storage]\nsynchronous = \"normal\"\n\n";
  // Desks accept at once: an offer timeout of a domain hour is never reached.
  t += "[routing]\nmedia = [" + toml_string(o.media) + "]\noffer_timeout_ms = 3600000\n";
  t += "max_no_answer = 0\n\n[[queues]]\nname = " + toml_string(o.queue) + "\nmax_size = 100000\n";
  // wrap_up_ms = 0: the agent is ready again the moment the customer hangs up.
  t += "\n[[agent_groups]]\nname = \"outbound\"\nmembers = [" + toml_string(o.agent_prefix + "*")
       + "]\ncapacity = { " + o.media + " = 1 }\nwrap_up_ms = 0\n\n";
  t += gateway_toml(s.gw);
  t += predictive_campaign_toml(campaign, campaign, o.queue,
                                "media = " + toml_string(o.media) + "\nlines_per_agent = "
                                  + fmt("%.3f", s.lines_per_agent) + "\ntarget_abandon = "
                                  + fmt("%.4f", s.target_abandon)
                                  + "\nlease_chunk = " + std::to_string(s.lease_chunk)
                                  + "\nanswering_machine = " + toml_string(o.machine_policy) + "\n");
  return t;
}

} // namespace

/// Scaled time: the embedded engine on engine.clock_scale = --scale over TCP, the list
/// imported and the campaign run through the admin console (see the top of this file).
void pacing_scaled(harness& h, const pacing_setup& s, std::uint64_t records, pacing_run& pr) {
  auto& o = h.opts();
  const unsigned agents = o.agents;
  const double scale = o.scale;
  const auto warmup_ms = static_cast<std::int64_t>(o.warmup_h * 3'600'000);
  const auto window_ms = static_cast<std::int64_t>(o.hours * 3'600'000);
  const double real_s = (warmup_ms + window_ms) / 1000.0 / scale;
  h.start_engine(pacing_toml(o, s, true), agents + 8);
  const clock& clk = h.engine_ptr()->clk();
  console_link con{h.host(), h.engine_ptr()->console_port()};
  auto import_t0 = steady::now();
  write_contact_list(h.data_dir() + "/import", "pacing.csv", records);
  import_list(con, campaign, "pacing.csv", records, 300s);
  pr.import_s = std::chrono::duration<double>(steady::now() - import_t0).count();

  desk_pool desks{h, agents};
  desks.on_invite = [&](std::size_t d, client::client& c, const wire::Invite& inv) {
    auto* info = inv.info();
    pr.offered(d, info->id(), info->submitted_ms(), info->changed_ms(), h.errors());
    c.request(msg::accept(info->id()), [&h](client::answer a) {
      if (a.type() != M::Ack)
        h.errors().record(a);
    });
  };
  desks.on_other = [&](std::size_t d, const client::answer& a) {
    if (auto* ps = a.as<wire::ProcessingStopped>())
      pr.ended(d, ps->interaction_id(), false, clk.now_ms());
    else if (auto* rv = a.as<wire::Revoked>())
      pr.ended(d, rv->interaction_id(), true, clk.now_ms());
  };
  clients_guard guard{h};
  if (!desks.login_all(o.concurrency, 30s))
    throw std::runtime_error("only " + std::to_string(desks.ready()) + " of "
                             + std::to_string(desks.size()) + " agents became ready: "
                             + h.errors().first());

  // -- the run: warm-up, then the measured window, both in domain time -------------------
  auto started = con.ask("campaign start " + std::string{campaign});
  if (started.find(" running ") == std::string::npos)
    throw std::runtime_error("campaign start: " + started);
  const auto r0 = steady::now();
  const auto d0 = clk.now_ms();
  auto real_of = [&](std::int64_t domain_ms) {
    return r0 + std::chrono::duration_cast<steady::duration>(
                  std::chrono::duration<double>((domain_ms - d0) / 1000.0 / scale));
  };
  campaign_status last;
  auto last_poll = steady::now() - 1h;
  auto show = [&] {
    auto now = steady::now();
    if (now - last_poll >= 1s) {  // the console line costs little, but not every 20 ms
      last = campaign_status_of(con, campaign);
      last_poll = now;
      pr.polled(last, clk.now_ms() >= pr.window_from);
    }
    auto e = std::chrono::duration<double>(now - r0).count();
    auto dh = (clk.now_ms() - d0) / 3'600'000.0;
    h.progress().update(e / real_s, e, last.answered, last.answered / std::max(dh, 1e-9),
                        h.errors().total(),
                        "domain " + fmt("%.2f h", dh) + "  dialed " + grouped(last.dialed)
                          + "  abandoned " + grouped(last.abandoned) + "  (answers per domain h)");
  };
  // Reads the status at a domain instant: the midpoint of the console round trip.
  auto snapshot = [&](std::int64_t& at) {
    auto before = clk.now_ms();
    auto st = campaign_status_of(con, campaign);
    at = (before + clk.now_ms()) / 2;
    return st;
  };
  h.wait_until(real_of(d0 + warmup_ms), nullptr, show);
  pr.s0 = snapshot(pr.t0);
  pr.window_from = pr.t0;
  pr.cpu0 = cpu_now();
  auto w0 = steady::now();
  h.wait_until(real_of(pr.t0 + window_ms), nullptr, show);
  pr.s1 = snapshot(pr.t1);
  pr.window_till = pr.t1;
  pr.cpu1 = cpu_now();
  pr.window_real_s = std::chrono::duration<double>(steady::now() - w0).count();
  pr.stop_answer = con.ask("campaign stop " + std::string{campaign});
  pr.stopped = pr.stop_answer.find(" stopped ") != std::string::npos;
  h.progress().clear();
  pr.rss_bytes = rss_bytes();
  h.finish_clients();
  pr.end_ms = clk.now_ms();
}

/// Virtual time: the engine's actors on discrete-event time (virtual_center.hpp) with an
/// SQLite store in a scratch directory. The contact list is written into the store before
/// the engine starts (there is no console), an admin client starts the campaign, reads its
/// counters every domain minute (GetCampaigns) and stops it, in frames; the desks and the
/// simulated gateway are as in the scaled mode, and a reporting client's stream is hashed:
/// the same seed gives the same run.
void pacing_virtual(harness& h, const pacing_setup& s, std::uint64_t records, pacing_run& pr) {
  auto& o = h.opts();
  const unsigned agents = o.agents;
  const auto warmup_ms = static_cast<std::int64_t>(o.warmup_h * 3'600'000);
  const auto window_ms = static_cast<std::int64_t>(o.hours * 3'600'000);
  char scratch[] = "/tmp/parley-pacing-XXXXXX";
  if (!::mkdtemp(scratch))
    throw std::runtime_error("cannot make a scratch directory in /tmp");
  struct remove_dir {
    std::string path;
    ~remove_dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } cleanup{scratch};
  auto sets = o.engine_set;
  sets.push_back("engine.data_dir=" + cleanup.path);
  auto cfg = engine::parse_config(pacing_toml(o, s, false), "pacing (virtual)", sets);
  spdlog::set_level(spdlog::level::warn);  // no info line per agent login

  auto seed_list = [&](const engine::config& c) {
    auto t0 = steady::now();
    std::filesystem::create_directories(c.data_dir);
    auto store = storage::open_store(engine::store_config(c));
    store->migrate();
    auto& ob = store->outbound();
    auto id = ob.create_list(campaign, 0).id;
    std::vector<storage::record_row> chunk;
    for (std::uint64_t i = 0; i < records; ++i) {  // as write_contact_list has them
      storage::record_row r;
      char phone[24];
      std::snprintf(phone, sizeof phone, "+1555%08llu", static_cast<unsigned long long>(i % 100'000'000));
      r.phone = phone;
      r.tz = "UTC";
      r.customer_id = "c" + std::to_string(i);
      chunk.push_back(std::move(r));
      if (chunk.size() == 10'000 || i + 1 == records) {
        ob.insert_records(id, chunk);
        chunk.clear();
      }
    }
    pr.import_s = std::chrono::duration<double>(steady::now() - t0).count();
  };
  virtual_center vc{cfg, engine::local_engine::storage_mode::store, seed_list};

  sim_client admin, rep;
  std::vector<sim_client> desks(agents);
  stream_hash log;
  campaign_status last;
  auto status_of = [](const wire::CampaignStatus& c) {
    campaign_status st;
    st.state = c.state() ? c.state()->str() : "";
    st.ready_agents = c.ready_agents();
    st.agents = c.agents();
    st.dialed = c.dialed();
    st.answered = c.answered();
    st.abandoned = c.abandoned();
    st.denied = c.denied();
    st.in_flight = c.in_flight();
    st.buffered = c.buffered();
    st.abandon_rate = c.abandon_rate();
    return st;
  };
  auto look = [&] {
    bool any = log.read(rep, h.errors());
    if (!admin.inbox.empty()) {
      any = true;
      each_frame(admin, [&](const wire::Envelope& e, auto) {
        count_error(e, h.errors());
        if (auto* c = e.message_as_CampaignStatus())
          last = status_of(*c);
        else if (auto* all = e.message_as_Campaigns(); all && all->items())
          for (auto* c : *all->items())
            if (c->name() && c->name()->str() == campaign)
              last = status_of(*c);
      });
    }
    return vc.serve_desks(desks, h.errors(), [&](std::size_t d, const wire::Envelope& e) -> std::uint64_t {
             if (auto* inv = e.message_as_Invite()) {
               auto* info = inv->info();
               pr.offered(d, info->id(), info->submitted_ms(), info->changed_ms(), h.errors());
               return info->id();
             }
             if (auto* ps = e.message_as_ProcessingStopped())
               pr.ended(d, ps->interaction_id(), false, vc.now_ms());
             else if (auto* rv = e.message_as_Revoked())
               pr.ended(d, rv->interaction_id(), true, vc.now_ms());
             return 0;
           })
           || any;
  };
  auto control = [&](wire::CampaignOp op) {
    vc.send(admin, msg::make([op](msg::fbb& b) { return wire::CreateCampaignControlDirect(b, campaign, op); }));
    vc.settle(look);
  };
  auto poll = [&] {
    vc.send(admin, msg::make([](msg::fbb& b) { return wire::CreateGetCampaigns(b); }));
    vc.settle(look);
  };

  vc.connect(admin, wire::ClientType::admin, "sim-admin");
  vc.open_floor(rep, desks, o.agent_prefix, h.errors(), look);

  // -- the run: warm-up, then the measured window, polled every domain minute -----------
  control(wire::CampaignOp::start);
  if (last.state != "running")
    throw std::runtime_error("campaign start: the campaign is " + (last.state.empty() ? "not there" : last.state));
  const auto r0 = steady::now();
  const auto d0 = vc.now_ms();
  const double horizon_ms = static_cast<double>(warmup_ms + window_ms);
  auto shown = r0;
  auto run_until = [&](std::int64_t until_ms) {
    while (vc.now_ms() < until_ms) {
      vc.advance_to(std::min<std::int64_t>(until_ms, vc.now_ms() + 60'000), look);
      poll();
      pr.polled(last, vc.now_ms() >= pr.window_from);
      if (auto now = steady::now(); now - shown > 250ms && !o.no_progress) {
        shown = now;
        auto e = std::chrono::duration<double>(now - r0).count();
        auto dh = (vc.now_ms() - d0) / 3'600'000.0;
        h.progress().update((vc.now_ms() - d0) / horizon_ms, e, last.answered, last.answered / std::max(dh, 1e-9),
                            h.errors().total(),
                            "domain " + fmt("%.2f h", dh) + "  dialed " + grouped(last.dialed) + "  abandoned "
                              + grouped(last.abandoned) + "  (answers per domain h)");
      }
    }
  };
  run_until(d0 + warmup_ms);
  poll();
  pr.s0 = last;
  pr.t0 = vc.now_ms();
  pr.window_from = pr.t0;
  pr.cpu0 = cpu_now();
  auto w0 = steady::now();
  run_until(pr.t0 + window_ms);
  poll();
  pr.s1 = last;
  pr.t1 = vc.now_ms();
  pr.window_till = pr.t1;
  pr.cpu1 = cpu_now();
  pr.window_real_s = std::chrono::duration<double>(steady::now() - w0).count();
  control(wire::CampaignOp::stop);
  pr.stopped = last.state == "stopped";
  pr.stop_answer = "the campaign is " + last.state;
  h.progress().clear();
  pr.rss_bytes = rss_bytes();
  pr.end_ms = vc.now_ms();
  pr.event_log_hash = log.hex();
  pr.events = log.events;
}

result run_pacing(harness& h) {
  auto& o = h.opts();
  bool virtual_mode = o.sim_mode == "virtual";
  if (!h.embedded())
    throw std::runtime_error("pacing runs on the embedded engine only: it sets the engine's "
                             "clock, writes its store or import directory and reads its clock");
  auto s = resolve_pacing(o);
  const unsigned agents = o.agents;
  const double scale = o.scale;
  const auto warmup_ms = static_cast<std::int64_t>(o.warmup_h * 3'600'000);
  const auto window_ms = static_cast<std::int64_t>(o.hours * 3'600'000);
  const double real_s = (warmup_ms + window_ms) / 1000.0 / scale;
  if (!virtual_mode && real_s > max_real_hours * 3600)
    throw std::runtime_error("--hours at --scale " + fmt("%g", scale) + " would take "
                             + fmt("%.1f", real_s / 3600) + " h of real time: raise --scale");
  // Enough records that the list never runs dry: every agent busy all the time needs
  // agents x 3600 / talk connects an hour, i.e. that / answer dials (retries come back).
  const double hours_all = (warmup_ms + window_ms) / 3'600'000.0;
  const auto records = static_cast<std::uint64_t>(
    std::ceil(agents * 3600.0 / o.talk_s / s.gw.answer * hours_all * 1.5) + 1000);

  pacing_run pr{agents};
  if (virtual_mode)
    pacing_virtual(h, s, records, pr);
  else
    pacing_scaled(h, s, records, pr);
  auto &logs = pr.logs;
  auto &offers = pr.offers, &revoked = pr.revoked;
  auto &s0 = pr.s0, &s1 = pr.s1;
  auto t0 = pr.t0, t1 = pr.t1, end_ms = pr.end_ms;
  auto &polls = pr.polls, &polls_fallback = pr.polls_fallback;
  auto window_real_s = pr.window_real_s, import_s = pr.import_s;

  result r;
  r.scenario = "pacing";
  r.rss_bytes = pr.rss_bytes;

  // -- occupancy from the desks' own calls, clipped to [t0, t1] -------------------------
  // Also per slice of the window (15 domain minutes, at least 4 slices) for an interval.
  const auto nslices = static_cast<std::size_t>(std::max<std::int64_t>(4, (t1 - t0) / 900'000));
  const double slice_ms = double(t1 - t0) / double(nslices);
  std::vector<double> slice_busy(nslices, 0.0);
  double busy_ms = 0, talk_sum_ms = 0;
  std::uint64_t desk_connected = 0, talk_n = 0;
  for (auto& l : logs) {
    std::lock_guard lock{l.mx};
    auto spans = l.spans;
    if (l.since_ms >= 0)
      spans.emplace_back(l.since_ms, end_ms);  // still on a call: busy past t1
    for (auto [a, b] : spans) {
      busy_ms += std::max<std::int64_t>(0, std::min(b, t1) - std::max(a, t0));
      for (std::size_t k = 0; k < nslices; ++k) {
        double from = t0 + k * slice_ms, till = from + slice_ms;
        slice_busy[k] += std::max(0.0, std::min<double>(b, till) - std::max<double>(a, from));
      }
      if (b >= t0 && b <= t1) {
        ++desk_connected;
        talk_sum_ms += b - a;
        ++talk_n;
      }
    }
  }
  const double span_ms = static_cast<double>(t1 - t0);
  const double occupancy = span_ms > 0 ? busy_ms / (agents * span_ms) : 0;
  double occ_lo = 1, occ_hi = 0, occ_ss = 0;
  for (auto b : slice_busy) {
    auto x = slice_ms > 0 ? b / (agents * slice_ms) : 0;
    occ_lo = std::min(occ_lo, x);
    occ_hi = std::max(occ_hi, x);
    occ_ss += (x - occupancy) * (x - occupancy);
  }
  const double occ_ci = t95(static_cast<unsigned>(nslices - 1)) * std::sqrt(occ_ss / (nslices - 1) / nslices);
  auto share = [](std::uint64_t part, std::uint64_t all) { return all ? double(part) / double(all) : 0.0; };
  const auto dialed = s1.dialed - s0.dialed, answered = s1.answered - s0.answered;
  const auto abandoned = s1.abandoned - s0.abandoned;
  const auto connected = answered - abandoned;
  const double abandon_rate = answered ? double(abandoned) / double(answered) : 0;
  const double ab_ci = answered ? 1.96 * std::sqrt(abandon_rate * (1 - abandon_rate) / answered) : 0;
  const double occupancy_goal = agents >= 50 ? 0.90 : 0.80;
  const double hours = span_ms / 3'600'000.0;

  r.count_what = "answered calls whose attempt ended in the measured window (campaign counter)";
  r.count = answered;
  r.duration_s = window_real_s;
  r.throughput_per_s = window_real_s > 0 ? answered / window_real_s : 0;
  r.latency_what = "answered (interaction submitted) -> offered to an agent, DOMAIN ms";
  r.latency = latency_summary::of(pr.waits);
  r.extra = {
    {"abandon_rate", abandon_rate, "abandon rate (abandoned/answered)", ""},
    {"abandon_rate_ci95", ab_ci, "  +/- (95 %, binomial)", ""},
    {"occupancy", occupancy, "agent occupancy (desks)", ""},
    {"occupancy_ci95", occ_ci, "  +/- (95 %, batch means)", ""},
    {"occupancy_slice_min", occ_lo, "  lowest slice", ""},
    {"occupancy_slice_max", occ_hi, "  highest slice", ""},
    {"occupancy_slices", static_cast<std::int64_t>(nslices), "  slices", ""},
    {"occupancy_goal", occupancy_goal, "occupancy goal", ""},
    {"dials", static_cast<std::int64_t>(dialed), "dials (window)", ""},
    {"answered", static_cast<std::int64_t>(answered), "answered (window)", ""},
    {"abandoned", static_cast<std::int64_t>(abandoned), "abandoned (window)", ""},
    {"connected_campaign", static_cast<std::int64_t>(connected), "connected: campaign counters", ""},
    {"connected_desks", static_cast<std::int64_t>(desk_connected), "connected: desks (calls ended)", ""},
    {"answer_rate", dialed ? double(answered) / double(dialed) : 0.0, "answered / dialed", ""},
    {"talk_mean_measured_s", talk_n ? talk_sum_ms / talk_n / 1000 : 0.0, "talk time on desks, mean", "s"},
    {"dials_per_agent_hour", hours > 0 ? dialed / hours / agents : 0.0, "dials per agent hour", ""},
    {"campaign_abandon_rate", s1.abandon_rate, "campaign abandon rate, whole run", ""},
    {"fallback_share", share(polls_fallback[1], polls[1]), "in fallback (rate > 3 %), window", ""},
    {"fallback_share_warmup", share(polls_fallback[0], polls[0]), "  during the warm-up", ""},
    {"agents", static_cast<std::int64_t>(agents), "agents", ""},
    {"hours", hours, "measured domain hours", "h"},
    {"warmup_h", o.warmup_h, "warm-up (not measured)", "h"},
    {"scale", scale, "clock scale", "x"},
    {"answer_share", s.gw.answer, "gateway answer share", ""},
    {"machine_share", s.gw.machine, "gateway answering-machine share", ""},
    {"machine_policy", o.machine_policy, "campaign answering_machine", ""},
    {"ring_mean_s", s.gw.ring_mean_ms / 1000.0, "ring time mean (0.25..1.75x)", "s"},
    {"no_answer_s", s.gw.no_answer_after_ms / 1000.0, "no answer after", "s"},
    {"talk_mean_s", s.gw.talk_mean_ms / 1000.0, "talk time mean (exponential)", "s"},
    {"lines_per_agent", s.lines_per_agent, "lines per agent (cap)", ""},
    {"target_abandon", s.target_abandon, "campaign target_abandon", ""},
    {"seed", static_cast<std::int64_t>(o.seed), "gateway seed", ""},
    {"records", static_cast<std::int64_t>(records), "records imported", ""},
    {"import_s", import_s, "list written + imported in", "s"},
    {"offers", static_cast<std::int64_t>(offers.load()), "offers to desks, whole run", ""},
    {"revoked", static_cast<std::int64_t>(revoked.load()), "offers revoked, whole run", ""},
    {"mode", o.sim_mode, "mode", ""},
  };
  if (virtual_mode) {
    r.extra.push_back({"event_log_hash", pr.event_log_hash, "event log hash (FNV-1a of every ReportingEvent)", ""});
    r.extra.push_back({"events", static_cast<std::int64_t>(pr.events), "reporting events", ""});
  }
  add_cpu_fields(r, pr.cpu0, pr.cpu1);
  bool ok_ab = abandon_rate <= 0.03;
  bool ok_occ = occupancy >= occupancy_goal;
  r.aim.text = "abandon rate <= 3 % and occupancy >= 90 % (50+ agents) / >= 80 % (10 agents)";
  r.aim.met = ok_ab && ok_occ && answered > 0;
  r.aim.verdict = "abandon rate " + fmt("%.2f %%", 100 * abandon_rate) + " (" + grouped(abandoned)
                  + " of " + grouped(answered) + " answered, +/-" + fmt("%.2f", 100 * ab_ci)
                  + "), occupancy " + fmt("%.1f %%", 100 * occupancy) + " at "
                  + std::to_string(agents) + " agents (goal " + fmt("%.0f %%", 100 * occupancy_goal)
                  + ")";
  auto diff = std::llabs(static_cast<long long>(desk_connected) - static_cast<long long>(connected));
  if (diff > std::max<long long>(agents, connected / 50))
    r.notes.push_back("the desks ended " + grouped(desk_connected) + " calls in the window, the "
                      "campaign counted " + grouped(connected) + " connected: more apart than the "
                      "calls that straddle the window's edges explain");
  if (s1.buffered == 0 && s1.in_flight == 0)
    r.notes.push_back("the campaign had nothing left to dial at the end: the list ran dry");
  if (!pr.stopped)
    r.notes.push_back("campaign stop: " + pr.stop_answer);
  finish_result(h, r);
  r.ran = answered > 0;
  return r;
}

} // namespace parley::bench
