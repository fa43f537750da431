// The console's `user` command (admin): the web users and their API tokens, on a job with
// its own store connection (engine/web/users.hpp does the checks, as for `parleyd user` and
// /api/v1/users). A new user's or a reset password is made here and shown once; nothing
// secret is typed on the command line, so the audit log (which records the command line)
// holds none. A running web session sees the change within 5 s.
#include <sstream>

#include <caf/all.hpp>

#include "engine/console/console_state.hpp"
#include "engine/web/secrets.hpp"
#include "engine/web/users.hpp"

namespace parley::engine {

namespace {

const char* usage =
  "usage: user list | user add NAME ROLE TENANTS | user passwd NAME | user set NAME "
  "role=ROLE|tenants=T,...|wallboard=yes|no | user remove NAME | user token add|remove NAME LABEL";

/// A password of 20 random characters (base64url), shown once.
std::string new_password() {
  return web::random_token().substr(0, 20);
}

} // namespace

void run_user(console_self self, const std::vector<std::string>& w, const std::string& line) {
  auto n = w.size();
  bool listing = n == 2 && w[1] == "list";
  bool known = listing || (n == 5 && w[1] == "add") || (n == 3 && (w[1] == "passwd" || w[1] == "remove"))
               || (n >= 4 && w[1] == "set") || (n == 5 && w[1] == "token" && (w[2] == "add" || w[2] == "remove"));
  if (!known) {
    fail(self, usage);
    return;
  }
  if (!listing)
    self->state.job_line = line;
  auto store_cfg = store_config(self->state.env->cfg);
  auto console = caf::actor{self};
  self->system().spawn<caf::detached>([=](caf::event_based_actor* job) {
    auto answer = [&](const std::string& text) { job->send(console, import_atom_v, text); };
    auto said = [&](const std::string& why, const std::string& ok) {
      answer(why.empty() ? ok + "\n" : "error: " + why + "\n");
    };
    try {
      auto store = storage::open_store(store_cfg);
      auto& st = store->users();
      auto now = web::now_ms();
      if (listing) {
        std::ostringstream o;
        auto all = st.users();
        for (auto& u : all) {
          std::string labels;
          for (auto& t : st.tokens(u.name))
            labels += (labels.empty() ? "" : ",") + t.label;
          o << pad(u.name, 20) << pad(u.role, 11) << pad("tenants=" + u.tenants, 24)
            << "tokens=" << (labels.empty() ? "-" : labels) << "\n";
        }
        answer(o.str() + std::to_string(all.size()) + " user(s)\n");
      } else if (w[1] == "add") {
        auto pw = new_password();
        said(web::add_user(st, {w[2], pw, w[3], w[4]}, now),
             "user " + w[2] + " added; password (shown once): " + pw);
      } else if (w[1] == "passwd") {
        auto pw = new_password();
        said(web::update_user(st, {w[2], pw, {}, {}}, now),
             "password of " + w[2] + " reset (browser sessions ended); new password (shown once): " + pw);
      } else if (w[1] == "set") {
        web::user_change c{w[2], {}, {}, {}};
        for (std::size_t i = 3; i < w.size(); ++i) {
          auto eq = w[i].find('=');
          auto key = w[i].substr(0, eq), value = eq == std::string::npos ? "" : w[i].substr(eq + 1);
          if (key == "role")
            c.role = value;
          else if (key == "tenants")
            c.tenants = value;
          else if (key == "wallboard" && (value == "yes" || value == "no"))
            c.wallboard = value == "yes";
          else
            return answer(std::string{"error: "} + usage + "\n");
        }
        said(web::update_user(st, c, now), "user " + w[2] + " changed");
      } else if (w[1] == "remove") {
        said(web::remove_user(st, w[2]), "user " + w[2] + " removed");
      } else if (w[2] == "add") {
        if (!st.user(w[3]))
          return said("no user named \"" + w[3] + "\"", "");
        std::string token;
        auto why = web::add_token(st, w[3], w[4], now, token);
        said(why, "token " + w[4] + " of " + w[3] + " (shown once): " + token);
      } else {
        said(web::remove_token(st, w[3], w[4]), "token " + w[4] + " of " + w[3] + " removed");
      }
    } catch (const std::exception& e) {
      answer(std::string{"error: "} + e.what() + "\n");
    }
  });
}

} // namespace parley::engine
