#include "engine/console/console_actor.hpp"

#include <iomanip>
#include <sstream>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/directory/directory_actor.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/views.hpp"
#include "engine/ask_limit.hpp"
#include "engine/console/console_state.hpp"
#include "engine/list_jobs.hpp"

namespace parley::engine {

const std::vector<console_command>& console_commands() {
  // Never destroyed: console actors may still run while an embedding program exits.
  static const auto* all = new std::vector<console_command>{
    {"help", role::none, "help [COMMAND]", "list the commands, or explain one"},
    {"auth", role::none, "auth TOKEN", "raise this connection's level with a configured token"},
    {"quit", role::none, "quit", "close this connection"},
    {"status", role::viewer, "status",
     "uptime, connections, interactions and agents by state, queues, storage"},
    {"show", role::viewer,
     "show connections|agents|queues|interactions|stats|lists|campaigns|sequences|gateways|ha "
     "[key=value ...] "
     "[limit=N]",
     "list objects live; filters: type= (connections), state= tenant= (agents), tenant= "
     "(queues), state= queue= tenant= (interactions); limit defaults to 50"},
    {"trace", role::viewer, "trace interaction ID",
     "stream the interaction's events live; send any line to stop (after end of input it "
     "streams until the interaction stops)"},
    {"set", role::operator_, "set log-level LEVEL",
     "trace, debug, info, warn, error, critical or off"},
    {"list", role::operator_,
     "list import NAME FILE [--append] [--dedupe] [--mapping=SAVED] [MAPPING] | list export NAME FILE | "
     "list delete NAME",
     "import a CSV file from outbound.import_dir into contact list NAME (created when missing); "
     "MAPPING: field=Column,... e.g. phone=Phone Number,tz=Zone,customer=CustID, over the pairs of "
     "a mapping saved over the API with --mapping=SAVED; the same file "
     "contents twice into one list are refused unless --append; --dedupe skips phones the list "
     "(or an earlier row) has; export writes the list with its results to a new FILE there; "
     "delete removes a list no running or paused campaign uses, with its records and imports "
     "(dial attempts and denials are kept)"},
    {"campaign", role::supervisor,
     "campaign start|stop|pause|resume|status NAME | campaign audit NAME [DAYS] | campaign "
     "actions NAME [N]",
     "control an outbound campaign (status, audit and actions need the viewer level only); audit "
     "proves the rules from the stored attempts: abandon rate over DAYS (default the "
     "campaign's abandon_window_days) against its cap, answered calls offered to an agent "
     "within 2 s; actions lists the last N (20) things agents' desktops did with records"},
    {"sequence", role::supervisor, "sequence start NAME [STEP] | sequence stop|status NAME",
     "run a campaign sequence ([[sequences]]): start at its first step (or STEP, from 1) — each "
     "step's campaign runs until the next takes over; stop stops the running step's campaign "
     "too (status needs the viewer level only)"},
    {"schedule", role::operator_, "schedule status | schedule enable|disable N",
     "the [[schedule]] entries as they run: number, cron and zone, what each does, enabled, the "
     "next firing, the last one and what it did (status: viewer level); disable N keeps entry N "
     "from firing until enable N or the next start of parleyd"},
    {"report", role::viewer,
     "report NAME --from DATE [--to DATE] [--tz ZONE] [--by 15m|hour|day|week|month|quarter|year|total] "
     "[--queue Q|--agent A|--campaign C|--group G|--tenant T] [--sl parley|genesys|connect] [--csv FILE] | "
     "report status | "
     "report rebuild --from DATE [--to DATE] | report retention",
     "historical reports (docs/reporting.md): queue-summary, tenant-summary, agent-summary, group-summary, "
     "not-ready, agent-states, interactions, abandon-delay, speed-of-accept, campaign-summary, "
     "campaign-compliance; DATE is "
     "YYYY-MM-DD or YYYY-MM-DDTHH:MM in ZONE (default the reporting zone); --csv writes a new FILE in "
     "outbound.import_dir; status shows the fact writer's watermark and lag and what retention left; "
     "rebuild (admin) recomputes the aggregates of a range from the facts; retention (admin) deletes now "
     "what reporting.events_days, facts_days and aggregates_days no longer keep"},
    {"dnc", role::operator_, "dnc add|remove|check phone|sms|email|customer VALUE",
     "the do-not-call list: add or remove an entry, or check one (check: viewer level); "
     "dnc import phone|sms|email|customer FILE adds a CSV from outbound.import_dir; kinds: phone "
     "(no call nor text to the number), sms (no text), email (an address), customer (every media)"},
    {"agent", role::supervisor, "agent logout ID",
     "log an agent out as if its desktop disconnected (its interactions go back to their queues)"},
    {"interaction", role::admin, "interaction stop ID [REASON]",
     "stop an interaction (stuck work: its gateway went away); reported as stopped, a waiting "
     "one is cleared from its queue, not counted as abandoned"},
    {"queue", role::admin, "queue clear NAME [REASON]",
     "stop every interaction waiting in queue NAME (cleared, not abandoned)"},
    {"user", role::admin,
     "user list | user add NAME ROLE TENANTS | user passwd NAME | user set NAME role=R tenants=T,... "
     "| user remove NAME | user token add|remove NAME LABEL",
     "web users (docs/web.md): ROLE viewer, supervisor, operator or admin; TENANTS a,b or *; add "
     "and passwd make a password and show it once; token add shows the API token once"},
    {"drain", role::admin, "drain",
     "stop taking new work: close the listeners, refuse new requests, finish what is in flight"},
    {"undrain", role::admin, "undrain",
     "take new work again after drain: reopen the listeners on their ports"},
    {"reload", role::admin, "reload",
     "read the config file again and apply it as SIGHUP does (reloadable keys only, all or nothing)"},
    {"shutdown", role::admin, "shutdown", "stop the engine gracefully (drain, then exit)"},
    {"debug", role::admin, "debug kill ACTOR [NAME]",
     "only with [debug] kill_hook = true: kill a supervised actor (e.g. queue NAME, "
     "reporting_bus, interaction ID) to test supervision; a long-lived one makes parleyd "
     "exit with code 70 for a restart"},
  };
  return *all;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in{line};
  std::string w;
  while (in >> w)
    out.push_back(w);
  return out;
}

namespace {

/// The words of `line` from word `from` on, as typed (a free-text reason), or `otherwise`.
std::string rest_of(const std::string& line, std::size_t from, const std::string& otherwise) {
  std::istringstream in{line};
  std::string w;
  for (std::size_t i = 0; i < from && in >> w; ++i) {
  }
  std::string rest;
  std::getline(in, rest);
  auto b = rest.find_first_not_of(" \t");
  return b == std::string::npos ? otherwise : rest.substr(b);
}

std::string describe_event(const wire::ReportingEvent& e) {
  std::ostringstream o;
  o << "#" << e.seq() << " " << e.engine_ms() << " " << wire::EnumNameReportingKind(e.kind())
    << " state=" << wire::EnumNameInteractionState(e.state());
  if (e.queue() && e.queue()->size())
    o << " queue=" << e.queue()->str();
  if (e.agent() && e.agent()->size())
    o << " agent=" << e.agent()->str();
  if (e.reason() && e.reason()->size())
    o << " reason=\"" << e.reason()->str() << "\"";
  return o.str() + "\n";
}

void run(console_self self, const std::string& line) {
  auto& st = self->state;
  auto w = split_words(line);
  if (w.empty()) {
    done(self, "");
    return;
  }
  auto* cmd = [&]() -> const console_command* {
    for (auto& c : console_commands())
      if (w[0] == c.name)
        return &c;
    return nullptr;
  }();
  if (!cmd) {
    fail(self, "unknown command \"" + w[0] + "\" (try help)");
    return;
  }
  // The role the action needs (access.hpp: "campaign start" is campaign.start), else the
  // command's own (a usage error is answered at that level).
  auto needed = cmd->level;
  auto action = w.size() > 1 ? w[0] + "." + w[1] : w[0];
  for (auto& rule : action_rules())
    if (action == rule.action || (cmd->level != role::none && w[0] == rule.action))
      needed = rule.needs;
  if (st.level < needed) {
    fail(self, std::string{"\""} + (w.size() > 1 && needed != cmd->level ? w[0] + " " + w[1] : w[0]) + "\" needs the "
                 + role_name(needed) + " level; this connection has " + role_name(st.level) + " (see auth)");
    return;
  }
  auto& env = *st.env;
  auto name = w[0];
  if (name == "help") {
    std::ostringstream o;
    for (auto& c : console_commands())
      if (w.size() < 2 || w[1] == c.name)
        o << pad(c.usage, 44) << "[" << role_name(c.level) << "] " << c.help << "\n";
    if (o.str().empty())
      fail(self, "no command \"" + w[1] + "\"");
    else
      done(self, o.str());
  } else if (name == "quit") {
    done(self, "bye\n", true);
  } else if (name == "auth") {
    if (w.size() != 2) {
      fail(self, "usage: auth TOKEN");
      return;
    }
    auto live = env.live.get();  // tokens may have been reloaded
    auto& c = live->console;
    auto level = role::none;
    if (!c.admin_token.empty() && same_secret(c.admin_token, w[1]))
      level = role::admin;
    else if (!c.operator_token.empty() && same_secret(c.operator_token, w[1]))
      level = role::operator_;
    else if (!c.supervisor_token.empty() && same_secret(c.supervisor_token, w[1]))
      level = role::supervisor;
    else if (!c.user_token.empty() && same_secret(c.user_token, w[1]))
      level = role::viewer;
    st.audit->write(st.peer, level, "auth", level == role::none ? "refused" : "ok");
    if (level == role::none) {
      fail(self, "no such token");
      return;
    }
    st.level = level;
    done(self, std::string{"level "} + role_name(level) + "\n");
  } else if (name == "status") {
    status(self);
  } else if (name == "show") {
    show(self, w);
  } else if (name == "trace") {
    std::uint64_t id = 0;
    if (w.size() != 3 || w[1] != "interaction" || !(std::istringstream{w[2]} >> id)) {
      fail(self, "usage: trace interaction ID");
      return;
    }
    self->request(env.domain->interactions, std::chrono::seconds{5}, lookup_atom_v, id)
      .then(
        [=](const interaction_actor& a) {
          self->request(self->state.env->domain->bus, std::chrono::seconds{5}, caf::join_atom_v,
                        trace_atom_v, caf::actor_cast<client_actor>(self), id)
            .then([=](caf::ok_atom) {
              self->state.tracing = true;
              self->request(a, std::chrono::seconds{5}, state_atom_v)
                .then(
                  [=](const interaction_view& v) {
                    self->state.out("tracing interaction " + std::to_string(id) + ", now "
                                      + wire::EnumNameInteractionState(v.state)
                                      + " in " + v.queue + "; send any line to stop\n",
                                    false, false);
                  },
                  [=](caf::error&) {});
            },
            [=](caf::error& e) { fail(self, describe(e)); });
        },
        [=](caf::error& e) { fail(self, describe(e)); });
  } else if (name == "set") {
    audited(self, line, [&]() -> std::string {
      if (w.size() != 3 || w[1] != "log-level")
        return "error: usage: set log-level LEVEL\n";
      auto level = spdlog::level::from_str(w[2]);
      if (level == spdlog::level::off && w[2] != "off")
        return "error: \"" + w[2] + "\" is not a log level\n";
      spdlog::set_level(level);
      spdlog::info("console {}: log level set to {}", self->state.peer, w[2]);
      return "log level " + w[2] + "\n";
    });
  } else if (name == "agent") {
    if (w.size() != 3 || w[1] != "logout") {
      fail(self, "usage: agent logout ID");
      return;
    }
    auto agent = w[2];
    self->request(env.domain->agents, std::chrono::seconds{5}, lookup_atom_v, agent)
      .then(
        [=](const agent_actor& a) {
          self->request(a, std::chrono::seconds{5}, logout_atom_v, true)
            .then(
              [=](const agent_view&) {
                audited(self, line, [=] { return "agent " + agent + " logged out\n"; });
              },
              [=](caf::error& e) { audited(self, line, [=] { return "error: " + describe(e) + "\n"; }); });
        },
        [=](caf::error& e) { audited(self, line, [=] { return "error: " + describe(e) + "\n"; }); });
  } else if (name == "debug") {
    run_debug(self, w, line);
  } else if (name == "user") {
    run_user(self, w, line);
  } else if (name == "report") {
    run_report_command(self, w, line);
  } else if (name == "campaign") {
    run_campaign(self, w, line);
  } else if (name == "sequence") {
    run_sequence(self, w, line);
  } else if (name == "schedule") {
    run_schedule(self, w, line);
  } else if (name == "dnc") {
    run_dnc(self, w, line);
  } else if (name == "list") {
    run_list(self, w, line);
  } else if (name == "interaction") {
    std::uint64_t id = 0;
    if (w.size() < 3 || w[1] != "stop" || !(std::istringstream{w[2]} >> id) || id == 0) {
      fail(self, "usage: interaction stop ID [REASON]");
      return;
    }
    auto reason = rest_of(line, 3, "stopped from the console");
    self->request(env.domain->interactions, ask_limit, lookup_atom_v, id)
      .then(
        [=](const interaction_actor& a) {
          requester console{wire::ClientType::admin, {}, {}, {}};
          self->request(a, ask_limit, stop_atom_v, console, reason)
            .then(
              [=](caf::ok_atom) {
                audited(self, line, [=] { return "interaction " + std::to_string(id) + " stopped\n"; });
              },
              [=](caf::error& e) { audited(self, line, [=] { return "error: " + describe(e) + "\n"; }); });
        },
        [=](caf::error& e) { audited(self, line, [=] { return "error: " + describe(e) + "\n"; }); });
  } else if (name == "queue") {
    if (w.size() < 3 || w[1] != "clear") {
      fail(self, "usage: queue clear NAME [REASON]");
      return;
    }
    auto queue = w[2];
    auto q = env.domain->queue(queue);
    if (!q) {
      audited(self, line, [=] { return "error: unknown_id: no queue named " + queue + "\n"; });
      return;
    }
    auto reason = rest_of(line, 3, "queue cleared from the console");
    self->request(q, ask_limit, stop_atom_v, reason)
      .then(
        [=](std::uint64_t n) {
          audited(self, line, [=] {
            return "queue " + queue + ": " + std::to_string(n) + " waiting interaction(s) stopped\n";
          });
        },
        [=](caf::error& e) { audited(self, line, [=] { return "error: " + describe(e) + "\n"; }); });
  } else if (name == "undrain") {
    audited(self, line, [&] {
      auto why = env.undrain();
      return why.empty() ? std::string{"taking new work again: listeners open\n"}
                         : "error: " + why + "\n";
    });
  } else if (name == "drain") {
    audited(self, line, [&] {
      env.drain();
      return std::string{"draining: listeners closed, new requests refused, in-flight work finishing\n"};
    });
  } else if (name == "reload") {
    // A refusal is an error answer: the audit log keeps why, `parley -c reload` exits 1.
    audited(self, line, [&] {
      auto did = env.reload();
      if (!did)
        return std::string{"error: this embedded engine has no config file to reload\n"};
      std::string out;
      for (auto& l : did->lines)
        out += (out.empty() && did->refused() ? "error: " : "") + l + "\n";
      return out;
    });
  } else if (name == "shutdown") {
    audited(self, line, [&] {
      return env.shutdown() ? std::string{"shutting down\n"}
                            : std::string{"error: this embedded engine cannot be shut down from "
                                          "its console\n"};
    });
  }
}

caf::behavior console_actor(console_self self, std::shared_ptr<console_env> env,
                            std::shared_ptr<audit_log> audit, std::string peer, console_output out) {
  harden(self);
  auto& st = self->state;
  st.env = std::move(env);
  st.audit = std::move(audit);
  st.peer = std::move(peer);
  st.out = std::move(out);
  auto live = st.env->live.get();
  auto& c = live->console;
  // Without any token (loopback only, enforced by the config check) everyone is admin.
  bool tokens = !c.admin_token.empty() || !c.operator_token.empty() || !c.supervisor_token.empty()
                || !c.user_token.empty();
  st.level = tokens ? role::none : role::admin;
  return {
    [=](request_atom, const std::string& line) { run(self, line); },
    [=](event_atom, const frame& f) {
      if (!self->state.tracing)
        return;
      if (auto* e = protocol::envelope_of(f)->message_as_ReportingEvent()) {
        self->state.out(describe_event(*e), false, false);
        if (e->state() == wire::InteractionState::stopped) {
          self->state.tracing = false;
          caf::anon_send(self->state.env->domain->bus, caf::leave_atom_v, caf::actor_cast<client_actor>(self));
          done(self, "the interaction stopped; trace ended\n");
        }
      }
    },
    [=](stop_atom) {
      if (!self->state.tracing)
        return;
      self->state.tracing = false;
      caf::anon_send(self->state.env->domain->bus, caf::leave_atom_v, caf::actor_cast<client_actor>(self));
      done(self, "trace stopped\n");
    },
    [=](progress_atom, const std::string& text) { self->state.out(text, false, false); },
    [=](import_atom, const std::string& text) {
      auto& st = self->state;
      if (!st.job_line.empty())
        st.audit->write(st.peer, st.level, st.job_line,
                        text.rfind("error", 0) == 0 ? text.substr(0, text.find('\n')) : "ok");
      st.job_line.clear();
      done(self, text);
    },
    [=](closed_atom) { self->quit(); },
  };
}

} // namespace

caf::actor spawn_console_actor(caf::actor_system& sys, std::shared_ptr<console_env> env,
                               std::shared_ptr<audit_log> audit, std::string peer,
                               console_output out) {
  return sys.spawn(console_actor, std::move(env), std::move(audit), std::move(peer), std::move(out));
}

} // namespace parley::engine
