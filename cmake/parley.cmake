# Helpers shared by every folder's CMakeLists.txt.

# parley_test(NAME SOURCES... [LIBS ...] [LABELS ...])
# A doctest executable registered with ctest. Tests find the built binaries and the
# source tree through the environment so they never guess paths.
function(parley_test name)
  cmake_parse_arguments(arg "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE parley_test_main ${arg_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${arg_TIMEOUT}
    LABELS "${arg_LABELS}"
    SKIP_RETURN_CODE 77
    ENVIRONMENT "PARLEY_SOURCE_DIR=${PROJECT_SOURCE_DIR};PARLEY_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
