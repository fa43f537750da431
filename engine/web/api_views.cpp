// The API's read routes: status, tenants, queues (live, with their waiting interactions),
// agents, interactions, campaigns with their audit and action log, do-not-call checks, the
// effective configuration and the audit log. Each asks the actors that own the object (the
// same questions the console's views ask), filtered to the caller's tenants.
#include <caf/all.hpp>

#include "actors/outbound/record_fields.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/views.hpp"
#include "engine/ask_limit.hpp"
#include "engine/campaign_status.hpp"
#include "engine/queue_live.hpp"
#include "engine/web/api.hpp"
#include "engine/web/live.hpp"
#include "engine/web/store_worker.hpp"
#include "engine/web/views_json.hpp"

namespace parley::engine::web {

json queue_json(const queue_live& q) {
  auto& d = q.today;
  return {{"name", q.name},
          {"tenant", q.tenant},
          {"waiting", q.waiting},
          {"oldest_wait_s", q.oldest_wait_s},
          {"ready_agents", q.ready_agents},
          {"today",
           {{"answered", d.answered},
            {"abandoned", d.abandoned},
            {"service_level_pct", d.sl_known ? json(d.service_level) : json(nullptr)},
            {"service_level_s", d.threshold_s},
            {"asa_s", d.answered ? json(d.asa_s) : json(nullptr)}}}};
}

json campaign_json(const outbound::campaign_view& v, const std::string& tenant) {
  return {{"name", v.name},
          {"tenant", tenant},
          {"mode", v.mode},
          {"state", v.state},
          {"queue", v.queue},
          {"lists", v.lists},
          {"ready_agents", v.ready_agents},
          {"agents", v.agents},
          {"in_flight", v.in_flight},
          {"buffered", v.buffered},
          {"dialed", v.dialed},
          {"answered", v.answered},
          {"abandoned", v.abandoned},
          {"denied", v.denied},
          {"abandon_rate", v.abandon_rate},
          {"answer_rate", v.answer_rate}};
}

namespace {

std::string time_text(std::int64_t ms) {
  return ms > 0 ? outbound::utc_time(ms) : "";
}

json interaction_json(const interaction_view& v) {
  json props = json::object();
  for (auto& p : v.properties)
    props[p.key] = p.is_number ? json(p.number) : json(p.text);
  return {{"id", v.id},
          {"external_id", v.external_id},
          {"tenant", v.tenant},
          {"media", v.media},
          {"queue", v.queue},
          {"priority", v.priority},
          {"state", wire::EnumNameInteractionState(v.state)},
          {"agents", v.agents},
          {"held", v.held},
          {"workbin", v.workbin},
          {"properties", props},
          {"submitted", time_text(v.submitted_ms)},
          {"changed", time_text(v.changed_ms)}};
}

/// Pagination of a list that can be long: ?limit= (1..1000, default 100) and ?offset=.
struct page {
  std::size_t offset = 0, limit = 100;
};
std::optional<page> paging(const call& c) {
  auto limit = c.number("limit", 100, 1, 1000);
  if (!limit)
    return std::nullopt;
  auto offset = c.number("offset", 0, 0, 1'000'000'000);
  if (!offset)
    return std::nullopt;
  return page{static_cast<std::size_t>(*offset), static_cast<std::size_t>(*limit)};
}

/// `items` cut to the page, with the total before cutting.
json paged(json items, const page& p, const char* key) {
  auto total = items.size();
  json out = json::array();
  for (std::size_t i = p.offset; i < total && out.size() < p.limit; ++i)
    out.push_back(std::move(items[i]));
  return {{key, out}, {"total", total}, {"offset", p.offset}, {"limit", p.limit}};
}

/// The query's filter `key`, when set, must equal `value`.
bool passes(const call& c, const char* key, const std::string& value) {
  auto it = c.req.query.find(key);
  return it == c.req.query.end() || it->second.empty() || it->second == value;
}

void status(call& c) {
  auto& env = *c.env;
  auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - env.started).count();
  auto& h = env.domain->metrics->storage;
  json out = {{"version", PARLEY_VERSION},
              {"name", env.cfg.name},
              {"uptime_s", up},
              {"draining", env.draining()},
              {"connections", {{"open", env.open_sessions()}, {"accepted", env.stats.connections_accepted.load()},
                               {"refused", env.stats.connections_refused.load()}}},
              {"storage", {{"backend", h.backend}, {"up", h.up.load()}, {"accepting", h.accepting()},
                           {"pending_rows", h.pending.load()}, {"failed_writes", h.failures.load()}}}};
  c.self->request(env.domain->bus, ask_limit, state_atom_v)
    .then(
      [c, out](const bus_status& b) mutable {
        json tenants = json::object();
        for (auto& [tenant, n] : b.interactions)
          if (c.id.who.sees(tenant))
            tenants[tenant]["interactions"] = {{"submitted", n.submitted}, {"queued", n.queued}, {"offered", n.offered},
                                               {"handled", n.handled},     {"parked", n.parked}, {"stopped", n.stopped},
                                               {"conserved", n.holds() && n.violations == 0}};
        for (auto& [tenant, v] : b.agents)
          if (c.id.who.sees(tenant)) {
            json states = json::object();
            for (std::size_t s = 1; s < v.size(); ++s)
              states[wire::EnumNameAgentState(static_cast<wire::AgentState>(s))] = v[s];
            tenants[tenant]["agents"] = states;
          }
        out["tenants"] = tenants;
        out["reporting_events"] = b.seq;
        c.reply(out);
      },
      [c](caf::error& e) { c.fail(e); });
}

void tenants(call& c) {
  std::map<std::string, json> by;
  for (auto& q : c.env->domain->cfg->queues)
    if (c.id.who.sees(q.tenant))
      by[q.tenant]["queues"].push_back(q.name);
  for (auto& k : c.env->domain->cfg->outbound.campaigns) {
    auto t = c.queue_tenant(k.queue);
    if (c.id.who.sees(t))
      by[t]["campaigns"].push_back(k.name);
  }
  json out = json::array();
  for (auto& [name, parts] : by)
    out.push_back({{"name", name},
                   {"queues", parts.value("queues", json::array())},
                   {"campaigns", parts.value("campaigns", json::array())}});
  c.reply({{"tenants", out}});
}

void queues(call& c) {
  auto p = paging(c);
  if (!p)
    return;
  c.self->request(c.queues, ask_limit, caf::get_atom_v)
    .then(
      [c, p = *p](const queue_live_ptr& snap) {
        // paged()'s shape from the gather's texts: no queue is rendered per request.
        std::string items;
        std::size_t total = 0, shown = 0;
        auto& qs = snap->report.queues;
        for (std::size_t i = 0; i < qs.size(); ++i) {
          if (!c.id.who.sees(qs[i].tenant) || !passes(c, "tenant", qs[i].tenant))
            continue;
          if (total++ >= p.offset && shown < p.limit)
            items += (shown++ ? "," : "") + snap->texts[i];
        }
        auto body = json{{"limit", p.limit}, {"missing", snap->report.missing}, {"offset", p.offset}, {"total", total}}.dump();
        body.insert(body.rfind(",\"total\":"), ",\"queues\":[" + items + "]");
        c.respond({200, std::move(body), "application/json", {}});
      },
      [c](caf::error& e) { c.fail(e); });
}

void one_queue(call& c) {
  auto name = c.params.at("name");
  if (!c.sees(c.queue_tenant(name), "queue named " + name))
    return;
  auto p = paging(c);
  if (!p)
    return;
  c.self->request(c.queues, ask_limit, caf::get_atom_v)
    .then(
      [c, name, p = *p](const queue_live_ptr& snap) {
        json out;
        for (std::size_t i = 0; i < snap->report.queues.size(); ++i)
          if (snap->report.queues[i].name == name)
            out = json::parse(snap->texts[i]);
        auto q = c.env->domain->queue(name);
        c.self->request(q, ask_limit, snapshot_atom_v, static_cast<std::uint32_t>(p.offset), static_cast<std::uint32_t>(p.limit))
          .then(
            [c, out, p](std::uint32_t total, const std::vector<interaction_view>& waiting) mutable {
              json items = json::array();
              for (auto& v : waiting)
                items.push_back(interaction_json(v));
              out["waiting_interactions"] = {{"items", items}, {"total", total}, {"offset", p.offset}, {"limit", p.limit}};
              c.reply(out);
            },
            [c](caf::error& e) { c.fail(e); });
      },
      [c](caf::error& e) { c.fail(e); });
}

void agents(call& c) {
  auto p = paging(c);
  if (!p)
    return;
  auto dom = c.env->domain;
  c.self->request(dom->bus, ask_limit, snapshot_atom_v, std::uint32_t{1'000'000})
    .then(
      [c, dom, p = *p](const std::vector<agent_row>& all) {
        json items = json::array();
        auto now = dom->clk->now_ms();
        for (auto& a : all) {
          std::string state = wire::EnumNameAgentState(a.state);
          if (!c.id.who.sees(a.tenant) || !passes(c, "tenant", a.tenant) || !passes(c, "state", state))
            continue;
          auto item = agent_json(a);
          item["in_state_s"] = double(now - a.since_ms) / 1000.0;
          items.push_back(std::move(item));
        }
        c.reply(paged(std::move(items), p, "agents"));
      },
      [c](caf::error& e) { c.fail(e); });
}

/// Calls `done` with every live interaction's view (the oldest 1000, as the console's
/// `show interactions` examines).
void live_interactions(const call& c, std::function<void(std::vector<interaction_view>)> done) {
  auto dom = c.env->domain;
  c.self->request(dom->interactions, ask_limit, snapshot_atom_v, std::uint32_t{1000})
    .then(
      [c, done](const std::vector<interaction_actor>& live) {
        auto views = std::make_shared<std::vector<interaction_view>>();
        auto left = std::make_shared<std::size_t>(live.size());
        if (live.empty())
          return done({});
        for (auto& a : live)
          c.self->request(a, ask_limit, state_atom_v)
            .then(
              [=](const interaction_view& v) {
                views->push_back(v);
                if (--*left == 0)
                  done(std::move(*views));
              },
              [=](caf::error&) {  // it ended meanwhile
                if (--*left == 0)
                  done(std::move(*views));
              });
      },
      [c](caf::error& e) { c.fail(e); });
}

void one_agent(call& c) {
  auto id = c.params.at("id");
  auto dom = c.env->domain;
  c.with_agent(id, [c, id, dom](const agent_row& row) {
    c.self->request(dom->agents, ask_limit, lookup_atom_v, id)
      .then(
        [c, row, id](const agent_actor& a) {
          c.self->request(a, ask_limit, state_atom_v)
            .then(
              [c, row, id](const agent_view& v) {
                live_interactions(c, [c, row, v, id](std::vector<interaction_view> all) {
                  json mine = json::array();
                  for (auto& i : all)
                    if (std::find(i.agents.begin(), i.agents.end(), id) != i.agents.end())
                      mine.push_back(interaction_json(i));
                  c.reply({{"id", id}, {"tenant", row.tenant}, {"state", wire::EnumNameAgentState(v.state)},
                           {"reason", v.reason}, {"since", time_text(row.since_ms)}, {"capacity", v.capacity},
                           {"used", v.used}, {"interactions", mine}});
                });
              },
              [c](caf::error& e) { c.fail(e); });
        },
        [c](caf::error& e) { c.fail(e); });
  });
}

void one_interaction(call& c) {
  std::uint64_t id = 0;
  try {
    id = std::stoull(c.params.at("id"));
  } catch (const std::exception&) {
    return c.fail(400, wire::ErrorCode::invalid_argument, "an interaction id is a number");
  }
  c.self->request(c.env->domain->interactions, ask_limit, lookup_atom_v, id)
    .then(
      [c, id](const interaction_actor& a) {
        c.self->request(a, ask_limit, state_atom_v)
          .then(
            [c, id](const interaction_view& v) {
              if (c.sees(v.tenant, "interaction " + std::to_string(id)))
                c.reply(interaction_json(v));
            },
            [c](caf::error& e) { c.fail(e); });
      },
      [c](caf::error& e) { c.fail(e); });
}

/// Live interactions filtered by state, queue, tenant or external_id.
void interactions(call& c) {
  auto p = paging(c);
  if (!p)
    return;
  live_interactions(c, [c, p = *p](std::vector<interaction_view> all) {
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.id < b.id; });
    json items = json::array();
    for (auto& v : all)
      if (c.id.who.sees(v.tenant) && passes(c, "tenant", v.tenant) && passes(c, "queue", v.queue)
          && passes(c, "state", wire::EnumNameInteractionState(v.state)) && passes(c, "external_id", v.external_id))
        items.push_back(interaction_json(v));
    c.reply(paged(std::move(items), p, "interactions"));
  });
}

