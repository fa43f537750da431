// logging: spdlog set-up for parleyd. One default logger to stderr, plus a file when
// log.file is set. Called once at start-up, before anything logs.
#pragma once

#include "engine/config.hpp"

namespace parley::engine {

/// Installs the default logger; throws config_error when the log file cannot be opened.
void setup_logging(const log_config& cfg);

} // namespace parley::engine
