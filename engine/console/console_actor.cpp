#include "engine/console/console_actor.hpp"

#include <iomanip>
#include <sstream>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/directory/directory_actor.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/views.hpp"
#include "engine/console/console_state.hpp"
#include "engine/list_jobs.hpp"

namespace parley::engine {

const std::vector<console_command>& console_commands() {
  // Never destroyed: console actors may still run while an embedding program exits.
  static const auto* all = new std::vector<console_command>{
    {"help", console_level::none, "help [COMMAND]", "list the commands, or explain one"},
    {"auth", console_level::none, "auth TOKEN", "raise this connection's level with a configured token"},
    {"quit", console_level::none, "quit", "close this connection"},
    {"status", console_level::user, "status",
     "uptime, connections, interactions and agents by state, queues, storage"},
    {"show", console_level::user,
     "show connections|agents|queues|interactions|stats|lists|campaigns [key=value ...] [limit=N]",
     "list objects; filters: type= (connections), state= tenant= (agents), state= queue= "
     "(interactions); limit defaults to 50"},
    {"trace", console_level::user, "trace interaction ID",
     "stream the interaction's events live; send any line to stop"},
    {"set", console_level::operator_, "set log-level LEVEL",
     "trace, debug, info, warn, error, critical or off"},
    {"list", console_level::operator_,
     "list import NAME FILE [--append] [--dedupe] [MAPPING] | list export NAME FILE | "
     "list delete NAME",
     "import a CSV file from outbound.import_dir into contact list NAME (created when missing); "
     "MAPPING: field=Column,... e.g. phone=Phone Number,tz=Zone,customer=CustID; the same file "
     "contents twice into one list are refused unless --append; --dedupe skips phones the list "
     "(or an earlier row) has; export writes the list with its results to a new FILE there; "
     "delete removes a list no running or paused campaign uses, with its records and imports "
     "(dial attempts and denials are kept)"},
    {"campaign", console_level::operator_, "campaign start|stop|pause|resume|status NAME",
     "control an outbound campaign (status needs the user level only)"},
    {"dnc", console_level::operator_, "dnc add|remove|check phone|customer VALUE",
     "the do-not-call list: add or remove an entry, or check one (check: user level); "
     "dnc import phone|customer FILE adds a CSV from outbound.import_dir"},
    {"agent", console_level::operator_, "agent logout ID",
     "log an agent out as if its desktop disconnected (its interactions go back to their queues)"},
    {"drain", console_level::admin, "drain",
     "stop taking new work: close the listeners, refuse new requests, finish what is in flight"},
    {"reload", console_level::admin, "reload",
     "read the config file again and apply it as SIGHUP does (reloadable keys only, all or nothing)"},
    {"shutdown", console_level::admin, "shutdown", "stop the engine gracefully (drain, then exit)"},
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

/// key=value filters after the fixed words; limit= is taken out.
std::map<std::string, std::string> filters(const std::vector<std::string>& w, std::size_t from,
                                           std::size_t& limit) {
  std::map<std::string, std::string> out;
  limit = 50;
  for (auto i = from; i < w.size(); ++i) {
    auto eq = w[i].find('=');
    auto key = w[i].substr(0, eq);
    auto value = eq == std::string::npos ? std::string{} : w[i].substr(eq + 1);
    if (key == "limit")
      limit = static_cast<std::size_t>(std::max(1L, std::atol(value.c_str())));
    else
      out[key] = value;
  }
  return out;
}

std::string pad(const std::string& s, std::size_t n) {
  return s.size() >= n ? s + " " : s + std::string(n - s.size(), ' ');
}

// -- commands ---------------------------------------------------------------------------

void status(console_self self) {
  auto& env = *self->state.env;
  auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now()
                                                             - env.started).count();
  std::ostringstream o;
  o << "parleyd " << PARLEY_VERSION << " (" << env.cfg.name << "), up " << up << " s"
    << (env.draining() ? ", DRAINING" : "") << "\n";
  o << "connections: " << env.open_sessions() << " open, " << env.stats.connections_accepted
    << " accepted, " << env.stats.connections_refused << " refused, " << env.stats.registrations
    << " registrations\n";
  auto& h = env.domain->metrics->storage;
  o << "storage: " << h.backend << ", " << (h.up.load() ? "up" : "UNREACHABLE")
    << (h.accepting() ? "" : ", REFUSING new work") << ", durability "
    << (h.commit_acks ? "commit" : "async") << ", " << h.pending.load() << " rows pending, "
    << h.rows.load() << " rows in " << h.batches.load() << " batches, " << h.failures.load()
    << " failed writes\n";
  auto text = std::make_shared<std::string>(o.str());
  self->request(env.domain->bus, std::chrono::seconds{5}, state_atom_v)
    .then(
      [=](const bus_status& b) {
        std::ostringstream o;
        o << "reporting events: " << b.seq << "\n";
        for (auto& [tenant, c] : b.interactions)
          o << "interactions [" << tenant << "]: submitted " << c.submitted << " = in-submitted "
            << c.in_submitted << " + queued " << c.queued << " + offered " << c.offered
            << " + handled " << c.handled << " + parked " << c.parked << " + stopped " << c.stopped
            << (c.holds() && c.violations == 0 ? "  (conserved)" : "  (NOT CONSERVED)") << "\n";
        if (b.interactions.empty())
          o << "interactions: none yet\n";
        for (auto& [tenant, v] : b.agents) {
          o << "agents [" << tenant << "]:";
          for (std::size_t s = 1; s < v.size(); ++s)
            o << " " << wire::EnumNameAgentState(static_cast<wire::AgentState>(s)) << " " << v[s];
          o << "\n";
        }
        if (b.agents.empty())
          o << "agents: none logged in\n";
        *text += o.str();
        // Queues last: one request each, answered in any order, printed in config order.
        auto& env = *self->state.env;
        auto names = std::make_shared<std::vector<std::string>>();
        for (auto& q : env.domain->cfg->queues)
          names->push_back(q.name);
        if (names->empty()) {
          done(self, *text + "queues: none configured\n");
          return;
        }
        auto counts = std::make_shared<std::vector<std::uint64_t>>(names->size());
        auto left = std::make_shared<std::size_t>(names->size());
        for (std::size_t i = 0; i < names->size(); ++i)
          self->request(env.domain->queue((*names)[i]), std::chrono::seconds{5}, count_atom_v)
            .then(
              [=](std::uint64_t n) {
                (*counts)[i] = n;
                if (--*left == 0) {
                  std::string q = "queues:";
                  for (std::size_t k = 0; k < names->size(); ++k)
                    q += " " + (*names)[k] + " " + std::to_string((*counts)[k]);
                  done(self, *text + q + " waiting\n");
                }
              },
              [=](caf::error& e) {
                if (--*left == 0)
                  done(self, *text + "queues: unavailable (" + describe(e) + ")\n");
              });
      },
      [=](caf::error& e) { fail(self, "the reporting bus did not answer: " + describe(e)); });
}

void show(console_self self, const std::vector<std::string>& w) {
  auto& env = *self->state.env;
  if (w.size() < 2) {
    fail(self, "usage: show connections|agents|queues|interactions|stats|lists");
    return;
  }
  std::size_t limit = 50;
  auto f = filters(w, 2, limit);
  auto what = w[1];
  if (what == "connections") {
    self->request(env.directory, std::chrono::seconds{5}, snapshot_atom_v)
      .then([=](const std::vector<client_info>& all) {
        std::ostringstream o;
        o << pad("SESSION", 9) << pad("TYPE", 15) << pad("LISTENER", 12) << pad("PEER", 23) << "NAME\n";
        std::size_t n = 0;
        for (auto& c : all) {
          auto type = protocol::client_type_name(c.type);
          if (f.count("type") && f.at("type") != type)
            continue;
          if (n++ == limit)
            break;
          o << pad(std::to_string(c.session_id), 9) << pad(type, 15) << pad(c.listener, 12)
            << pad(c.peer, 23) << c.name << "\n";
        }
        o << all.size() << " registered connection(s)\n";
        done(self, o.str());
      },
      [=](caf::error& e) { fail(self, describe(e)); });
  } else if (what == "agents") {
    self->request(env.domain->bus, std::chrono::seconds{5}, snapshot_atom_v, std::uint32_t{1'000'000})
      .then([=](const std::vector<agent_row>& all) {
        std::ostringstream o;
        o << pad("AGENT", 20) << pad("TENANT", 12) << pad("STATE", 17) << "REASON\n";
        std::size_t n = 0;
        for (auto& a : all) {
          std::string state = wire::EnumNameAgentState(a.state);
          if ((f.count("state") && f.at("state") != state) || (f.count("tenant") && f.at("tenant") != a.tenant))
            continue;
          if (n++ == limit)
            break;
          o << pad(a.agent, 20) << pad(a.tenant, 12) << pad(state, 17) << a.reason << "\n";
        }
        o << all.size() << " agent(s) logged in\n";
        done(self, o.str());
      },
      [=](caf::error& e) { fail(self, describe(e)); });
  } else if (what == "queues") {
    std::ostringstream o;
    o << pad("QUEUE", 20) << pad("TENANT", 12) << pad("MAX", 10) << "SKILLS\n";
    for (auto& q : env.domain->cfg->queues) {
      std::string skills;
      for (auto& [s, l] : q.skills)
        skills += (skills.empty() ? "" : ",") + s + ">=" + std::to_string(l);
      o << pad(q.name, 20) << pad(q.tenant, 12) << pad(std::to_string(q.max_size), 10) << skills << "\n";
    }
    done(self, o.str() + "(waiting counts: status)\n");
  } else if (what == "interactions") {
    self->request(env.domain->interactions, std::chrono::seconds{5}, snapshot_atom_v, std::uint32_t{1000})
      .then([=](const std::vector<caf::actor>& live) {
        auto views = std::make_shared<std::vector<interaction_view>>();
        auto left = std::make_shared<std::size_t>(live.size());
        auto print = [=] {
          std::sort(views->begin(), views->end(), [](auto& a, auto& b) { return a.id < b.id; });
          std::ostringstream o;
          o << pad("ID", 10) << pad("STATE", 10) << pad("MEDIA", 8) << pad("QUEUE", 14) << pad("PRIO", 6)
            << "AGENTS\n";
          std::size_t n = 0;
          for (auto& v : *views) {
            std::string state = wire::EnumNameInteractionState(v.state);
            if ((f.count("state") && f.at("state") != state) || (f.count("queue") && f.at("queue") != v.queue))
              continue;
            if (n++ == limit)
              break;
            std::string agents;
            for (auto& a : v.agents)
              agents += (agents.empty() ? "" : ",") + a;
            o << pad(std::to_string(v.id), 10) << pad(state, 10) << pad(v.media, 8) << pad(v.queue, 14)
              << pad(std::to_string(v.priority), 6) << agents << "\n";
          }
          o << "(the oldest " << views->size() << " live interaction(s) examined)\n";
          done(self, o.str());
        };
        if (live.empty()) {
          print();
          return;
        }
        for (auto& a : live)
          self->request(a, std::chrono::seconds{5}, state_atom_v)
            .then(
              [=](const interaction_view& v) {
                views->push_back(v);
                if (--*left == 0)
                  print();
              },
              [=](caf::error&) {  // stopped meanwhile
                if (--*left == 0)
                  print();
              });
      },
      [=](caf::error& e) { fail(self, describe(e)); });
  } else if (what == "lists") {
    start_show_lists(self->system(), caf::actor{self}, env.cfg);
  } else if (what == "campaigns") {
    show_campaigns(self);
  } else if (what == "stats") {
    auto& s = env.stats;
    auto o = std::make_shared<std::ostringstream>();
    *o << "frames in " << s.frames_in << ", out " << s.frames_out << "; requests in flight "
       << s.requests_in_flight << "\n";
    for (std::size_t c = 1; c < s.errors.size(); ++c)
      if (auto n = s.errors[c].load())
        *o << "errors " << protocol::error_name(static_cast<wire::ErrorCode>(c)) << ": " << n << "\n";
    auto& m = *env.domain->metrics;
    *o << "statistics: " << m.stats_open.load() << " open, " << m.stats_opened.load()
       << " opened, " << m.stats_notifications.load() << " notifications, "
       << m.stats_coalesced.load() << " coalesced\n";
    self->request(env.domain->stats, std::chrono::seconds{5}, count_atom_v)
      .then(
        [=](const std::map<std::string, std::uint64_t>& per_object) {
          std::vector<std::pair<std::uint64_t, std::string>> top;
          for (auto& [key, n] : per_object)
            top.emplace_back(n, key);
          std::sort(top.begin(), top.end(), [](auto& a, auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
          });
          if (!top.empty())
            *o << pad("OBJECT", 30) << "OPEN\n";
          std::size_t shown = 0;
          for (auto& [n, key] : top) {
            if (shown++ == limit)
              break;
            *o << pad(key, 30) << n << "\n";
          }
          *o << per_object.size() << " object(s) with open statistics\n";
          done(self, o->str());
        },
        [=](caf::error& e) { done(self, o->str() + "statistics: unavailable (" + describe(e) + ")\n"); });
  } else {
    fail(self, "show what? connections, agents, queues, interactions, stats or lists");
  }
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
  // Reading a campaign's status or a do-not-call entry needs the user level only.
  auto needed = cmd->level;
  if ((w[0] == "campaign" || w[0] == "dnc") && w.size() > 1 && (w[1] == "status" || w[1] == "check"))
    needed = console_level::user;
  if (st.level < needed) {
    fail(self, std::string{"\""} + cmd->name + "\" needs the " + level_name(cmd->level)
                 + " level; this connection has " + level_name(st.level) + " (see auth)");
    return;
  }
  auto& env = *st.env;
  auto name = w[0];
  if (name == "help") {
    std::ostringstream o;
    for (auto& c : console_commands())
      if (w.size() < 2 || w[1] == c.name)
        o << pad(c.usage, 44) << "[" << level_name(c.level) << "] " << c.help << "\n";
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
    auto level = console_level::none;
    if (!c.admin_token.empty() && same_secret(c.admin_token, w[1]))
      level = console_level::admin;
    else if (!c.operator_token.empty() && same_secret(c.operator_token, w[1]))
      level = console_level::operator_;
    else if (!c.user_token.empty() && same_secret(c.user_token, w[1]))
      level = console_level::user;
    st.audit->write(st.peer, level, "auth", level == console_level::none ? "refused" : "ok");
    if (level == console_level::none) {
      fail(self, "no such token");
      return;
    }
    st.level = level;
    done(self, std::string{"level "} + level_name(level) + "\n");
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
        [=](const caf::actor& a) {
          self->request(self->state.env->domain->bus, std::chrono::seconds{5}, caf::join_atom_v,
                        trace_atom_v, caf::actor{self}, id)
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
        [=](const caf::actor& a) {
          self->request(a, std::chrono::seconds{5}, logout_atom_v, true)
            .then(
              [=](const agent_view&) {
                audited(self, line, [=] { return "agent " + agent + " logged out\n"; });
              },
              [=](caf::error& e) { audited(self, line, [=] { return "error: " + describe(e) + "\n"; }); });
        },
        [=](caf::error& e) { audited(self, line, [=] { return "error: " + describe(e) + "\n"; }); });
  } else if (name == "campaign") {
    run_campaign(self, w, line);
  } else if (name == "dnc") {
    run_dnc(self, w, line);
  } else if (name == "list") {
    run_list(self, w, line);
  } else if (name == "drain") {
    audited(self, line, [&] {
      env.drain();
      return std::string{"draining: listeners closed, new requests refused, in-flight work finishing\n"};
    });
  } else if (name == "reload") {
    audited(self, line, [&] {
      auto said = env.reload();
      if (!said)
        return std::string{"error: this embedded engine has no config file to reload\n"};
      std::string out;
      for (auto& l : *said)
        out += l + "\n";
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
  bool tokens = !c.admin_token.empty() || !c.operator_token.empty() || !c.user_token.empty();
  st.level = tokens ? console_level::none : console_level::admin;
  return {
    [=](request_atom, const std::string& line) { run(self, line); },
    [=](event_atom, const frame& f) {
      if (!self->state.tracing)
        return;
      if (auto* e = protocol::envelope_of(f)->message_as_ReportingEvent()) {
        self->state.out(describe_event(*e), false, false);
        if (e->state() == wire::InteractionState::stopped) {
          self->state.tracing = false;
          self->send(self->state.env->domain->bus, caf::leave_atom_v, caf::actor{self});
          done(self, "the interaction stopped; trace ended\n");
        }
      }
    },
    [=](stop_atom) {
      if (!self->state.tracing)
        return;
      self->state.tracing = false;
      self->send(self->state.env->domain->bus, caf::leave_atom_v, caf::actor{self});
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
