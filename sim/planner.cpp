#include "sim/planner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/outbound/csv_reader.hpp"
#include "sim/queueing.hpp"

namespace parley::sim {

namespace {

/// Can group `g` take `media` interactions of queue `q` (the router's rule: same tenant,
/// every skill the queue asks for at its level or higher, a capacity for the media)?
bool takes(const agent_group_config& g, const queue_config& q, const std::string& media) {
  if (g.tenant != q.tenant)
    return false;
  if (auto c = g.capacity.find(media); c == g.capacity.end() || c->second == 0)
    return false;
  for (auto& [skill, level] : q.skills)
    if (auto it = g.skills.find(skill); it == g.skills.end() || it->second < level)
      return false;
  return true;
}

/// The queue and those its calls overflow to, in order (a cycle is cut).
std::vector<const queue_config*> overflow_chain(const domain_config& dom, std::size_t queue) {
  std::vector<const queue_config*> chain{&dom.queues[queue]};
  for (auto* q = chain.back(); q->overflow_after.count() > 0;) {
    q = dom.find_queue(q->overflow_to);
    if (!q || std::find(chain.begin(), chain.end(), q) != chain.end())
      break;
    chain.push_back(q);
  }
  return chain;
}

/// The group Erlang C puts a stream on: the first that can take it in its queue, else in
/// the queue it overflows to (and so on); -1 when none can.
int first_group(const domain_config& dom, std::size_t queue, const std::string& media) {
  for (auto* q : overflow_chain(dom, queue))
    for (std::size_t g = 0; g < dom.groups.size(); ++g)
      if (takes(dom.groups[g], *q, media))
        return static_cast<int>(g);
  return -1;
}

/// Every group that can take a stream of the interval in its queue or one it overflows to.
std::vector<bool> useful_groups(const domain_config& dom, const std::vector<forecast_stream>& streams) {
  std::vector<bool> useful(dom.groups.size(), false);
  for (auto& s : streams)
    if (s.offered > 0)
      for (auto* q : overflow_chain(dom, s.queue))
        for (std::size_t g = 0; g < dom.groups.size(); ++g)
          useful[g] = useful[g] || takes(dom.groups[g], *q, s.media);
  return useful;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

} // namespace

std::uint64_t interval_seed(std::uint64_t seed, const std::vector<forecast_stream>& streams) {
  auto h = mix(0x5851f42d4c957f2dull, seed);
  for (auto& s : streams) {
    h = mix(h, s.queue);
    h = mix(h, std::hash<std::string>{}(s.media));
    h = mix(h, static_cast<std::uint64_t>(std::llround(s.offered * 1e6)));
    h = mix(h, static_cast<std::uint64_t>(std::llround(s.aht_s * 1e6)));
  }
  return h;
}

namespace {

class interval_search {
public:
  interval_search(const engine::config& planning, const std::vector<forecast_stream>& streams,
                  const plan_options& o, const std::vector<std::int64_t>& sl_ms, std::uint64_t seed)
    : planning_(planning), streams_(streams), o_(o), sl_ms_(sl_ms), seed_(seed),
      traffic_(draw_traffic(streams, o.interval_min * 60, o.people, o.measure, seed)) {
    for (auto& s : streams)
      offered_[s.queue] += s.offered;
  }

  const staffing_run& run(const std::vector<unsigned>& agents) {
    auto it = runs_.find(agents);
    if (it == runs_.end()) {
      auto r = simulate_staffing(planning_, streams_, traffic_, agents, o_.people, sl_ms_, seed_);
      if (r.errors > 0)  // the engine refused a simulated client: a defect, not a staffing
        throw plan_error{"the simulation went wrong (" + std::to_string(r.errors) + " errors): " + r.first_error};
      it = runs_.emplace(agents, std::move(r)).first;
    }
    return it->second;
  }

