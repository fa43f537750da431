// logging: spdlog set-up for parleyd. One default logger to stderr, plus a file when
// log.file is set. Called once at start-up, before anything logs (and again by SIGUSR1).
#pragma once

#include <spdlog/common.h>

#include "engine/config.hpp"

namespace parley::engine {

/// Installs the default logger; throws config_error when the log file cannot be opened.
void setup_logging(const log_config& cfg);

/// spdlog's level for log.level.
spdlog::level::level_enum spdlog_level(log_level l) noexcept;

} // namespace parley::engine