void campaigns(call& c) {
  gather_campaigns(c.self, *c.env->domain, ask_limit, [c](campaign_answers got) {
    json items = json::array();
    for (auto& [name, v] : got.views) {
      auto t = c.campaign_tenant(name);
      if (c.id.who.sees(t))
        items.push_back(campaign_json(v, t));
    }
    json errors = json::object();
    for (auto& [name, e] : got.errors)
      if (c.id.who.sees(c.campaign_tenant(name)))
        errors[name] = describe(e);
    c.reply({{"campaigns", items}, {"unanswered", errors}});
  });
}

/// The campaign named in the path, when it exists and the caller sees it (else answered).
outbound::campaign_actor visible_campaign(const call& c) {
  auto name = c.params.at("name");
  auto k = c.env->domain->campaign(name);
  if (!k || !c.id.who.sees(c.campaign_tenant(name))) {
    c.fail(404, wire::ErrorCode::unknown_id, "no campaign named " + name);
    return {};
  }
  return k;
}

void one_campaign(call& c) {
  auto k = visible_campaign(c);
  if (!k)
    return;
  c.self->request(k, ask_limit, campaign_atom_v, caf::get_atom_v)
    .then([c](const outbound::campaign_view& v) { c.reply(campaign_json(v, c.campaign_tenant(v.name))); },
          [c](caf::error& e) { c.fail(e); });
}