  /// How far `r` is from the targets (0: met).
  double shortfall(const staffing_run& r) const {
    // An overloaded run stopped early: still ranked, by how many calls it left unresolved.
    double s = r.overloaded ? 1.0 : 0.0;
    for (auto& [q, offered] : offered_) {
      if (offered <= 0)
        continue;
      auto& out = r.queues[q];
      s += std::max(0.0, o_.sl_target - out.service_level());
      s += std::max(0.0, out.abandon_rate() - o_.max_abandon);
      if (out.offered > 0)
        s += static_cast<double>(out.unresolved) / static_cast<double>(out.offered);
    }
    return s;
  }
  bool meets(const staffing_run& r) const { return shortfall(r) == 0; }

  std::size_t runs() const { return runs_.size(); }
  std::uint64_t calls() const {
    std::uint64_t n = 0;
    for (auto& [a, r] : runs_)
      n += r.calls;
    return n;
  }

private:
  const engine::config& planning_;
  const std::vector<forecast_stream>& streams_;
  const plan_options& o_;
  const std::vector<std::int64_t>& sl_ms_;
  std::uint64_t seed_;
  interval_traffic traffic_;
  std::map<std::size_t, double> offered_;
  std::map<std::vector<unsigned>, staffing_run> runs_;
};

/// Erlang C's answer per group, and the service level it predicts per queue (weighted over
/// the queue's media by offered interactions).
void erlang_c_answer(const domain_config& dom, const forecast_interval& iv, const plan_options& o,
                     const std::vector<std::int64_t>& sl_ms, interval_plan& ip) {
  ip.erlang_c.assign(dom.groups.size(), 0);
  ip.erlang_c_sl.assign(dom.queues.size(), 0);
  ip.offered.assign(dom.queues.size(), 0);
  for (auto& s : iv.streams) {
    ip.offered[s.queue] += s.offered;
    if (s.offered <= 0)
      continue;
    auto g = static_cast<std::size_t>(first_group(dom, s.queue, s.media));
    auto& grp = dom.groups[g];
    // Handle time as a planner counts it: the pick-up, the talk, the group's wrap-up.
    traffic t{s.offered * 60 / o.interval_min,
              s.aht_s + o.people.answer_s + static_cast<double>(grp.wrap_up.count()) / 1000, 0,
              static_cast<double>(sl_ms[s.queue]) / 1000};
    auto slots = erlang_c_agents(t, o.sl_target);
    auto per_agent = grp.capacity.at(s.media);
    ip.erlang_c[g] += (slots + per_agent - 1) / per_agent;
    t.agents = slots;
    ip.erlang_c_sl[s.queue] += erlang_c(t).service_level * s.offered;
  }
  for (std::size_t q = 0; q < dom.queues.size(); ++q)
    if (ip.offered[q] > 0)
      ip.erlang_c_sl[q] /= ip.offered[q];
}

/// Steps of one agent without coming closer to the targets before the search gives up.
constexpr unsigned k_flat = 6;

/// Plans one interval (see the top of planner.hpp).
interval_plan plan_interval(const engine::config& planning, const forecast_interval& iv, const plan_options& o,
                            const std::vector<std::int64_t>& sl_ms) {
  auto& dom = planning.domain;
  auto t0 = std::chrono::steady_clock::now();
  interval_plan ip;
  ip.label = iv.label;
  erlang_c_answer(dom, iv, o, sl_ms, ip);
  interval_search search{planning, iv.streams, o, sl_ms, interval_seed(o.seed, iv.streams)};
  auto useful = useful_groups(dom, iv.streams);
  auto s = ip.erlang_c;  // make_plan refused more than max_agents
  ip.erlang_c_run = search.run(s);
  // Up: one agent at a time to the group whose agent brings the targets closest — until
  // they are met, or agents stop helping (k_flat steps without getting closer: what is
  // missing is not agents, e.g. offers ringing out cost waiting no staffing removes).
  ip.met = search.meets(ip.erlang_c_run);
  const bool erlang_c_met = ip.met;
  auto closest = s;
  auto closest_gap = search.shortfall(ip.erlang_c_run);
  for (unsigned flat = 0; !ip.met && flat < k_flat;) {
    std::optional<std::vector<unsigned>> best;
    double best_gap = 0;
    for (std::size_t g = 0; g < s.size(); ++g) {
      if (!useful[g] || s[g] >= o.max_agents)
        continue;
      auto t = s;
      ++t[g];
      auto gap = search.shortfall(search.run(t));
      if (!best || gap < best_gap) {
        best = t;
        best_gap = gap;
      }
    }
    if (!best)
      break;  // every useful group at max_agents
    s = *best;
    ip.met = best_gap == 0;
    if (best_gap < closest_gap - 1e-4) {
      closest = s;
      closest_gap = best_gap;
      flat = 0;
    } else {
      ++flat;
    }
  }
  if (!ip.met)
    s = closest;  // the fewest agents that came closest
  // Down: when Erlang C's answer met the targets (it can be far too many), first all groups
  // together, by a factor found by bisection; then one agent at a time from the largest
  // group that can spare one.
  if (erlang_c_met) {
    double lo = 0, hi = 1;
    auto scaled = [&](double f) {
      auto t = s;
      for (auto& a : t)
        a = static_cast<unsigned>(std::ceil(a * f - 1e-9));
      return t;
    };
    for (int i = 0; i < 6; ++i) {
      auto mid = (lo + hi) / 2;
      (search.meets(search.run(scaled(mid))) ? hi : lo) = mid;
    }
    s = scaled(hi);
  }
  for (bool fewer = ip.met; fewer;) {
    fewer = false;
    std::vector<std::size_t> order(s.size());
    for (std::size_t g = 0; g < s.size(); ++g)
      order[g] = g;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return s[a] > s[b]; });
    for (auto g : order) {
      if (s[g] == 0)
        continue;
      auto t = s;
      --t[g];
      if (search.meets(search.run(t))) {
        s = t;
        fewer = true;
        break;
      }
    }
  }
  ip.agents = s;
  ip.planned = search.run(s);
  ip.runs = static_cast<unsigned>(search.runs());
  ip.calls = search.calls();
  ip.real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return ip;
}

} // namespace

