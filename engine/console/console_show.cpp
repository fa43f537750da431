// console_show: the console's read-only views, `status` and `show ...`. Part of the console
// actor (console_state.hpp): each view asks the actors that own its data and answers once.
// Filters are checked before anything is asked: an unknown key or value is an error, never
// an empty answer. Ages are domain time (the engine's clock), shown as 45s, 3m05s, 2h03m.
#include <algorithm>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include <caf/all.hpp>

#include "actors/directory/directory_actor.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/views.hpp"
#include "engine/ask_limit.hpp"
#include "engine/console/console_state.hpp"
#include "engine/list_jobs.hpp"
#include "engine/queue_live.hpp"

namespace parley::engine {

namespace {

/// A filter key a view takes, and the values it allows ("" when the value is fine).
struct filter_rule {
  std::string key;
  std::vector<std::string> allowed;  ///< empty: any value
};

std::vector<std::string> names_of(const char* const* names, std::size_t from) {
  std::vector<std::string> out;
  for (auto i = from; names[i]; ++i)
    if (*names[i])
      out.emplace_back(names[i]);
  return out;
}

std::vector<std::string> tenants_of(const domain_config& cfg) {
  std::set<std::string> t;
  for (auto& q : cfg.queues)
    t.insert(q.tenant);
  for (auto& g : cfg.groups)
    t.insert(g.tenant);
  return {t.begin(), t.end()};
}

std::vector<std::string> queues_of(const domain_config& cfg) {
  std::vector<std::string> out;
  for (auto& q : cfg.queues)
    out.push_back(q.name);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

/// The view's key=value words after `show WHAT`, checked against its rules; "limit" is
/// taken out (default 50). Returns "" or why the words are refused.
std::string parse_filters(const std::vector<std::string>& w, const std::vector<filter_rule>& rules,
                          std::map<std::string, std::string>& out, std::size_t& limit) {
  limit = 50;
  for (std::size_t i = 2; i < w.size(); ++i) {
    auto eq = w[i].find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == w[i].size())
      return "\"" + w[i] + "\" is not a key=value filter";
    auto key = w[i].substr(0, eq);
    auto value = w[i].substr(eq + 1);
    if (key == "limit") {
      char* end = nullptr;
      auto n = std::strtoll(value.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 1'000'000)
        return "limit must be a number from 1 to 1000000, not \"" + value + "\"";
      limit = static_cast<std::size_t>(n);
      continue;
    }
    auto rule = std::find_if(rules.begin(), rules.end(), [&](auto& r) { return r.key == key; });
    if (rule == rules.end()) {
      std::string keys;
      for (auto& r : rules)
        keys += r.key + "=, ";
      return "show " + w[1] + " takes " + keys + "limit= (not " + key + "=)";
    }
    if (!rule->allowed.empty()
        && std::find(rule->allowed.begin(), rule->allowed.end(), value) == rule->allowed.end())
      return "no " + key + " \"" + value + "\" (one of: " + join(rule->allowed) + ")";
    out[key] = value;
  }
  return {};
}

bool passes(const std::map<std::string, std::string>& f, const std::string& key,
            const std::string& value) {
  auto it = f.find(key);
  return it == f.end() || it->second == value;
}

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

// -- the views ----------------------------------------------------------------------------

void show_connections(console_self self, std::map<std::string, std::string> f, std::size_t limit) {
  self->request(self->state.env->directory, ask_limit, snapshot_atom_v)
    .then(
      [=](const std::vector<client_info>& all) {
        std::ostringstream o;
        o << pad("SESSION", 9) << pad("TYPE", 15) << pad("LISTENER", 12) << pad("PEER", 23)
          << "NAME\n";
        std::size_t n = 0;
        for (auto& c : all) {
          auto type = protocol::client_type_name(c.type);
          if (!passes(f, "type", type))
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
}

void show_agents(console_self self, std::map<std::string, std::string> f, std::size_t limit) {
  auto dom = self->state.env->domain;
  self->request(dom->bus, ask_limit, snapshot_atom_v, std::uint32_t{1'000'000})
    .then(
      [=](const std::vector<agent_row>& all) {
        auto now = dom->clk->now_ms();
        std::ostringstream o;
        o << pad("AGENT", 20) << pad("TENANT", 12) << pad("STATE", 17) << pad("IN STATE", 10)
          << "REASON\n";
        std::size_t n = 0;
        for (auto& a : all) {
          std::string state = wire::EnumNameAgentState(a.state);
          if (!passes(f, "state", state) || !passes(f, "tenant", a.tenant))
            continue;
          if (n++ == limit)
            break;
          o << pad(a.agent, 20) << pad(a.tenant, 12) << pad(state, 17)
            << pad(age_text(static_cast<double>(now - a.since_ms) / 1000.0), 10) << a.reason << "\n";
        }
        o << all.size() << " agent(s) logged in\n";
        done(self, o.str());
      },
      [=](caf::error& e) { fail(self, describe(e)); });
}

void show_queues(console_self self, std::map<std::string, std::string> f, std::size_t limit) {
  gather_queue_live(self, self->state.env->domain, [=](queue_live_report r) {
    std::ostringstream o;
    o << pad("QUEUE", 18) << pad("TENANT", 12) << pad("WAITING", 9) << pad("OLDEST", 8)
      << pad("READY", 7) << pad("SL TODAY", 14) << pad("ANSWERED", 10) << pad("ABANDONED", 11)
      << "ASA\n";
    std::size_t n = 0;
    for (auto& q : r.queues) {
      if (!passes(f, "tenant", q.tenant))
        continue;
      if (n++ == limit)
        break;
      auto& d = q.today;
      auto sl = d.sl_known ? fixed(d.service_level, 1) + "%" : std::string{"-"};
      o << pad(q.name, 18) << pad(q.tenant, 12) << pad(std::to_string(q.waiting), 9)
        << pad(q.waiting ? age_text(q.oldest_wait_s) : "-", 8)
        << pad(std::to_string(q.ready_agents), 7)
        << pad(sl + " <" + std::to_string(d.threshold_s) + "s", 14)
        << pad(std::to_string(d.answered), 10) << pad(std::to_string(d.abandoned), 11)
        << (d.answered ? fixed(d.asa_s, 1) + "s" : "-") << "\n";
    }
    o << r.queues.size() << " queue(s); SL TODAY: answered within T of answered + abandoned "
      << "after T, since the day's reset" << unanswered(r) << "\n";
    done(self, o.str());
  });
}

void show_interactions(console_self self, std::map<std::string, std::string> f,
                       std::size_t limit) {
  auto dom = self->state.env->domain;
  self->request(dom->interactions, ask_limit, snapshot_atom_v, std::uint32_t{1000})
    .then(
      [=](const std::vector<interaction_actor>& live) {
        auto views = std::make_shared<std::vector<interaction_view>>();
        auto left = std::make_shared<std::size_t>(live.size());
        auto print = [=] {
          std::sort(views->begin(), views->end(), [](auto& a, auto& b) { return a.id < b.id; });
          auto now = dom->clk->now_ms();
          std::ostringstream o;
          o << pad("ID", 10) << pad("STATE", 10) << pad("MEDIA", 8) << pad("QUEUE", 14)
            << pad("PRIO", 6) << pad("AGE", 8) << pad("IN STATE", 10) << "AGENTS\n";
          std::size_t n = 0;
          for (auto& v : *views) {
            std::string state = wire::EnumNameInteractionState(v.state);
            if (!passes(f, "state", state) || !passes(f, "queue", v.queue)
                || !passes(f, "tenant", v.tenant))
              continue;
            if (n++ == limit)
              break;
            std::string agents;
            for (auto& a : v.agents)
              agents += (agents.empty() ? "" : ",") + a;
            o << pad(std::to_string(v.id), 10) << pad(state, 10) << pad(v.media, 8)
              << pad(v.queue, 14) << pad(std::to_string(v.priority), 6)
              << pad(age_text(static_cast<double>(now - v.submitted_ms) / 1000.0), 8)
              << pad(age_text(static_cast<double>(now - v.changed_ms) / 1000.0), 10) << agents
              << "\n";
          }
          o << "(the oldest " << views->size() << " live interaction(s) examined)\n";
          done(self, o.str());
        };
        if (live.empty()) {
          print();
          return;
        }
        for (auto& a : live)
          self->request(a, ask_limit, state_atom_v)
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
}

void show_stats(console_self self, std::size_t limit) {
  auto& env = *self->state.env;
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
  self->request(env.domain->stats, ask_limit, count_atom_v)
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
      [=](caf::error& e) {
        done(self, o->str() + "statistics: unavailable (" + describe(e) + ")\n");
      });
}

} // namespace

std::string age_text(double seconds) {
  auto s = static_cast<std::int64_t>(std::max(0.0, seconds));
  auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  if (s < 60)
    return std::to_string(s) + "s";
  if (s < 3600)
    return std::to_string(s / 60) + "m" + two(s % 60) + "s";
  if (s < 86'400)
    return std::to_string(s / 3600) + "h" + two(s % 3600 / 60) + "m";
  return std::to_string(s / 86'400) + "d" + two(s % 86'400 / 3600) + "h";
}

std::string unanswered(const queue_live_report& r) {
  return r.missing.empty() ? "" : " (no answer from " + join(r.missing) + ")";
}

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
    << to_string(env.cfg.storage.durability) << ", " << h.pending.load() << " rows pending, "
    << h.rows.load() << " rows in " << h.batches.load() << " batches, " << h.failures.load()
    << " failed writes\n";
  auto text = std::make_shared<std::string>(o.str());
  self->request(env.domain->bus, std::chrono::seconds{5}, state_atom_v)
    .then(
      [=](const bus_status& b) {
        std::ostringstream o;
        o << "reporting events: " << b.seq << "\n";
        o << "VQ events: " << b.vq_seq << "\n";
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
        // Queues last, in config order (show queues has the details).
        auto& env = *self->state.env;
        if (env.domain->cfg->queues.empty()) {
          done(self, *text + "queues: none configured\n");
          return;
        }
        gather_queue_live(self, env.domain, [=](queue_live_report r) {
          std::string q = "queues:";
          for (auto& l : r.queues)
            q += " " + l.name + " " + std::to_string(l.waiting);
          done(self, *text + q + " waiting" + unanswered(r) + "\n");
        });
      },
      [=](caf::error& e) { fail(self, "the reporting bus did not answer: " + describe(e)); });
}

const char* show_usage() {
  return "show connections|agents|queues|interactions|stats|lists|campaigns|sequences|gateways|ha "
         "[key=value ...] [limit=N]";
}

void show(console_self self, const std::vector<std::string>& w) {
  auto& cfg = *self->state.env->domain->cfg;
  if (w.size() < 2) {
    fail(self, std::string{"usage: "} + show_usage());
    return;
  }
  auto what = w[1];
  std::vector<filter_rule> rules;
  if (what == "connections")
    rules = {{"type", names_of(wire::EnumNamesClientType(), 1)}};
  else if (what == "agents")
    rules = {{"state", names_of(wire::EnumNamesAgentState(), 1)}, {"tenant", tenants_of(cfg)}};
  else if (what == "queues")
    rules = {{"tenant", tenants_of(cfg)}};
  else if (what == "interactions")
    rules = {{"state", names_of(wire::EnumNamesInteractionState(), 0)},
             {"queue", queues_of(cfg)},
             {"tenant", tenants_of(cfg)}};
  else if (what == "ha") {
    auto& ha = self->state.env->ha;
    done(self, ha ? ha->describe() : "not an HA node: [ha] enabled = false (docs/ha.md)\n");
    return;
  } else if (what != "stats" && what != "lists" && what != "campaigns" && what != "sequences"
           && what != "gateways") {
    fail(self, "show what? connections, agents, queues, interactions, stats, lists, campaigns, "
               "sequences, gateways or ha");
    return;
  }
  std::map<std::string, std::string> f;
  std::size_t limit = 50;
  if (auto why = parse_filters(w, rules, f, limit); !why.empty()) {
    fail(self, why);
    return;
  }
  if (what == "connections")
    show_connections(self, std::move(f), limit);
  else if (what == "agents")
    show_agents(self, std::move(f), limit);
  else if (what == "queues")
    show_queues(self, std::move(f), limit);
  else if (what == "interactions")
    show_interactions(self, std::move(f), limit);
  else if (what == "stats")
    show_stats(self, limit);
  else if (what == "lists")
    start_show_lists(self->system(), caf::actor{self}, self->state.env->cfg);
  else if (what == "sequences")
    show_sequences(self);
  else if (what == "gateways")
    show_gateways(self);
  else
    show_campaigns(self);
}

} // namespace parley::engine
