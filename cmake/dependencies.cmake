# Every dependency comes from a Debian package (scripts/install-deps.sh installs them).

find_package(Threads REQUIRED)

# CAF 0.17 ships no CMake config: wrap the libraries ourselves.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
add_library(CAF::core UNKNOWN IMPORTED)
set_target_properties(CAF::core PROPERTIES
  IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)

find_package(Boost 1.74 REQUIRED)                # Asio and Beast are header-only
find_package(OpenSSL REQUIRED)                   # TLS on the protocol listeners (Asio SSL)
find_package(FlatBuffers CONFIG REQUIRED)        # flatbuffers::flatbuffers, flatbuffers::flatc
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(doctest REQUIRED)
find_package(benchmark REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(LIBSODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(SQLite3 REQUIRED)
find_package(date CONFIG REQUIRED)              # date::date-tz: IANA zones (system tzdata)
find_package(nlohmann_json 3 REQUIRED)         # JSON text for stored properties
find_package(Python3 COMPONENTS Interpreter)