plan make_plan(const engine::config& deployment, const forecast& f, const plan_options& o,
               const std::function<void(const interval_plan&, std::size_t, std::size_t)>& progress) {
  auto r0 = std::chrono::steady_clock::now();
  auto planning = planning_config(deployment);
  auto& dom = planning.domain;
  plan p;
  p.interval_min = o.interval_min;
  for (auto& g : dom.groups)
    p.groups.push_back(g.name);
  for (auto& q : dom.queues)
    p.queues.push_back(q.name);
  std::vector<std::int64_t> sl_ms;
  for (auto& q : dom.queues)
    sl_ms.push_back(std::llround((o.sl_s ? *o.sl_s : static_cast<double>(q.service_level_s)) * 1000));

  // What cannot be planned at all, found before anything runs.
  std::string problems;
  for (auto& iv : f.intervals)
    for (auto& s : iv.streams)
      if (s.offered > 0 && first_group(dom, s.queue, s.media) < 0) {
        auto what = "queue '" + dom.queues[s.queue].name + "', media '" + s.media + "'";
        if (problems.find(what) == std::string::npos)
          problems += "no agent group can take " + what
                      + " (none of its tenant has the skills and a capacity for the media, nor in a queue it overflows to)\n";
      }
  // A forecast far beyond the deployment (a typo, a unit slip) is refused, not simulated
  // for hours: Erlang C's answer above max_agents for a group.
  for (auto& iv : f.intervals) {
    if (!problems.empty())
      break;
    interval_plan ip;
    erlang_c_answer(dom, iv, o, sl_ms, ip);
    for (std::size_t g = 0; g < ip.erlang_c.size(); ++g)
      if (ip.erlang_c[g] > o.max_agents)
        problems += fmt::format("interval '{}': Erlang C puts {} agents in group '{}', above the {} allowed "
                                "(--max-agents)\n",
                                iv.label, ip.erlang_c[g], dom.groups[g].name, o.max_agents);
  }
  if (!problems.empty())
    throw plan_error{problems};
  if (o.people.answer_s * 1000 >= static_cast<double>(dom.routing.offer_timeout.count()))
    throw plan_error{fmt::format("agents picking up after {} s never answer within routing.offer_timeout_ms = {}",
                                 o.people.answer_s, dom.routing.offer_timeout.count())};

  spdlog::set_level(spdlog::level::warn);  // no info line per agent login
  // Intervals with the same traffic are planned once; the others each on a worker thread
  // (each simulation has an actor system of its own).
  std::map<std::vector<forecast_stream>, std::size_t> first_with;  // traffic -> its first interval
  std::vector<std::size_t> fresh;
  for (std::size_t i = 0; i < f.intervals.size(); ++i)
    if (first_with.emplace(f.intervals[i].streams, i).second)
      fresh.push_back(i);
  std::vector<std::optional<interval_plan>> done(f.intervals.size());
  std::atomic<std::size_t> next{0};
  std::mutex mx;
  std::size_t reported = 0;
  std::exception_ptr failed;
  auto worker = [&] {
    for (std::size_t j; (j = next++) < fresh.size();) {
      auto i = fresh[j];
      try {
        auto ip = plan_interval(planning, f.intervals[i], o, sl_ms);
        std::lock_guard lock{mx};
        done[i] = std::move(ip);
        if (progress)
          progress(*done[i], ++reported, fresh.size());
      } catch (...) {
        std::lock_guard lock{mx};
        if (!failed)
          failed = std::current_exception();
        next = fresh.size();
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < std::min<std::size_t>(std::max(o.jobs, 1u), fresh.size()); ++t)
    threads.emplace_back(worker);
  worker();
  for (auto& t : threads)
    t.join();
  if (failed)
    std::rethrow_exception(failed);
  for (auto i : fresh)
    p.calls += done[i]->calls;
  for (std::size_t i = 0; i < f.intervals.size(); ++i) {
    auto ip = *done[first_with.at(f.intervals[i].streams)];
    if (!done[i]) {  // the same traffic as an earlier interval: its plan
      ip.runs = 0;
      ip.real_s = 0;
      ip.calls = 0;
    }
    ip.label = f.intervals[i].label;
    p.intervals.push_back(std::move(ip));
  }
  p.real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
  return p;
}

double agent_hours(const plan& p, bool erlang_c) {
  double agents = 0;
  for (auto& ip : p.intervals)
    for (auto a : erlang_c ? ip.erlang_c : ip.agents)
      agents += a;
  return agents * p.interval_min / 60;
}

void write_plan_csv(std::ostream& out, const plan& p) {
  out << "interval,group,agents,erlang_c_agents\n";
  for (auto& ip : p.intervals)
    for (std::size_t g = 0; g < p.groups.size(); ++g)
      out << outbound::csv_field(ip.label) << ',' << outbound::csv_field(p.groups[g]) << ','
          << ip.agents[g] << ',' << ip.erlang_c[g] << '\n';
}

void write_queues_csv(std::ostream& out, const plan& p) {
  out << "interval,queue,offered,service_level,abandon_rate,asa_s,met,erlang_c_service_level_predicted,"
         "erlang_c_service_level_simulated,erlang_c_abandon_rate_simulated\n";
  for (auto& ip : p.intervals)
    for (std::size_t q = 0; q < p.queues.size(); ++q) {
      if (ip.offered[q] <= 0)
        continue;
      auto& a = ip.planned.queues[q];
      auto& e = ip.erlang_c_run.queues[q];
      out << outbound::csv_field(ip.label) << ',' << outbound::csv_field(p.queues[q])
          << fmt::format(",{:.2f},{:.4f},{:.4f},{:.2f},{},{:.4f},{:.4f},{:.4f}\n", ip.offered[q], a.service_level(),
                         a.abandon_rate(), a.asa_s(), ip.met, ip.erlang_c_sl[q], e.service_level(), e.abandon_rate());
    }
}

} // namespace parley::sim
