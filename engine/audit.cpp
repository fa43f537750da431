#include "engine/audit.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>

#include <date/date.h>
#include <spdlog/spdlog.h>

#include "engine/config.hpp"

namespace parley::engine {

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20)
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string audit_file(const config& cfg) {
  return cfg.console.audit_file.empty() ? cfg.data_dir + "/audit.log" : cfg.console.audit_file;
}

void audit_log::write(const std::string& peer, role level, const std::string& command,
                      const std::string& result, const std::string& user) {
  auto now = date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::string line = "{\"time\":\"" + date::format("%FT%TZ", now) + "\",\"peer\":\"" + json_escape(peer)
                     + "\",\"level\":\"" + role_name(level) + "\"";
  if (!user.empty())
    line += ",\"user\":\"" + json_escape(user) + "\"";
  line += ",\"command\":\"" + json_escape(command) + "\",\"result\":\"" + json_escape(result) + "\"}\n";
  std::lock_guard lock{mx_};
  std::ofstream out{path_, std::ios::app};
  out << line;
  if (!out)
    spdlog::error("cannot write the audit log {}", path_);
}

std::vector<std::string> audit_log::tail(std::size_t limit) {
  constexpr std::streamoff window = 8 << 20;
  std::string text;
  {
    std::lock_guard lock{mx_};
    std::ifstream in{path_, std::ios::binary};
    if (!in)
      return {};
    in.seekg(0, std::ios::end);
    auto size = static_cast<std::streamoff>(in.tellg());
    auto from = std::max<std::streamoff>(0, size - window);
    in.seekg(from);
    text.resize(static_cast<std::size_t>(size - from));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (from > 0)  // the first line is cut
      text.erase(0, text.find('\n') == std::string::npos ? text.size() : text.find('\n') + 1);
  }
  std::vector<std::string> lines;
  std::size_t end = text.size();
  while (end > 0 && lines.size() < limit) {
    if (text[end - 1] == '\n')
      --end;
    auto b = text.rfind('\n', end == 0 ? 0 : end - 1);
    auto start = b == std::string::npos ? 0 : b + 1;
    if (end > start)
      lines.push_back(text.substr(start, end - start));
    if (b == std::string::npos)
      break;
    end = b + 1;
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

} // namespace parley::engine
