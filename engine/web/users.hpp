// users: adding, changing and removing web users and their API tokens — the one place that
// checks names, roles, tenants and passwords, for `parleyd user ...`, the console's `user`
// command and the API's /api/v1/users. Runs on a store (one thread: the CLI, a store
// worker or a console job); every function answers "" or why not, in words for an operator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/user_store.hpp"

namespace parley::engine::web {

struct user_change {
  std::string name;
  std::optional<std::string> password;
  std::optional<std::string> role;     ///< viewer, supervisor, operator, admin
  std::optional<std::string> tenants;  ///< "a,b" or "*"
  /// A wallboard account (docs/pulse.md): a viewer whose browser session does not expire.
  std::optional<bool> wallboard{};
};

/// Why `name` cannot be a user or token name ("" when it can): 1..64 of [A-Za-z0-9._@-].
std::string name_problem(const std::string& name, const char* what);

/// Adds a user (password, role and tenants required).
std::string add_user(storage::user_store& st, const user_change& u, std::int64_t now_ms);
/// Changes what `u` names (a new password also ends the user's browser sessions).
std::string update_user(storage::user_store& st, const user_change& u, std::int64_t now_ms);
std::string remove_user(storage::user_store& st, const std::string& name);
/// Makes an API token labelled `label` for `user`; `token` gets it (shown once).
std::string add_token(storage::user_store& st, const std::string& user, const std::string& label,
                      std::int64_t now_ms, std::string& token);
std::string remove_token(storage::user_store& st, const std::string& user, const std::string& label);

/// A user as the API shows it (never the hash): name, role, tenants, created, changed, tokens.
nlohmann::json user_json(storage::user_store& st, const storage::user_row& u);

/// The current wall-clock time in milliseconds since the epoch.
std::int64_t now_ms();

} // namespace parley::engine::web