void campaign_audit(call& c) {
  if (!visible_campaign(c))
    return;
  auto& env = *c.env;
  auto* k = env.domain->cfg->outbound.find(c.params.at("name"));
  auto days = c.number("days", k->abandon_window.count() / (24 * 60), 1, 3660);
  if (!days)
    return;
  if (!env.list_store)
    return c.fail(503, wire::ErrorCode::storage_unavailable, "no contact lists: outbound storage is not running");
  auto until = env.domain->clk->now_ms() + 1;
  auto since = until - *days * 86'400'000;
  double cap = k->rules.max_abandon_rate;
  c.self->request(env.list_store, env.domain->cfg->storage_timeout, audit_atom_v, k->name, since, until)
    .then(
      [c, since, until, cap, days = *days](const storage::attempt_audit& a) {
        double rate = a.answered ? double(a.abandoned) / double(a.answered) : 0.0;
        c.reply({{"campaign", c.params.at("name")},
                 {"from", outbound::utc_time(since)},
                 {"until", outbound::utc_time(until)},
                 {"days", days},
                 {"attempts", a.attempts},
                 {"answered", a.answered},
                 {"abandoned", a.abandoned},
                 {"abandon_rate", rate},
                 {"max_abandon_rate", cap},
                 {"within_cap", rate <= cap},
                 {"connected", a.connected},
                 {"connected_in_2s", a.connected_in_2s}});
      },
      [c](caf::error& e) { c.fail(e); });
}

