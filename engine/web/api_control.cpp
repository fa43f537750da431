// The API's state-changing routes on the running contact center: campaign control, agent
// logout, do-not-call entries and imports, schedule entries, stopping an interaction and clearing a queue. Each is the
// console command of the same name (same actors, same role: engine/access.hpp), written to
// the audit log with the user's name.
#include <filesystem>

#include <caf/all.hpp>
#include <unistd.h>

#include "actors/outbound/campaign_actor.hpp"
#include "actors/outbound/compliance_actor.hpp"
#include "actors/outbound/record_fields.hpp"
#include "actors/outbound/scheduler_actor.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/views.hpp"
#include "engine/ask_limit.hpp"
#include "engine/web/api.hpp"

namespace parley::engine::web {

namespace {

json campaign_state(const outbound::campaign_view& v) {
  return {{"name", v.name}, {"state", v.state}, {"mode", v.mode}, {"in_flight", v.in_flight}};
}

void campaign_op(call& c, const char* op) {
  auto name = c.params.at("name");
  auto k = c.env->domain->campaign(name);
  if (!k || !c.id.who.sees(c.campaign_tenant(name)))
    return c.refused(404, wire::ErrorCode::unknown_id, "no campaign named " + name);
  outbound::with_campaign_op(op, [&](auto atom) {
    c.self->request(k, c.env->domain->cfg->storage_timeout, campaign_atom_v, atom)
      .then([c](const outbound::campaign_view& v) { c.changed(campaign_state(v)); },
            [c](caf::error& e) { c.refused(e); });
  });
}

void start(call& c) { campaign_op(c, "start"); }
void stop(call& c) { campaign_op(c, "stop"); }
void pause(call& c) { campaign_op(c, "pause"); }
void resume(call& c) { campaign_op(c, "resume"); }

void agent_logout(call& c) {
  auto id = c.params.at("id");
  auto dom = c.env->domain;
  // A user may log out only the agents of their tenants.
  c.with_agent(id, [c, id, dom](const agent_row&) {
    c.self->request(dom->agents, ask_limit, lookup_atom_v, id)
      .then(
        [c, id](const agent_actor& a) {
          c.self->request(a, ask_limit, logout_atom_v, true)
            .then([c, id](const agent_view&) { c.changed({{"agent", id}, {"state", "logged_out"}}); },
                  [c](caf::error& e) { c.refused(e); });
        },
        [c](caf::error& e) { c.refused(e); });
  });
}

void dnc_add(call& c) {
  auto kind = c.params.at("kind"), value = c.params.at("value");
  if (!c.dnc_kind())
    return;
  c.self->request(c.env->domain->compliance, std::chrono::seconds{10}, caf::add_atom_v, kind,
                  std::vector<std::string>{value})
    .then([c, kind, value](std::uint64_t n) { c.changed({{"kind", kind}, {"value", value}, {"added", n > 0}}); },
          [c](caf::error& e) { c.refused(e); });
}

void dnc_remove(call& c) {
  auto kind = c.params.at("kind"), value = c.params.at("value");
  if (!c.dnc_kind())
    return;
  c.self->request(c.env->domain->compliance, std::chrono::seconds{10}, caf::delete_atom_v, kind, value)
    .then([c, kind, value](bool removed) { c.changed({{"kind", kind}, {"value", value}, {"removed", removed}}); },
          [c](caf::error& e) { c.refused(e); });
}

/// POST /api/v1/dnc/{kind}/import: the body is a CSV, read as the console's `dnc import`
/// reads a file (the column named like the kind, else the first; phones normalized to
/// E.164): the compliance actor adds every value and answers its summary. It reads files,
/// so the body goes to a private temporary file first (removed when it answered).
void dnc_import(call& c) {
  auto kind = c.params.at("kind");
  if (!c.dnc_kind())
    return;
  if (c.req.body.empty())
    return c.refused(400, wire::ErrorCode::invalid_argument, "the body is the CSV to import");
  auto path = (std::filesystem::temp_directory_path() / "parley-dnc-XXXXXX").string();
  int fd = ::mkstemp(path.data());
  bool written = fd >= 0;
  for (std::size_t at = 0; written && at < c.req.body.size();) {
    auto n = ::write(fd, c.req.body.data() + at, c.req.body.size() - at);
    written = n > 0;
    at += written ? static_cast<std::size_t>(n) : 0;
  }
  if (fd >= 0)
    written = ::close(fd) == 0 && written;
  if (!written) {
    std::filesystem::remove(path);
    return c.refused(503, wire::ErrorCode::storage_unavailable, "cannot write the upload to a temporary file");
  }
  c.self->request(c.env->domain->compliance, std::chrono::minutes{10}, import_atom_v, kind, path,
                  c.env->cfg.outbound.default_country_prefix)
    .then(
      [c, kind, path](const std::string& summary) {
        std::filesystem::remove(path);
        auto text = summary.substr(0, summary.find_last_not_of('\n') + 1);
        c.changed({{"kind", kind}, {"summary", text}});
      },
      [c, path](caf::error& e) {
        std::filesystem::remove(path);
        c.refused(e);
      });
}

/// May the caller see schedule entry `e`? A user of every tenant sees all; others the entries
/// of campaigns (and sequences whose every step is a campaign) of their tenants, and imports
/// into lists that only their tenants' campaigns dial (retention, every tenant's: none).
bool sees_entry(const call& c, const schedule_entry& e) {
  auto& who = c.id.who;
  if (who.all_tenants)
    return true;
  auto& out = c.env->domain->cfg->outbound;
  if (e.action == schedule_action::retention)
    return false;  // every tenant's history: all-tenant users only
  if (e.action == schedule_action::import)
    return sees_list(c, e.list) && owns_list(c, e.list);
  if (!e.sequence.empty()) {
    for (auto& s : out.sequences)
      if (s.name == e.sequence)
        return std::all_of(s.steps.begin(), s.steps.end(),
                           [&](auto& step) { return who.sees(c.campaign_tenant(step.campaign)); });
    return false;
  }
  return who.sees(c.campaign_tenant(e.campaign));
}

json schedule_json(const schedule_entry& e, const outbound::schedule_status& s) {
  auto time = [](std::int64_t ms) { return ms ? json(outbound::utc_time(ms)) : json(nullptr); };
  json out{{"index", s.index},   {"cron", e.cron},         {"zone", e.zone},
           {"action", std::string{to_string(e.action)}},
           {"what", outbound::describe_entry(e)},
           {"enabled", s.enabled}, {"next", time(s.next_ms)}, {"last_fired", time(s.last_ms)},
           {"last_result", s.last}};
  if (e.action == schedule_action::import)
    out.update({{"list", e.list}, {"file", e.file}});
  else if (!e.sequence.empty())
    out["sequence"] = e.sequence;
  else if (e.action != schedule_action::retention)
    out["campaign"] = e.campaign;
  return out;
}

/// GET /api/v1/schedules: the [[schedule]] entries the caller sees, as they run.
void schedules(call& c) {
  auto& entries = c.env->domain->cfg->outbound.schedule;
  if (!c.env->scheduler)
    return c.reply({{"schedules", json::array()}});
  c.self->request(c.env->scheduler, ask_limit, caf::get_atom_v)
    .then(
      [c, entries](const std::vector<outbound::schedule_status>& all) {
        json items = json::array();
        for (auto& s : all)
          if (s.index < entries.size() && sees_entry(c, entries[s.index]))
            items.push_back(schedule_json(entries[s.index], s));
        c.reply({{"schedules", items}});
      },
      [c](caf::error& e) { c.fail(e); });
}

/// POST /api/v1/schedules/{index}/enable|disable: until the next start of parleyd.
void schedule_switch(call& c, bool enable) {
  auto& entries = c.env->domain->cfg->outbound.schedule;
  std::uint64_t i = 0;
  if (!outbound::parse_uint(c.params.at("index"), 1'000'000, i).empty() || i >= entries.size()
      || !sees_entry(c, entries[i]) || !c.env->scheduler)
    return c.refused(404, wire::ErrorCode::unknown_id, "no schedule entry " + c.params.at("index"));
  auto entry = entries[i];
  c.self->request(c.env->scheduler, ask_limit, caf::put_atom_v, i, enable)
    .then([c, entry](const outbound::schedule_status& s) { c.changed(schedule_json(entry, s)); },
          [c](caf::error& e) { c.refused(e); });
}

void schedule_enable(call& c) {
  schedule_switch(c, true);
}

void schedule_disable(call& c) {
  schedule_switch(c, false);
}

/// The optional {"reason": "..."} of a stop (an empty body is no reason).
std::optional<std::string> reason_of(const call& c, const std::string& otherwise) {
  if (c.req.body.empty())
    return otherwise;
  auto body = c.body_object();
  if (!body)
    return std::nullopt;
  auto it = body->find("reason");
  if (it == body->end())
    return otherwise;
  if (!it->is_string() || it->get<std::string>().size() > 512) {
    c.refused(400, wire::ErrorCode::invalid_argument, "reason must be a string of at most 512 bytes");
    return std::nullopt;
  }
  return it->get<std::string>();
}

void interaction_stop(call& c) {
  std::uint64_t id = 0;
  try {
    id = std::stoull(c.params.at("id"));
  } catch (const std::exception&) {
    return c.refused(400, wire::ErrorCode::invalid_argument, "an interaction id is a number");
  }
  auto reason = reason_of(c, "stopped by " + c.id.who.name + " over the API");
  if (!reason)
    return;
  c.self->request(c.env->domain->interactions, ask_limit, lookup_atom_v, id)
    .then(
      [c, id, reason](const interaction_actor& a) {
        c.self->request(a, ask_limit, state_atom_v)
          .then(
            [c, id, reason, a](const interaction_view& v) {
              if (!c.id.who.sees(v.tenant))
                return c.refused(404, wire::ErrorCode::unknown_id, "no interaction " + std::to_string(id));
              requester admin{wire::ClientType::admin, {}, {}, {}};
              c.self->request(a, ask_limit, stop_atom_v, admin, *reason)
                .then([c, id](caf::ok_atom) { c.changed({{"id", id}, {"stopped", true}}); },
                      [c](caf::error& e) { c.refused(e); });
            },
            [c](caf::error& e) { c.refused(e); });
      },
      [c](caf::error& e) { c.refused(e); });
}

void queue_clear(call& c) {
  auto name = c.params.at("name");
  auto q = c.env->domain->queue(name);
  if (!q || !c.id.who.sees(c.queue_tenant(name)))
    return c.refused(404, wire::ErrorCode::unknown_id, "no queue named " + name);
  auto reason = reason_of(c, "queue cleared by " + c.id.who.name + " over the API");
  if (!reason)
    return;
  c.self->request(q, ask_limit, stop_atom_v, *reason)
    .then([c, name](std::uint64_t n) { c.changed({{"queue", name}, {"stopped", n}}); },
          [c](caf::error& e) { c.refused(e); });
}

} // namespace

void add_control_routes(std::vector<route>& r) {
  r.push_back({verb::post, "/api/v1/campaigns/{name}/start", "campaign.start", start});
  r.push_back({verb::post, "/api/v1/campaigns/{name}/stop", "campaign.stop", stop});
  r.push_back({verb::post, "/api/v1/campaigns/{name}/pause", "campaign.pause", pause});
  r.push_back({verb::post, "/api/v1/campaigns/{name}/resume", "campaign.resume", resume});
  r.push_back({verb::post, "/api/v1/agents/{id}/logout", "agent.logout", agent_logout});
  r.push_back({verb::put, "/api/v1/dnc/{kind}/{value}", "dnc.add", dnc_add});
  r.push_back({verb::delete_, "/api/v1/dnc/{kind}/{value}", "dnc.remove", dnc_remove});
  r.push_back({verb::post, "/api/v1/dnc/{kind}/import", "dnc.import", dnc_import});
  r.push_back({verb::get, "/api/v1/schedules", "schedule.read", schedules});
  r.push_back({verb::post, "/api/v1/schedules/{index}/enable", "schedule.enable", schedule_enable});
  r.push_back({verb::post, "/api/v1/schedules/{index}/disable", "schedule.disable", schedule_disable});
  r.push_back({verb::post, "/api/v1/interactions/{id}/stop", "interaction.stop", interaction_stop});
  r.push_back({verb::post, "/api/v1/queues/{name}/clear", "queue.clear", queue_clear});
}

} // namespace parley::engine::web
