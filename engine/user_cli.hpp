// user_cli: `parleyd user ...`, the web users managed from a shell on the engine's host,
// straight on the configured database (SQLite or PostgreSQL; migrated first). A running
// engine sees the change within 5 s (engine/web/auth.hpp).
//
//   parleyd user add NAME --role ROLE --tenants T[,T...]|* [--wallboard]  (password: prompted, or --password-stdin)
//   parleyd user passwd NAME                                 (ends the user's browser sessions)
//   parleyd user set NAME [--role ROLE] [--tenants ...] [--wallboard|--no-wallboard]
//   parleyd user remove NAME
//   parleyd user list
//   parleyd user token add NAME LABEL                         (prints the token once)
//   parleyd user token remove NAME LABEL
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "engine/config.hpp"

namespace parley::engine {

/// What the subcommands parsed into.
struct user_cli {
  CLI::App* user = nullptr;
  CLI::App *add = nullptr, *passwd = nullptr, *set = nullptr, *remove = nullptr, *list = nullptr;
  CLI::App *token_add = nullptr, *token_remove = nullptr;
  std::string name, label, role, tenants;
  bool password_stdin = false;
  bool wallboard = false, not_wallboard = false;
};

/// Adds `user` and its subcommands to `app`.
void add_user_commands(CLI::App& app, user_cli& u);

/// Runs the parsed subcommand on `cfg`'s database; the process exit code (0 ok, 1 refused or
/// failed, with the reason on stderr).
int run_user_command(const config& cfg, const user_cli& u);

} // namespace parley::engine