void campaign_actions(call& c) {
  if (!visible_campaign(c))
    return;
  auto limit = c.number("limit", 20, 1, 10'000);
  if (!limit)
    return;
  auto& env = *c.env;
  if (!env.list_store)
    return c.fail(503, wire::ErrorCode::storage_unavailable, "no contact lists: outbound storage is not running");
  c.self->request(env.list_store, env.domain->cfg->storage_timeout, action_atom_v, c.params.at("name"),
                  static_cast<std::uint32_t>(*limit))
    .then(
      [c](const std::vector<storage::record_action_row>& rows) {
        json items = json::array();
        for (auto& a : rows)
          items.push_back({{"time", outbound::utc_time(a.time_ms)}, {"record", a.record_id}, {"list", a.list_id},
                           {"agent", a.agent}, {"action", a.action}, {"detail", a.detail}});
        c.reply({{"actions", items}});
      },
      [c](caf::error& e) { c.fail(e); });
}

void dnc_check(call& c) {
  auto kind = c.params.at("kind"), value = c.params.at("value");
  if (!c.dnc_kind())
    return;
  c.self->request(c.env->domain->compliance, std::chrono::seconds{10}, caf::get_atom_v, kind, value)
    .then([c, kind, value](bool listed) { c.reply({{"kind", kind}, {"value", value}, {"listed", listed}}); },
          [c](caf::error& e) { c.fail(e); });
}

void effective_config(call& c) {
  json out = json::object();
  for (auto& [key, value] : effective_config(c.env->cfg))
    out[key] = value;
  c.reply({{"config", out}, {"source", c.env->cfg.name}});
}

void audit_log_route(call& c) {
  auto limit = c.number("limit", 100, 1, 10'000);
  if (!limit)
    return;
  json items = json::array();
  for (auto& line : c.env->audit->tail(static_cast<std::size_t>(*limit))) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded())
      items.push_back(std::move(j));
  }
  c.reply({{"entries", items}});
}

} // namespace

