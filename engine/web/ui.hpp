// ui: the web UI's files (engine/web/ui/: plain HTML, CSS and ES modules, no build step),
// compiled into parleyd by cmake/embed_ui.cmake and served by web_server at / — nothing is
// fetched from elsewhere. For work on the UI, PARLEY_UI_DIR=<folder> makes parleyd read the
// files from that folder at every request instead (docs/ui.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace parley::engine::web {

/// One compiled-in file: its path under / and its text.
struct ui_source {
  const char* path;
  const char* text;
};

/// Generated (ui_files.cpp): every file of engine/web/ui/.
const std::vector<ui_source>& ui_sources();

/// A file ready to serve.
struct ui_file {
  std::string body;
  std::string type;  ///< Content-Type
  std::string etag;  ///< a quoted digest of the body
};

/// The file for a request path ("/" is /index.html), or nothing: no such file, or a path
/// that is not one plain name.
std::optional<ui_file> ui_lookup(const std::string& path);

} // namespace parley::engine::web
