// Fuzz target: arbitrary text as a parleyd config file. Must end in a config or a
// config_error, never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    parley::engine::parse_config(text, "fuzz.toml");
  } catch (const parley::engine::config_error&) {
  }
  return 0;
}
