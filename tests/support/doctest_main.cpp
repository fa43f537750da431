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

#include <csignal>
#include <iostream>

#include <execinfo.h>
#include <unistd.h>

#include "support/storage_env.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define PARLEY_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PARLEY_TEST_ASAN 1
#endif
#endif

#ifndef PARLEY_TEST_ASAN
namespace {

/// A test binary that aborts (glibc's "double free", an assert) or crashes prints where,
/// so that a rare failure in CI can be found from its log alone (addr2line -e BINARY ADDR).
void print_backtrace(int signo) {
  static const char head[] = "\n*** fatal signal; backtrace (addr2line -Cfe the binary the +offsets):\n";
  if (::write(STDERR_FILENO, head, sizeof head - 1) < 0)
    return;
  void* frames[64];
  ::backtrace_symbols_fd(frames, ::backtrace(frames, 64), STDERR_FILENO);
  std::signal(signo, SIG_DFL);
  std::raise(signo);
}

} // namespace
#endif

int main(int argc, char** argv) {
#ifndef PARLEY_TEST_ASAN
  // (Sanitizer builds report crashes themselves, better.)
  {
    void* warm[1];
    ::backtrace(warm, 1);  // loads libgcc now, not inside the handler
  }
  for (int s : {SIGABRT, SIGSEGV, SIGBUS})
    std::signal(s, print_backtrace);
#endif
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
