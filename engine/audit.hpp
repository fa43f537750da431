// audit: the audit log of every state-changing command, from the console (7123) and the
// HTTP API alike: one JSON line each in `console.audit_file` (default
// <data_dir>/audit.log): time (RFC 3339 UTC, ms), peer, level (the role), user (web only),
// command, result ("ok" or the error). Thread-safe; one instance per engine.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "engine/access.hpp"

namespace parley::engine {

struct config;

/// `console.audit_file`, or <data_dir>/audit.log.
std::string audit_file(const config& cfg);

class audit_log {
public:
  explicit audit_log(std::string path) : path_(std::move(path)) {}
  /// `user` is the web user ("" for a console connection: no `user` field).
  void write(const std::string& peer, role level, const std::string& command,
             const std::string& result, const std::string& user = "");
  /// The last `limit` lines (JSON objects, oldest first), read from the file's last 8 MiB.
  std::vector<std::string> tail(std::size_t limit);
  const std::string& path() const noexcept { return path_; }

private:
  std::mutex mx_;
  std::string path_;
};

/// `s` as the inside of a JSON string: quotes and backslashes escaped, control characters
/// as blanks.
std::string json_escape(const std::string& s);

} // namespace parley::engine
