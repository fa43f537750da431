#include "sim/plan_command.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include "sim/chart.hpp"

namespace parley::sim {

CLI::App* add_plan_command(CLI::App& app, plan_command& c) {
  auto* p = app.add_subcommand(
    "plan", "staffing plan: the fewest agents per group and interval meeting a service level and an abandon "
            "limit, searched by simulating the engine with this config (docs/planning.md)");
  p->add_option("--forecast", c.forecast_path, "CSV: interval,queue,media,offered,aht_s")->required();
  p->add_option("--config", c.config_path, "the deployment's TOML config")->capture_default_str();
  p->add_option("--set", c.overrides, "override one config key, e.g. --set routing.offer_timeout_ms=15000")
    ->type_name("KEY=VALUE")
    ->expected(1)
    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  p->add_option("--out", c.out_path, "agents per interval and group (CSV); per queue in <out>-queues.csv")
    ->capture_default_str();
  p->add_option("--chart", c.chart_path, "the chart (PNG); empty: none")->capture_default_str();
  p->add_option("--sl", c.sl_pct, "service-level target: % answered within T")->capture_default_str()->check(
    CLI::Range(0.0, 100.0));
  p->add_option("--sl-s", c.sl_s, "T in seconds for every queue (default: each queue's service_level_s)")
    ->check(CLI::PositiveNumber);
  p->add_option("--max-abandon", c.max_abandon_pct, "abandon limit: % of callers who hang up")
    ->capture_default_str()
    ->check(CLI::Range(0.0, 100.0));
  p->add_option("--patience-s", c.o.people.patience_s, "callers' mean patience (exponential); 0: nobody hangs up")
    ->capture_default_str()
    ->check(CLI::NonNegativeNumber);
  p->add_option("--answer-s", c.o.people.answer_s, "seconds from an offer to the agent's pick-up")
    ->capture_default_str()
    ->check(CLI::NonNegativeNumber);
  p->add_option("--no-answer", c.no_answer_pct, "% of offers agents let ring until routing.offer_timeout_ms")
    ->capture_default_str()
    ->check(CLI::Range(0.0, 99.0));
  p->add_option("--away-s", c.o.people.away_s, "an agent made not ready for not answering is back after this")
    ->capture_default_str()
    ->check(CLI::NonNegativeNumber);
  p->add_option("--calls", c.o.measure.calls, "measured calls per staffing tried, at least")
    ->capture_default_str()
    ->check(CLI::Range(100, 100'000'000));
  p->add_option("--min-hours", c.o.measure.min_hours, "measured domain hours per staffing tried, at least")
    ->capture_default_str()
    ->check(CLI::Range(0.1, 100'000.0));
  p->add_option("--warmup-min", c.warmup_min, "domain minutes before measuring (the center starts empty)")
    ->capture_default_str()
    ->check(CLI::NonNegativeNumber);
  p->add_option("--interval-min", c.o.interval_min, "the forecast's interval length in minutes")
    ->capture_default_str()
    ->check(CLI::Range(1.0, 1440.0));
  p->add_option("--seed", c.o.seed, "the draws' seed: the same seed, the same plan")->capture_default_str();
  p->add_option("--max-agents", c.o.max_agents, "per group: a forecast Erlang C staffs above this is refused, the search stops at it")
    ->capture_default_str()
    ->check(CLI::Range(1, 100'000));
  c.o.jobs = std::max(1u, std::thread::hardware_concurrency());
  p->add_option("-j,--jobs", c.o.jobs, "intervals planned at once (threads)")->capture_default_str()->check(
    CLI::Range(1, 256));
  p->add_flag("-q,--quiet", c.quiet, "no line per interval");
  return p;
}

std::string with_suffix(const std::string& path, const std::string& suffix) {
  auto slash = path.find_last_of('/');
  auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return path + suffix;
  return path.substr(0, dot) + suffix + path.substr(dot);
}

namespace {

void write_file(const std::string& path, const std::function<void(std::ostream&)>& f) {
  std::ofstream out{path, std::ios::trunc};
  if (out)
    f(out);
  out.flush();
  if (!out)
    throw plan_error{"cannot write " + path};
}

} // namespace

int run_plan(plan_command& c) {
  try {
    auto cfg = engine::load_config(c.config_path, c.overrides);
    std::ifstream in{c.forecast_path};
    if (!in)
      throw plan_error{"cannot read the forecast " + c.forecast_path};
    auto f = read_forecast(in, cfg.domain);
    c.o.sl_target = c.sl_pct / 100;
    c.o.max_abandon = c.max_abandon_pct / 100;
    c.o.people.no_answer = c.no_answer_pct / 100;
    c.o.measure.warmup_s = c.warmup_min * 60;
    if (c.sl_s > 0)
      c.o.sl_s = c.sl_s;
    auto p = make_plan(cfg, f, c.o, [&](const interval_plan& ip, std::size_t done, std::size_t of) {
      if (c.quiet)
        return;
      unsigned ours = 0, theirs = 0;
      std::string per_group;
      for (std::size_t g = 0; g < ip.agents.size(); ++g) {
        ours += ip.agents[g];
        theirs += ip.erlang_c[g];
        if (ip.agents[g] > 0 || ip.erlang_c[g] > 0)
          per_group += " " + cfg.domain.groups[g].name + "=" + std::to_string(ip.agents[g]);
      }
      // The queue furthest from each target.
      std::string worst;
      double worst_sl = 2, worst_ab = -1;
      std::size_t sl_q = 0, ab_q = 0;
      for (std::size_t q = 0; q < ip.offered.size(); ++q) {
        if (ip.offered[q] <= 0)
          continue;
        auto& out = ip.planned.queues[q];
        if (out.service_level() < worst_sl) {
          worst_sl = out.service_level();
          sl_q = q;
        }
        if (out.abandon_rate() > worst_ab) {
          worst_ab = out.abandon_rate();
          ab_q = q;
        }
      }
      if (worst_ab >= 0)
        worst = fmt::format("; SL {:.1f} % ({}), abandoned {:.1f} % ({})", worst_sl * 100,
                            cfg.domain.queues[sl_q].name, worst_ab * 100, cfg.domain.queues[ab_q].name);
      std::cout << fmt::format("[{}/{}] {}: {} agents (Erlang C {}):{}{}{}  {} runs, {:.1f} s\n", done, of, ip.label,
                               ours, theirs, per_group, worst, ip.met ? "" : "  NOT MET", ip.runs, ip.real_s)
                << std::flush;
    });
    write_file(c.out_path, [&](std::ostream& out) { write_plan_csv(out, p); });
    auto queues_path = with_suffix(c.out_path, "-queues");
    write_file(queues_path, [&](std::ostream& out) { write_queues_csv(out, p); });
    if (!c.chart_path.empty())
      write_plan_chart(c.chart_path, p);

    double ours = agent_hours(p, false), theirs = agent_hours(p, true);
    auto unmet = std::count_if(p.intervals.begin(), p.intervals.end(), [](auto& ip) { return !ip.met; });
    std::cout << fmt::format("plan: {} intervals, {:.1f} agent-hours (Erlang C {:.1f}, {:+.1f} %); {} calls "
                             "simulated in {:.1f} s\n",
                             p.intervals.size(), ours, theirs, theirs > 0 ? (ours - theirs) / theirs * 100 : 0.0,
                             p.calls, p.real_s);
    std::cout << "wrote " << c.out_path << ", " << queues_path
              << (c.chart_path.empty() ? "" : ", " + c.chart_path) << "\n";
    if (unmet > 0) {
      std::cerr << "parley plan: " << unmet << " interval(s) cannot meet the targets (NOT MET above): more agents "
                << "stopped bringing them closer, or a group reached --max-agents " << c.o.max_agents
                << "; their rows hold the staffing that came closest\n";
      return 1;
    }
    return 0;
  } catch (const engine::config_error& e) {
    std::cerr << "parley plan: config error:\n" << e.what() << "\n";
  } catch (const forecast_error& e) {
    std::cerr << "parley plan: forecast " << c.forecast_path << ":\n" << e.what();
  } catch (const std::exception& e) {
    std::cerr << "parley plan: " << e.what() << "\n";
  }
  return 2;
}

} // namespace parley::sim
