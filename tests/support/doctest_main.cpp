// The main of every doctest executable. It runs doctest as usual and turns two situations
// into exit codes that ctest reports truthfully:
//  - a case skipped because a service it needs (PostgreSQL, Redis) is not configured, and
//    nothing failed: exit 77, which ctest shows as "Skipped" (SKIP_RETURN_CODE 77);
//  - no case ran at all (a --test-case filter that matches nothing): exit 1, so that a
//    ctest entry split off by a filter cannot pass without testing anything.
// The cases that need a service carry it in their name ("<postgresql>", "<redis>"; see
// storage_env.hpp), and cmake/parley.cmake registers such binaries once per service.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "support/storage_env.hpp"

int main(int argc, char** argv) {
  doctest::Context context{argc, argv};
  auto rc = context.run();
  if (context.shouldExit())
    return rc;  // --help, --list-test-cases, ...
  if (rc == 0 && parley::test::cases_run() == 0) {
    std::cerr << "no test case matched the filters\n";
    return 1;
  }
  if (rc == 0 && !parley::test::skipped_services().empty()) {
    std::cout << "SKIPPED: " << parley::test::skipped_services()
              << " not configured (the test command, scripts/test.sh, starts them)\n";
    return 77;
  }
  return rc;
}
