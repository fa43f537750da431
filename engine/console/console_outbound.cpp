// The console's outbound commands: campaign control and status, the do-not-call list,
// contact-list import, export and delete (jobs in list_jobs), `show campaigns`.
#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

#include <caf/all.hpp>

#include "actors/outbound/outbound_types.hpp"
#include "actors/outbound/record_fields.hpp"
#include "engine/campaign_status.hpp"
#include "engine/console/console_state.hpp"
#include "engine/list_jobs.hpp"

namespace parley::engine {

namespace {

std::string campaign_line(const outbound::campaign_view& v) {
  std::ostringstream o;
  std::string lists;
  for (auto& l : v.lists)
    lists += (lists.empty() ? "" : ",") + l;
  o << "campaign " << v.name << " " << v.state << " " << v.mode << " queue=" << v.queue
    << " lists=" << lists << " agents=" << v.ready_agents << "/" << v.agents
    << " dialed=" << v.dialed << " answered=" << v.answered << " abandoned=" << v.abandoned
    << " abandon_rate=" << std::fixed << std::setprecision(2) << v.abandon_rate * 100 << "%"
    << " denied=" << v.denied << " in_flight=" << v.in_flight << " buffered=" << v.buffered
    << "\n";
  return o.str();
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(2) << (whole ? 100.0 * double(part) / double(whole) : 0.0)
    << "%";
  return o.str();
}

/// `campaign audit NAME [DAYS]`: the rules proven from the stored attempts alone — the
/// abandon rate over the window (default: the campaign's abandon_window_days) against its
/// cap, and the share of answered calls offered to an agent within 2 s.
void run_audit(console_self self, const std::vector<std::string>& w) {
  auto& env = *self->state.env;
  auto* c = env.domain->cfg->outbound.find(w[2]);
  std::int64_t days = c->abandon_window.count() / (24 * 60);
  if (w.size() == 4 && !(std::istringstream{w[3]} >> days && days >= 1 && days <= 3660)) {
    fail(self, "usage: campaign audit NAME [DAYS] (DAYS 1..3660)");
    return;
  }
  if (!env.list_store) {
    fail(self, "no contact lists: outbound storage is not running");
    return;
  }
  auto until = env.domain->clk->now_ms() + 1;
  auto since = until - days * 86'400'000;
  double cap = c->rules.max_abandon_rate;
  auto name = c->name;
  self->request(env.list_store, env.domain->cfg->storage_timeout, audit_atom_v, name,
                since, until)
    .then(
      [=](const storage::attempt_audit& a) {
        std::ostringstream o;
        double rate = a.answered ? double(a.abandoned) / double(a.answered) : 0.0;
        o << "campaign " << name << " audit " << outbound::utc_time(since) << " .. "
          << outbound::utc_time(until) << " (" << days << " days): attempts=" << a.attempts
          << " answered=" << a.answered << " abandoned=" << a.abandoned
          << " abandon_rate=" << percent(a.abandoned, a.answered) << " cap=" << std::fixed
          << std::setprecision(2) << cap * 100 << "%" << (rate > cap ? " OVER" : " within") << " connected=" << a.connected
          << " connected_in_2s=" << a.connected_in_2s << " ("
          << percent(a.connected_in_2s, a.answered) << " of answered)\n";
        done(self, o.str());
      },
      [=](caf::error& e) { done(self, "error: " + describe(e) + "\n"); });
}

/// `campaign actions NAME [N]`: the campaign's action log, newest first — what agents'
/// desktops did with the records of their calls (do-not-call requests among them).
void run_actions(console_self self, const std::vector<std::string>& w) {
  auto& env = *self->state.env;
  std::uint32_t limit = 20;
  if (w.size() == 4 && !(std::istringstream{w[3]} >> limit && limit >= 1 && limit <= 10'000)) {
    fail(self, "usage: campaign actions NAME [N] (N 1..10000)");
    return;
  }
  if (!env.list_store) {
    fail(self, "no contact lists: outbound storage is not running");
    return;
  }
  auto name = w[2];
  self->request(env.list_store, env.domain->cfg->storage_timeout, action_atom_v, name, limit)
    .then(
      [=](const std::vector<storage::record_action_row>& rows) {
        std::ostringstream o;
        for (auto& a : rows)
          o << outbound::utc_time(a.time_ms) << " record=" << a.record_id << " list=" << a.list_id
            << " agent=" << (a.agent.empty() ? "-" : a.agent) << " " << a.action
            << (a.detail.empty() ? "" : " " + a.detail) << "\n";
        done(self, o.str() + std::to_string(rows.size()) + " action(s) of campaign " + name + "\n");
      },
      [=](caf::error& e) { done(self, "error: " + describe(e) + "\n"); });
}

} // namespace

void show_campaigns(console_self self) {
  auto& env = *self->state.env;
  if (env.domain->campaigns.empty()) {
    done(self, "no campaigns configured\n");
    return;
  }
  gather_campaigns(self, *env.domain, std::chrono::seconds{5}, [=](campaign_answers got) {
    // By name, answered or not.
    std::map<std::string, std::string> lines;
    for (auto& [name, v] : got.views)
      lines[name] = campaign_line(v);
    for (auto& [name, e] : got.errors)
      lines[name] = name + "  error: " + describe(e) + "\n";
    std::string out;
    for (auto& [name, l] : lines)
      out += l;
    done(self, out + std::to_string(lines.size()) + " campaign(s)\n");
  });
}

void show_gateways(console_self self) {
  auto& env = *self->state.env;
  auto& gw = env.domain->cfg->outbound.gateway;
  if (!env.domain->gateway) {
    done(self, "no campaigns configured: no gateway\n");
    return;
  }
  if (!env.domain->gateway_pool) {
    done(self, "simulated gateway: " + std::to_string(gw.max_lines) + " line(s), seed "
                 + std::to_string(gw.seed) + " (outbound.gateway.kind = \"simulated\")\n");
    return;
  }
  self->request(env.domain->gateway_pool, std::chrono::seconds{5}, caf::get_atom_v)
    .then(
      [=](const std::vector<outbound::dial_gateway_view>& all) {
        std::ostringstream o;
        for (auto& v : all) {
          o << "gateway " << v.name << " session=" << v.session << " media=";
          for (std::size_t i = 0; i < v.media.size(); ++i)
            o << (i ? "," : "") << v.media[i];
          o << " lines=" << v.lines << " busy=" << v.busy << " dials=" << v.dials
            << " lost=" << v.lost << "\n";
        }
        done(self, o.str() + std::to_string(all.size()) + " dialing gateway(s)\n");
      },
      [=](caf::error& e) { done(self, "error: " + describe(e) + "\n"); });
}

void run_campaign(console_self self, const std::vector<std::string>& w, const std::string& line) {
  auto& env = *self->state.env;
  if (w.size() != 3 && !(w.size() == 4 && (w[1] == "audit" || w[1] == "actions"))) {
    fail(self, "usage: campaign start|stop|pause|resume|status|audit|actions NAME");
    return;
  }
  auto c = env.domain->campaign(w[2]);
  if (!c) {
    fail(self, "no campaign named " + w[2] + " (see show campaigns)");
    return;
  }
  if (w[1] == "audit") {
    run_audit(self, w);
    return;
  }
  if (w[1] == "actions") {
    run_actions(self, w);
    return;
  }
  auto op = w[1];
  auto reply = replier(self, op == "status", line);
  auto known = outbound::with_campaign_op(op, [&](auto atom) {
    self->request(c, env.domain->cfg->storage_timeout, campaign_atom_v, atom)
      .then([=](const outbound::campaign_view& v) { reply(campaign_line(v)); },
            [=](caf::error& e) { reply("error: " + describe(e) + "\n"); });
  });
  if (!known)
    fail(self, "usage: campaign start|stop|pause|resume|status|audit NAME");
}

void run_dnc(console_self self, const std::vector<std::string>& w, const std::string& line) {
  auto& env = *self->state.env;
  if (w.size() != 4 || (w[1] != "add" && w[1] != "remove" && w[1] != "check" && w[1] != "import")) {
    fail(self, "usage: dnc add|remove|check phone|sms|email|customer VALUE | dnc import "
               "phone|sms|email|customer FILE");
    return;
  }
  auto err = [=](caf::error& e) {
    auto text = "error: " + describe(e) + "\n";
    if (w[1] == "check")
      done(self, text);
    else
      audited(self, line, [=] { return text; });
  };
  auto kind = w[2], value = w[3];
  if (w[1] == "import") {
    // A file in the import directory, like list imports; the compliance actor (detached)
    // reads it, so this console stays responsive meanwhile.
    std::string why;
    auto path = resolve_import_file(import_dir(env.cfg), w[3], why);
    if (path.empty()) {
      audited(self, line, [=] { return "error: " + why + "\n"; });
      return;
    }
    self->request(env.domain->compliance, std::chrono::minutes{10}, import_atom_v, kind, path,
                  env.cfg.outbound.default_country_prefix)
      .then([=](const std::string& summary) {
              audited(self, line, [=] { return "dnc " + kind + ": " + summary; });
            }, err);
  } else if (w[1] == "check")
    self->request(env.domain->compliance, std::chrono::seconds{10}, caf::get_atom_v, kind, value)
      .then([=](bool listed) { done(self, kind + " " + value + (listed ? " is" : " is not") + " on the do-not-call list\n"); }, err);
  else if (w[1] == "add")
    self->request(env.domain->compliance, std::chrono::seconds{10}, caf::add_atom_v, kind,
                  std::vector<std::string>{value})
      .then([=](std::uint64_t n) {
              audited(self, line, [=] { return kind + " " + value + (n ? " added\n" : " was listed already\n"); });
            }, err);
  else
    self->request(env.domain->compliance, std::chrono::seconds{10}, caf::delete_atom_v, kind, value)
      .then([=](bool removed) {
              audited(self, line, [=] { return kind + " " + value + (removed ? " removed\n" : " was not listed\n"); });
            }, err);
}

namespace {

const char* list_usage =
  "error: usage: list import NAME FILE [--append] [--dedupe] [--mapping=SAVED] [MAPPING] | list export NAME FILE "
  "| list delete NAME\n";

/// `list import NAME FILE [--append] [--dedupe] [--mapping=SAVED] [MAPPING]`: options may stand
/// anywhere after `import`; the mapping is the rest of the line (column names may hold blanks),
/// its pairs over those of the saved mapping SAVED. "" or why not.
std::string parse_import(const std::string& line, list_import_request& req) {
  struct token {
    std::string text;
    std::size_t at;
  };
  std::vector<token> words;
  for (std::size_t i = 0; (i = line.find_first_not_of(" \t", i)) != std::string::npos;) {
    auto end = std::min(line.find_first_of(" \t", i), line.size());
    words.push_back({line.substr(i, end - i), i});
    i = end;
  }
  std::vector<token> kept;
  for (std::size_t i = 2; i < words.size(); ++i) {
    auto& w = words[i].text;
    if (w == "--append")
      req.append = true;
    else if (w == "--dedupe")
      req.dedupe = true;
    else if (w.rfind("--mapping=", 0) == 0 && w.size() > 10)
      req.saved_mapping = w.substr(10);
    else if (w.rfind("--", 0) == 0)
      return "error: unknown option " + w + " (list import knows --append, --dedupe and --mapping=SAVED)\n";
    else
      kept.push_back(words[i]);
  }
  if (kept.size() < 2)
    return list_usage;
  req.list = kept[0].text;
  req.file = kept[1].text;
  for (std::size_t i = 2; i < kept.size(); ++i) {
    if (!req.mapping.empty()) {  // the blanks between two words of the line, or one
      auto gap_from = kept[i - 1].at + kept[i - 1].text.size();
      auto gap = line.substr(gap_from, kept[i].at - gap_from);
      req.mapping += gap.find("--") == std::string::npos ? gap : " ";
    }
    req.mapping += kept[i].text;
  }
  return {};
}

/// `list delete NAME`: refused while a configured campaign that dials the list runs, is
/// paused, or still has calls under way; otherwise a job deletes it.
void delete_list(console_self self, const std::string& list, const std::string& line) {
  check_list_unused(self, self->state.env->domain, list, [=](std::string objection) {
    if (!objection.empty())
      return audited(self, line, [=] {
        return "error: list " + list + " is in use: " + objection + "; stop the campaign first\n";
      });
    self->state.job_line = line;
    start_list_delete(self->system(), caf::actor{self}, self->state.env->cfg, list);
  });
}

} // namespace

void run_list(console_self self, const std::vector<std::string>& w, const std::string& line) {
  auto& st = self->state;
  auto& env = *st.env;
  if (w.size() == 4 && w[1] == "export") {
    st.job_line = line;
    start_list_export(self->system(), caf::actor{self}, env.cfg, env.list_store, w[2], w[3]);
    return;
  }
  if (w.size() == 3 && w[1] == "delete")
    return delete_list(self, w[2], line);
  list_import_request req;
  auto why = w.size() > 1 && w[1] == "import" ? parse_import(line, req) : list_usage;
  if (!why.empty()) {
    audited(self, line, [=] { return why; });
    return;
  }
  st.job_line = line;
  start_list_import(self->system(), caf::actor{self}, env.cfg, std::move(req));
}

} // namespace parley::engine
