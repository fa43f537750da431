#include "engine/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace parley::engine {

void setup_logging(const log_config& cfg) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!cfg.file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.file));
    } catch (const spdlog::spdlog_ex& e) {
      throw config_error("log.file: cannot open \"" + cfg.file + "\": " + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("parley", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(cfg.level));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  if (!cfg.file.empty())
    spdlog::flush_every(std::chrono::seconds{1});  // a file sink buffers: keep it current
}

} // namespace parley::engine