json agent_json(const agent_row& a) {
  return {{"id", a.agent}, {"tenant", a.tenant}, {"state", wire::EnumNameAgentState(a.state)},
          {"reason", a.reason}, {"since", time_text(a.since_ms)}};
}

void add_view_routes(std::vector<route>& r) {
  r.push_back({verb::get, "/api/v1/status", "status", status});
  r.push_back({verb::get, "/api/v1/tenants", "tenant.read", tenants});
  r.push_back({verb::get, "/api/v1/queues", "queue.read", queues});
  r.push_back({verb::get, "/api/v1/queues/{name}", "queue.read", one_queue});
  r.push_back({verb::get, "/api/v1/agents", "agent.read", agents});
  r.push_back({verb::get, "/api/v1/agents/{id}", "agent.read", one_agent});
  r.push_back({verb::get, "/api/v1/interactions", "interaction.read", interactions});
  r.push_back({verb::get, "/api/v1/interactions/{id}", "interaction.read", one_interaction});
  r.push_back({verb::get, "/api/v1/campaigns", "campaign.read", campaigns});
  r.push_back({verb::get, "/api/v1/campaigns/{name}", "campaign.read", one_campaign});
  r.push_back({verb::get, "/api/v1/campaigns/{name}/audit", "campaign.audit", campaign_audit});
  r.push_back({verb::get, "/api/v1/campaigns/{name}/actions", "campaign.actions", campaign_actions});
  r.push_back({verb::get, "/api/v1/dnc/{kind}/{value}", "dnc.check", dnc_check});
  r.push_back({verb::get, "/api/v1/config", "config.read", effective_config});
  r.push_back({verb::get, "/api/v1/audit", "audit.read", audit_log_route});
}

} // namespace parley::engine::web
