// parley-guard: the performance regression guard (guard.hpp, bench/README.md).
//   parley-guard run [--baseline FILE] [--write-baseline FILE] [--native] [--keep]
//   parley-guard engine        (the engine side; the driver starts it under valgrind)
// Exit status: 0 every figure within the baseline's tolerance (or the baseline written),
// 1 a figure grew past it or the run failed, 77 cannot measure here (no valgrind, or a
// baseline taken with another compiler or build type) — ctest shows that as "Skipped".
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bench/guard/guard.hpp"
#include "bench/guard/valgrind_child.hpp"

namespace {

using namespace parley::guard;

std::string grouped(double v) {
  auto s = std::to_string(static_cast<std::uint64_t>(std::llround(v)));
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string pct(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f %%", 100 * x);
  return buf;
}

bool required() {
  auto* v = std::getenv("PARLEY_REQUIRE_SERVICES");
  return v && std::string{v} == "1";
}

std::string today() {
  char buf[32];
  auto t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

} // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string{argv[1]} == "engine")
    return run_engine_side();
  CLI::App app{"parley-guard: instructions per lifecycle, statistic notification and dial "
               "attempt under callgrind, compared with a committed baseline"};
  app.require_subcommand(1);
  auto* run = app.add_subcommand("run", "measure (and compare, or write the baseline)");
  std::string baseline_path, write_path, valgrind = "valgrind";
  bool native = false, keep = false;
  // Measured run-to-run spread (docs/benchmarks.md, "Regression guard"): at most 4.2 % for
  // the engine figures and 35 % for the storage ones (SQLite commit batching follows timing),
  // idle or with the other core busy. The tolerances stay well clear of both.
  double tolerance = 0.10, storage_tolerance = 0.60;
  run->add_option("--baseline", baseline_path, "compare with this baseline.json");
  run->add_option("--write-baseline", write_path, "write the figures as the new baseline here");
  run->add_option("--tolerance", tolerance, "with --write-baseline: the growth allowed (0.10 = 10 %)")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  run->add_option("--storage-tolerance", storage_tolerance,
                  "with --write-baseline: the growth allowed for the *.storage figures")
    ->check(CLI::Range(0.0, 1.0))
    ->capture_default_str();
  run->add_option("--valgrind", valgrind, "the valgrind binary")->capture_default_str();
  run->add_flag("--native", native, "no valgrind: only run the workloads (a smoke test; counts nothing)");
  run->add_flag("--keep", keep, "keep the callgrind dumps and the engine log");
  CLI11_PARSE(app, argc, argv);

  baseline base;
  if (!baseline_path.empty()) {
    try {
      base = read_baseline(baseline_path);
    } catch (const std::exception& e) {
      std::cerr << "parley-guard: " << e.what() << "\n";
      return 1;
    }
    if (base.build != build_id() && !native) {
      std::cout << "parley-guard: the baseline holds for \"" << base.build << "\"; this binary is \""
                << build_id() << "\": instruction counts are not comparable. Skipped.\n";
      return 77;
    }
  }
  if (!native && !valgrind_available(valgrind)) {
    std::cout << "parley-guard: " << valgrind << " not found (scripts/install-deps.sh installs it)\n";
    return required() ? 1 : 77;
  }

  std::vector<figure> figs;
  try {
    valgrind_child child{native ? "" : valgrind, keep};
    auto ports = child.start();
    region_control rc{[&] { child.command("start"); }, [&](const std::string& n) { child.command("stop " + n); }};
    sizes s;
    figs.push_back(lifecycle_workload(ports, s, rc));
    figs.push_back(stats_workload(ports, s, rc));
    figs.push_back(dial_workload(ports, s, rc));
    auto counted = child.finish();
    for (auto& f : figs) {
      if (!native && !counted.count(f.name))
        throw std::runtime_error("no callgrind dump for region " + f.name);
      f.instructions = native ? 0 : counted[f.name].total;
      f.storage = native ? 0 : counted[f.name].storage;
    }
    figs = split_storage(figs);
  } catch (const std::exception& e) {
    std::cerr << "parley-guard: " << e.what() << "\n";
    return 1;
  }

  std::cout << "parley-guard: instructions per operation (callgrind Ir, engine side), " << build_id() << "\n";
  if (native) {
    for (auto& f : figs)
      std::cout << "  " << f.name << ": " << f.ops << " ops ran (native: nothing counted)\n";
    return 0;
  }
  if (!write_path.empty()) {
    write_baseline(write_path, figs, tolerance, storage_tolerance, today());
    for (auto& f : figs)
      std::cout << "  " << f.name << ": " << grouped(f.per_op()) << " per op over " << f.ops << "\n";
    std::cout << "baseline written to " << write_path << " (tolerance " << pct(tolerance)
              << ", storage " << pct(storage_tolerance) << ")\n";
    return 0;
  }
  bool failed = false, improved = false;
  std::printf("  %-26s %6s %16s %16s %10s %10s  %s\n", "figure", "ops", "instructions/op", "baseline",
              "change", "tolerance", "verdict");
  for (auto& f : figs) {
    auto it = base.per_op.find(f.name);
    if (it == base.per_op.end()) {
      std::printf("  %-26s %6llu %16s %16s %10s %10s  %s\n", f.name.c_str(), (unsigned long long)f.ops,
                  grouped(f.per_op()).c_str(), "-", "-", "-", baseline_path.empty() ? "" : "not in the baseline");
      failed |= !baseline_path.empty();
      continue;
    }
    auto change = f.per_op() / it->second - 1;
    auto tol = base.tolerance[f.name];
    bool bad = change > tol;
    bool better = change < -tol;
    failed |= bad;
    improved |= better;
    std::printf("  %-26s %6llu %16s %16s %10s %10s  %s\n", f.name.c_str(), (unsigned long long)f.ops,
                grouped(f.per_op()).c_str(), grouped(it->second).c_str(), pct(change).c_str(), pct(tol).c_str(),
                bad ? "GREW past the tolerance" : better ? "better (update the baseline to keep the gain)" : "ok");
  }
  if (!baseline_path.empty())
    std::cout << "tolerances: docs/benchmarks.md, \"Regression guard\"\n";
  if (failed)
    std::cout << "FAILED: a figure grew past baseline x (1 + tolerance). If the growth is the price of a "
                 "deliberate change, update the baseline in the same commit and say why.\n";
  std::cout << "To update the baseline: bench/guard/update-baseline.sh [BUILD_DIR] rewrites "
               "bench/guard/baseline.json from a run"
            << (improved ? " (do it to keep the gain: a figure dropped past its tolerance)" : "") << ".\n";
  return failed ? 1 : 0;
}
