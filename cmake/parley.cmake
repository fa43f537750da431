# Helpers shared by every folder's CMakeLists.txt.

# parley_test(NAME SOURCES... [LIBS ...] [LABELS ...] [TIMEOUT S] [SERVICES svc...] [SERVICES_ONLY])
# A doctest executable registered with ctest. Tests find the built binaries and the
# source tree through the environment so they never guess paths.
#
# SERVICES (postgresql, redis): the executable has cases that need that service, named
# "... <svc>" (tests/support/storage_env.hpp). Each service gets a ctest entry of its own,
# NAME.svc, running only those cases: without the service it exits 77 and ctest shows it
# "Skipped" (a failure under PARLEY_REQUIRE_SERVICES=1, which the test command sets). The
# entry NAME runs every other case. SERVICES_ONLY: every case needs a service (no NAME entry).
function(parley_test name)
  cmake_parse_arguments(arg "SERVICES_ONLY" "TIMEOUT" "SOURCES;LIBS;LABELS;SERVICES" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE parley_test_main ${arg_LIBS})
  parley_sanitized_only_if(${name} "${arg_LABELS}")
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  set(entries "")
  if(NOT arg_SERVICES_ONLY)
    set(excluded "")
    foreach(svc IN LISTS arg_SERVICES)
      list(APPEND excluded "*<${svc}>*")
    endforeach()
    set(filter "")
    if(excluded)
      list(JOIN excluded "," excluded)
      set(filter "--test-case-exclude=${excluded}")
    endif()
    add_test(NAME ${name} COMMAND ${name} ${filter})
    list(APPEND entries ${name})
    parley_sanitized_test(${name} ${name} "${arg_LABELS}" ${arg_TIMEOUT} "" ${filter})
  endif()
  foreach(svc IN LISTS arg_SERVICES)
    add_test(NAME ${name}.${svc} COMMAND ${name} "--test-case=*<${svc}>*")
    list(APPEND entries ${name}.${svc})
    parley_sanitized_test(${name}.${svc} ${name} "${arg_LABELS}" ${arg_TIMEOUT} ""
      "--test-case=*<${svc}>*")
  endforeach()
  set_tests_properties(${entries} PROPERTIES
    TIMEOUT ${arg_TIMEOUT}
    LABELS "${arg_LABELS}"
    SKIP_RETURN_CODE 77
    ENVIRONMENT "PARLEY_SOURCE_DIR=${PROJECT_SOURCE_DIR};PARLEY_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()

# parley_sanitized_only_if(TARGET LABELS): the sanitizer build (PARLEY_SANITIZE) runs only the
# unit, scenario and integration tests (san.*, below), so it builds other test executables
# only on demand: its build time is CI time.
function(parley_sanitized_only_if target labels)
  if(NOT PARLEY_SANITIZE)
    return()
  endif()
  foreach(l unit scenario integration)
    if(l IN_LIST labels)
      return()
    endif()
  endforeach()
  set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL ON)
endfunction()

# parley_sanitized_test(TEST EXECUTABLE LABELS TIMEOUT EXTRA_ENV [ARGS...])
# With PARLEY_SANITIZED_DIR (a clang ASan + UBSan build of the same sources, made by
# scripts/test.sh), a unit, scenario or integration test runs a second time as san.TEST:
# that build's executable (with ARGS: the same case filter as TEST), with that build's
# parleyd and tools. A sanitizer report fails it; exit 77 is "Skipped" as for TEST.
set(PARLEY_SANITIZED_DIR "" CACHE PATH "a sanitizer build of this tree whose tests run as san.*")
function(parley_sanitized_test test exe labels timeout extra_env)
  if(NOT PARLEY_SANITIZED_DIR)
    return()
  endif()
  set(wanted FALSE)
  foreach(l unit scenario integration)
    if(l IN_LIST labels)
      set(wanted TRUE)
    endif()
  endforeach()
  if(NOT wanted)
    return()
  endif()
  add_test(NAME san.${test} COMMAND ${PARLEY_SANITIZED_DIR}/bin/${exe} ${ARGN})
  math(EXPR san_timeout "${timeout} * 3")
  set(supp ${PROJECT_SOURCE_DIR}/tests/sanitizers)
  set_tests_properties(san.${test} PROPERTIES
    TIMEOUT ${san_timeout}
    LABELS "sanitize"
    SKIP_RETURN_CODE 77
    ENVIRONMENT "PARLEY_SOURCE_DIR=${PROJECT_SOURCE_DIR};PARLEY_BINARY_DIR=${PARLEY_SANITIZED_DIR};ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1;LSAN_OPTIONS=suppressions=${supp}/lsan.supp:print_suppressions=0;UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=${supp}/ubsan.supp;${extra_env}")
endfunction()
