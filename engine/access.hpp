// access: the one permission model of the console (7123) and the HTTP API (docs/web.md).
//
// Four roles, each with everything the one below may do: viewer (reads) < supervisor (runs
// the contact center's work: campaigns, sequences, agent logout) < operator (changes data
// and settings: lists, do-not-call, log level) < admin (runs the engine and its users).
// Every console command and every API route names an action ("campaign.start"); the table
// in access.cpp says which role it needs. A console token grants a role to its connection;
// a web user has a role and the tenants it is scoped to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::engine {

enum class role : std::uint8_t { none = 0, viewer = 1, supervisor = 2, operator_ = 3, admin = 4 };

/// "none", "viewer", "supervisor", "operator", "admin".
const char* role_name(role r) noexcept;
/// The role a name gives ("viewer" ... "admin"); nullopt for anything else, "none" included.
std::optional<role> parse_role(std::string_view name) noexcept;

/// The role an action needs (console "campaign start" and API POST .../start are both
/// "campaign.start"). An action the table does not know needs admin: deny by default.
role needed_role(std::string_view action) noexcept;

/// Every action in the table with its role, for docs and tests.
struct action_rule {
  const char* action;
  role needs;
};
const std::vector<action_rule>& action_rules();

/// Who is asking: a console connection (every tenant) or a web user (their tenants).
struct principal {
  std::string name;                  ///< user name; "" for a console connection
  role level = role::none;
  std::vector<std::string> tenants;  ///< empty with all_tenants
  bool all_tenants = true;
  bool wallboard = false;           ///< a wallboard account (docs/pulse.md)

  bool may(std::string_view action) const noexcept { return level >= needed_role(action); }
  bool sees(const std::string& tenant) const;
};

/// "a,b" → {a, b}; "*" → all tenants. Blanks around names are dropped.
principal scoped(std::string name, role r, const std::string& tenants);

} // namespace parley::engine
