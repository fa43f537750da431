#include "engine/web/ui.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <sodium.h>

namespace parley::engine::web {

namespace {

std::string type_of(const std::string& path) {
  static const std::map<std::string, std::string> types{
      {".html", "text/html; charset=utf-8"},       {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},   {".mjs", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},                   {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"}};
  auto dot = path.rfind('.');
  auto it = dot == std::string::npos ? types.end() : types.find(path.substr(dot));
  return it == types.end() ? "application/octet-stream" : it->second;
}

ui_file make_file(const std::string& path, std::string body) {
  [[maybe_unused]] static const bool ready = sodium_init() >= 0;
  unsigned char d[16];
  crypto_generichash(d, sizeof d, reinterpret_cast<const unsigned char*>(body.data()), body.size(), nullptr, 0);
  std::string etag = "\"";
  for (auto b : d) {
    static const char* hex = "0123456789abcdef";
    etag += hex[b >> 4];
    etag += hex[b & 15];
  }
  etag += '"';
  return {std::move(body), type_of(path), std::move(etag)};
}

/// "/name.ext" with a plain name: nothing that could leave the folder.
bool plain(const std::string& path) {
  if (path.size() < 2 || path[0] != '/' || path[1] == '.')
    return false;
  for (std::size_t i = 1; i < path.size(); ++i) {
    char c = path[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace

std::optional<ui_file> ui_lookup(const std::string& request_path) {
  auto path = request_path == "/" ? std::string{"/index.html"} : request_path;
  if (!plain(path))
    return std::nullopt;
  if (const char* dir = std::getenv("PARLEY_UI_DIR"); dir && *dir) {
    std::ifstream in{std::string{dir} + path, std::ios::binary};
    if (!in)
      return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return make_file(path, text.str());
  }
  // Digests made once: the compiled-in files never change while the process runs.
  static const std::map<std::string, ui_file> files = [] {
    std::map<std::string, ui_file> m;
    for (auto& s : ui_sources())
      m.emplace(s.path, make_file(s.path, s.text));
    return m;
  }();
  auto it = files.find(path);
  if (it == files.end())
    return std::nullopt;
  return it->second;
}

} // namespace parley::engine::web
