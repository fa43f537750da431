// The scenario driver's one test case: parse the file named by $PARLEY_SCENARIO and run it
// in the mode $PARLEY_SCENARIO_MODE names (tcp, the default, or virtual). ctest registers
// every file in both modes (tests/CMakeLists.txt); by hand:
//   PARLEY_SCENARIO=tests/scenarios/basic_lifecycle.scenario build/bin/scenario_runner
//   PARLEY_SCENARIO_MODE=virtual PARLEY_SCENARIO=... build/bin/scenario_runner
// PARLEY_SCENARIO_PARSE_ONLY=1 only parses the steps and validates the config (no engine).
// A file with `skip <mode>: why` exits with 77 in that mode (ctest: SKIPPED).
// In virtual mode the scenario runs $PARLEY_SCENARIO_RUNS times (default 2) and every run
// must deliver the same frames to the same clients at the same virtual times; the
// fingerprint it prints lets separate processes be compared too, and
// PARLEY_SCENARIO_FRAME_LOG=FILE writes the frames (one line each) for a closer look.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <doctest/doctest.h>

#include "scenario/scenario.hpp"
#include "support/test_env.hpp"

using namespace parley;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// The first line where two runs' frame logs differ, for the report.
std::string first_difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    auto x = i < a.size() ? a[i] : "(nothing)";
    auto y = i < b.size() ? b[i] : "(nothing)";
    if (x != y)
      return "frame " + std::to_string(i + 1) + ":\n    first run: " + x + "\n    this run:  " + y;
  }
  return {};
}

/// FNV-1a over every line: one number for a whole run.
std::uint64_t fingerprint(const std::vector<std::string>& lines) {
  std::uint64_t h = 1469598103934665603ull;
  for (auto& l : lines)
    for (unsigned char ch : l + "\n")
      h = (h ^ ch) * 1099511628211ull;
  return h;
}

} // namespace

TEST_CASE("scenario") {
  std::string path = env("PARLEY_SCENARIO");
  if (path.empty()) {
    MESSAGE("PARLEY_SCENARIO is not set: no scenario to run");
    return;
  }
  // A relative path that does not exist here is taken from the source tree.
  if (!std::ifstream{path} && path.front() != '/')
    path = test::source_dir() + "/" + path;
  auto mode_word = env("PARLEY_SCENARIO_MODE");
  auto m = scenario::mode_named(mode_word.empty() ? "tcp" : mode_word);
  REQUIRE_MESSAGE(m, "PARLEY_SCENARIO_MODE is '" << mode_word << "': tcp or virtual");
  scenario::script s;
  try {
    s = scenario::parse_file(path);
  } catch (const scenario::parse_error& e) {
    FAIL(std::string{e.what()});
  }
  if (env("PARLEY_SCENARIO_PARSE_ONLY") == "1") {
    try {
      engine::parse_config(s.toml, s.name, {});
    } catch (const std::exception& e) {
      FAIL(std::string{e.what()});
    }
    MESSAGE(s.name << ": " << s.steps.size() << " steps parsed, config valid");
    return;
  }
  if (auto skip = s.skip.find(*m); skip != s.skip.end()) {
    // doctest 2.4 cannot skip at run time: leave with ctest's SKIP_RETURN_CODE.
    std::printf("SKIPPED: %s in %s mode: %s\n", s.name.c_str(), scenario::mode_name(*m),
                skip->second.c_str());
    std::fflush(stdout);
    std::exit(77);
  }
  auto runs = 1;
  if (*m == scenario::mode::virtual_time) {
    auto word = env("PARLEY_SCENARIO_RUNS");
    runs = word.empty() ? 2 : std::atoi(word.c_str());
    REQUIRE_MESSAGE(runs >= 1, "PARLEY_SCENARIO_RUNS is '" << word << "': a number of runs, 1 or more");
  }
  std::vector<std::string> first;
  for (int run = 1; run <= runs; ++run) {
    auto r = scenario::run(s, *m);
    if (!r.passed)
      return;
    if (run == 1) {
      first = std::move(r.frames);
      continue;
    }
    auto diff = first_difference(first, r.frames);
    if (!diff.empty())
      FAIL(s.name << ": run " << run << " differs from run 1 (the virtual mode must be "
                                         "deterministic); first difference at "
                  << diff);
  }
  if (*m != scenario::mode::virtual_time)
    return;
  if (auto file = env("PARLEY_SCENARIO_FRAME_LOG"); !file.empty()) {
    std::ofstream out{file};
    for (auto& l : first)
      out << l << "\n";
  }
  char print[17];
  std::snprintf(print, sizeof print, "%016llx", static_cast<unsigned long long>(fingerprint(first)));
  MESSAGE(s.name << ": " << runs << " run(s) delivered the same " << first.size()
                 << " frames in the same order at the same virtual times; fingerprint " << print);
}
