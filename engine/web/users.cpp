#include "engine/web/users.hpp"

#include <chrono>

#include "engine/access.hpp"
#include "engine/web/secrets.hpp"
#include "storage/store.hpp"

namespace parley::engine::web {

namespace {

std::string tenants_problem(const std::string& tenants) {
  auto p = scoped("", role::viewer, tenants);
  if (!p.all_tenants && p.tenants.empty())
    return "tenants must name at least one tenant, or * for every tenant";
  for (auto& t : p.tenants)
    if (auto why = name_problem(t, "a tenant"); !why.empty())
      return why;
  return {};
}

std::string role_problem(const std::string& r) {
  return parse_role(r) ? "" : "role must be viewer, supervisor, operator or admin, not \"" + r + "\"";
}

/// Runs a store call, turning a storage_error that is not transient into its message.
template <class F>
std::string guarded(F f) {
  try {
    return f();
  } catch (const storage::storage_error& e) {
    if (e.transient())
      throw;
    return e.what();
  }
}

std::string iso(std::int64_t ms) {
  auto t = std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
  auto s = std::chrono::floor<std::chrono::seconds>(t);
  auto tt = std::chrono::system_clock::to_time_t(s);
  char buf[32];
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::string name_problem(const std::string& name, const char* what) {
  if (name.empty() || name.size() > 64)
    return std::string{what} + " name needs 1 to 64 characters";
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '@')
      return std::string{what} + " name may hold letters, digits and . _ - @ only: \"" + name + "\"";
  return {};
}

/// A wallboard account is a viewer: a screen on a wall changes nothing.
std::string wallboard_problem(const std::string& role, bool wallboard) {
  return wallboard && role != "viewer" ? "a wallboard account must have the viewer role" : "";
}

std::string add_user(storage::user_store& st, const user_change& u, std::int64_t now) {
  if (auto why = name_problem(u.name, "a user"); !why.empty())
    return why;
  if (!u.password || !u.role || !u.tenants)
    return "a new user needs a password, a role and tenants";
  for (auto why : {password_problem(*u.password), role_problem(*u.role), tenants_problem(*u.tenants),
                   wallboard_problem(*u.role, u.wallboard.value_or(false))})
    if (!why.empty())
      return why;
  return guarded([&] {
    st.add_user({u.name, hash_password(*u.password), *u.role, *u.tenants, now, now, u.wallboard.value_or(false)});
    return std::string{};
  });
}

std::string update_user(storage::user_store& st, const user_change& u, std::int64_t now) {
  auto row = st.user(u.name);
  if (!row)
    return "no user named \"" + u.name + "\"";
  if (u.password) {
    if (auto why = password_problem(*u.password); !why.empty())
      return why;
    row->password_hash = hash_password(*u.password);
  }
  if (u.role) {
    if (auto why = role_problem(*u.role); !why.empty())
      return why;
    row->role = *u.role;
  }
  if (u.tenants) {
    if (auto why = tenants_problem(*u.tenants); !why.empty())
      return why;
    row->tenants = *u.tenants;
  }
  if (u.wallboard)
    row->wallboard = *u.wallboard;
  if (auto why = wallboard_problem(row->role, row->wallboard); !why.empty())
    return why;
  row->changed_ms = now;
  return st.update_user(*row) ? "" : "no user named \"" + u.name + "\"";
}

std::string remove_user(storage::user_store& st, const std::string& name) {
  return st.remove_user(name) ? "" : "no user named \"" + name + "\"";
}

std::string add_token(storage::user_store& st, const std::string& user, const std::string& label,
                      std::int64_t now, std::string& token) {
  if (auto why = name_problem(label, "a token"); !why.empty())
    return why;
  auto t = random_token();
  auto why = guarded([&] {
    st.add_token({token_digest(t), user, label, now});
    return std::string{};
  });
  if (why.empty())
    token = t;
  return why;
}

std::string remove_token(storage::user_store& st, const std::string& user, const std::string& label) {
  return st.remove_token(user, label) ? "" : "user \"" + user + "\" has no token labelled \"" + label + "\"";
}

nlohmann::json user_json(storage::user_store& st, const storage::user_row& u) {
  auto p = scoped(u.name, parse_role(u.role).value_or(role::none), u.tenants);
  nlohmann::json tokens = nlohmann::json::array();
  for (auto& t : st.tokens(u.name))
    tokens.push_back({{"label", t.label}, {"created", iso(t.created_ms)}});
  return {{"name", u.name},
          {"role", u.role},
          {"tenants", p.all_tenants ? nlohmann::json::array({"*"}) : nlohmann::json(p.tenants)},
          {"created", iso(u.created_ms)},
          {"changed", iso(u.changed_ms)},
          {"wallboard", u.wallboard},
          {"tokens", tokens}};
}

} // namespace parley::engine::web
