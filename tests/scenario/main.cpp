// The scenario driver's one test case: parse the file named by $PARLEY_SCENARIO and run it.
// ctest registers one test per file (tests/CMakeLists.txt); by hand:
//   PARLEY_SCENARIO=tests/scenarios/basic_lifecycle.scenario build/bin/scenario_runner
// PARLEY_SCENARIO_PARSE_ONLY=1 only parses the steps and validates the config (no engine).
#include <cstdlib>
#include <fstream>

#include <doctest/doctest.h>

#include "scenario/scenario.hpp"
#include "support/test_env.hpp"

using namespace parley;

TEST_CASE("scenario") {
  const char* env = std::getenv("PARLEY_SCENARIO");
  if (!env || !*env) {
    MESSAGE("PARLEY_SCENARIO is not set: no scenario to run");
    return;
  }
  std::string path = env;
  // A relative path that does not exist here is taken from the source tree.
  if (!std::ifstream{path} && path.front() != '/')
    path = test::source_dir() + "/" + path;
  scenario::script s;
  try {
    s = scenario::parse_file(path);
  } catch (const scenario::parse_error& e) {
    FAIL(std::string{e.what()});
  }
  const char* parse_only = std::getenv("PARLEY_SCENARIO_PARSE_ONLY");
  if (parse_only && std::string{parse_only} == "1") {
    try {
      engine::parse_config(s.toml, s.name, {});
    } catch (const std::exception& e) {
      FAIL(std::string{e.what()});
    }
    MESSAGE(s.name << ": " << s.steps.size() << " steps parsed, config valid");
    return;
  }
  scenario::run(s);
}
