#include "engine/user_cli.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "engine/web/users.hpp"
#include "storage/store.hpp"

namespace parley::engine {

namespace {

/// A password from stdin: one line with --password-stdin, else prompted twice without echo
/// on a terminal. "" (after saying why on stderr) when none could be read.
std::string read_password(bool from_stdin) {
  std::string a;
  if (from_stdin) {
    std::getline(std::cin, a);
    if (!a.empty() && a.back() == '\r')
      a.pop_back();
    return a;
  }
  if (!::isatty(STDIN_FILENO)) {
    std::cerr << "parleyd: no terminal to ask the password on; use --password-stdin\n";
    return {};
  }
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  auto quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string b;
  std::cerr << "password: " << std::flush;
  std::getline(std::cin, a);
  std::cerr << "\nagain: " << std::flush;
  std::getline(std::cin, b);
  std::cerr << "\n";
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  if (a != b) {
    std::cerr << "parleyd: the passwords differ\n";
    return {};
  }
  return a;
}

int answer(const std::string& why, const std::string& ok) {
  if (!why.empty()) {
    std::cerr << "parleyd: " << why << "\n";
    return 1;
  }
  std::cout << ok << "\n";
  return 0;
}

} // namespace

void add_user_commands(CLI::App& app, user_cli& u) {
  u.user = app.add_subcommand("user", "manage the web users and their API tokens, on the configured database");
  u.user->require_subcommand(1);
  u.add = u.user->add_subcommand("add", "add a user (the password is asked for, or read with --password-stdin)");
  u.add->add_option("NAME", u.name, "user name")->required();
  u.add->add_option("--role", u.role, "viewer, supervisor, operator or admin")->required();
  u.add->add_option("--tenants", u.tenants, "tenants the user sees, comma-separated, or *")->required();
  u.add->add_flag("--password-stdin", u.password_stdin, "read the password as one line from stdin");
  u.add->add_flag("--wallboard", u.wallboard,
                  "a wallboard account (a viewer for a TV: its browser session does not expire)");
  u.passwd = u.user->add_subcommand("passwd", "set a user's password (ends their browser sessions)");
  u.passwd->add_option("NAME", u.name, "user name")->required();
  u.passwd->add_flag("--password-stdin", u.password_stdin, "read the password as one line from stdin");
  u.set = u.user->add_subcommand("set", "change a user's role or tenants");
  u.set->add_option("NAME", u.name, "user name")->required();
  u.set->add_option("--role", u.role, "viewer, supervisor, operator or admin");
  u.set->add_option("--tenants", u.tenants, "tenants, comma-separated, or *");
  u.set->add_flag("--wallboard", u.wallboard, "make it a wallboard account (viewers only)");
  u.set->add_flag("--no-wallboard", u.not_wallboard, "make it an ordinary account");
  u.remove = u.user->add_subcommand("remove", "remove a user with their tokens and sessions");
  u.remove->add_option("NAME", u.name, "user name")->required();
  u.list = u.user->add_subcommand("list", "list the users (name, role, tenants, tokens)");
  auto* token = u.user->add_subcommand("token", "API tokens for scripts (Authorization: Bearer)");
  token->require_subcommand(1);
  u.token_add = token->add_subcommand("add", "make a token (printed once; only its digest is kept)");
  u.token_add->add_option("NAME", u.name, "user name")->required();
  u.token_add->add_option("LABEL", u.label, "what the token is for, unique per user")->required();
  u.token_remove = token->add_subcommand("remove", "revoke a token");
  u.token_remove->add_option("NAME", u.name, "user name")->required();
  u.token_remove->add_option("LABEL", u.label, "the token's label")->required();
}

int run_user_command(const config& cfg, const user_cli& u) {
  auto store = storage::open_store(store_config(cfg));
  store->migrate();
  auto& st = store->users();
  auto now = web::now_ms();
  if (u.add->parsed()) {
    if (auto why = web::name_problem(u.name, "a user"); !why.empty())
      return answer(why, "");  // before asking for a password
    auto pw = read_password(u.password_stdin);
    if (pw.empty())
      return answer("no password given", "");
    return answer(web::add_user(st, {u.name, pw, u.role, u.tenants, u.wallboard}, now), "user " + u.name + " added");
  }
  if (u.passwd->parsed()) {
    auto pw = read_password(u.password_stdin);
    if (pw.empty())
      return answer("no password given", "");
    return answer(web::update_user(st, {u.name, pw, {}, {}}, now), "password of " + u.name + " set");
  }
  if (u.set->parsed()) {
    web::user_change c{u.name, {}, {}, {}};
    if (!u.role.empty())
      c.role = u.role;
    if (!u.tenants.empty())
      c.tenants = u.tenants;
    if (u.wallboard || u.not_wallboard)
      c.wallboard = u.wallboard;
    return answer(web::update_user(st, c, now), "user " + u.name + " changed");
  }
  if (u.remove->parsed())
    return answer(web::remove_user(st, u.name), "user " + u.name + " removed");
  if (u.list->parsed()) {
    for (auto& row : st.users()) {
      std::string labels;
      for (auto& t : st.tokens(row.name))
        labels += (labels.empty() ? "" : ",") + t.label;
      std::cout << row.name << "  " << row.role << "  tenants=" << row.tenants
                << "  tokens=" << (labels.empty() ? "-" : labels) << (row.wallboard ? "  wallboard" : "") << "\n";
    }
    return 0;
  }
  if (u.token_add->parsed()) {
    if (!st.user(u.name))
      return answer("no user named \"" + u.name + "\"", "");
    std::string token;
    return answer(web::add_token(st, u.name, u.label, now, token), token);
  }
  if (u.token_remove->parsed())
    return answer(web::remove_token(st, u.name, u.label), "token " + u.label + " of " + u.name + " removed");
  return 2;
}

} // namespace parley::engine
