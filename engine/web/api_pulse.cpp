// The API's Pulse routes (docs/pulse.md): templates, dashboards and their widgets
// (api_pulse_data.cpp: what a dashboard shows — its live stream, a trend's history — and
// each user's tabs).
//
// Who may do what is Pulse's chain on top of the roles (access.cpp): pulse.view opens the
// dashboards one made and those shared with one's tenants; pulse.tabs keeps one's tabs;
// pulse.display changes how a widget shows (title, size, aliases, formats, thresholds) and
// a dashboard's layout; pulse.widgets makes, changes and deletes widgets and private
// dashboards; pulse.shared shares dashboards, manages shared ones and edits templates. A
// dashboard one may not open is 404, as if it did not exist. A wallboard account opens
// shared dashboards only.
#include <caf/all.hpp>

#include "actors/outbound/record_fields.hpp"
#include "actors/runtime/clock.hpp"
#include "actors/runtime/domain.hpp"
#include "engine/config.hpp"
#include "engine/web/api.hpp"
#include "engine/web/api_pulse.hpp"
#include "engine/web/live_stats.hpp"
#include "engine/web/pulse.hpp"
#include "engine/web/pulse_history.hpp"
#include "engine/web/store_worker.hpp"
#include "engine/web/users.hpp"

namespace parley::engine::web {

namespace pulse_api {

bool may_open(const principal& p, const pulse_dashboard_row& d) {
  if (d.shared && p.sees(d.tenant))
    return true;
  return !p.wallboard && d.owner == p.name;
}

/// May change what the dashboard is: its widgets, its name, delete it.
bool may_manage(const principal& p, const pulse_dashboard_row& d) {
  if (d.shared)
    return p.may("pulse.shared") && p.sees(d.tenant);
  return d.owner == p.name && p.may("pulse.widgets");
}

/// May change how it shows: widget display fields, the layout.
bool may_display(const principal& p, const pulse_dashboard_row& d) {
  return may_open(p, d) && !p.wallboard && p.may("pulse.display");
}

json parse_or(const std::string& text, json otherwise) {
  auto j = json::parse(text, nullptr, false);
  return j.is_discarded() ? otherwise : j;
}

json widget_json(const pulse_widget_row& w) {
  auto doc = parse_or(w.widget, json::object());
  return {{"id", w.id},
          {"template", w.template_name},
          {"widget", doc},
          {"values", widget_values(doc)},
          {"changed", outbound::utc_time(w.changed_ms)}};
}

json dashboard_json(const principal& p, const pulse_dashboard_row& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"owner", d.owner},
          {"shared", d.shared},
          {"tenant", d.tenant},
          {"layout", parse_or(d.layout, json::object())},
          {"created", outbound::utc_time(d.created_ms)},
          {"changed", outbound::utc_time(d.changed_ms)},
          {"may", {{"display", may_display(p, d)}, {"manage", may_manage(p, d)}, {"share", p.may("pulse.shared")}}}};
}

json template_json(const storage::pulse_template_row& t) {
  return {{"name", t.name},
          {"title", t.title},
          {"built_in", t.built_in},
          {"widget", parse_or(t.widget, json::object())},
          {"changed", outbound::utc_time(t.changed_ms)},
          {"changed_by", t.changed_by}};
}

/// Runs `work` on the store worker; 503 when the store cannot be reached.
void on_store(const call& c, std::function<void(const call&, storage::store&)> work) {
  auto copy = c;
  run_on(c.auth->db(), {[copy, work](storage::store& st) { work(copy, st); },
                        [copy](const std::string& why) { copy.error(503, wire::ErrorCode::storage_unavailable, why); }});
}

/// The path's {id} as a dashboard id; nullopt after answering 404.
std::optional<std::int64_t> id_param(const call& c, const char* name) {
  auto& text = c.params.at(name);
  try {
    std::size_t used = 0;
    auto id = std::stoll(text, &used);
    if (used == text.size() && id > 0)
      return id;
  } catch (const std::exception&) {
  }
  c.error(404, wire::ErrorCode::unknown_id, std::string{"no "} + (std::string{name} == "id" ? "dashboard " : "widget ") + text);
  return std::nullopt;
}

/// The dashboard `id` when the caller may open it, else nullopt after answering 404.
std::optional<pulse_dashboard_row> opened(const call& c, pulse_store& ps, std::int64_t id) {
  auto d = ps.dashboard(id);
  if (d && may_open(c.id.who, *d))
    return d;
  c.error(404, wire::ErrorCode::unknown_id, "no dashboard " + std::to_string(id));
  return std::nullopt;
}

} // namespace pulse_api

namespace {

using namespace pulse_api;

/// The dashboard `id` when the caller may change what it is (`doing` names the change in the
/// refusal), else nullopt after answering 404 (may not open it) or 403.
std::optional<pulse_dashboard_row> managed(const call& c, pulse_store& ps, std::int64_t id, const std::string& doing) {
  auto d = opened(c, ps, id);
  if (d && !may_manage(c.id.who, *d)) {
    c.refused(403, wire::ErrorCode::not_allowed, doing + " needs " + (d->shared ? "pulse.shared" : "pulse.widgets"));
    return std::nullopt;
  }
  return d;
}

/// Checks that the caller sees every object of widget `doc` and, on a shared dashboard,
/// that each belongs to its tenant; "" or why not.
std::string objects_problem(const call& c, const pulse_dashboard_row& d, const json& doc) {
  auto objects = doc.value("objects", json::array());
  for (std::size_t i = 0; i < objects.size(); ++i) {
    auto type_name = objects[i]["type"].get<std::string>();
    auto id = objects[i]["id"].get<std::string>();
    wire::StatObjectType type{};
    bool known = false;
    for (auto t : wire::EnumValuesStatObjectType())
      if (type_name == wire::EnumNameStatObjectType(t)) {
        type = t;
        known = true;
      }
    auto tenant = known ? object_tenant(c, type, id) : "";
    if (tenant.empty() || !c.id.who.sees(tenant))
      return "objects[" + std::to_string(i) + "]: no " + type_name + " named " + id + " among your tenants'";
    if (d.shared && tenant != d.tenant)
      return "objects[" + std::to_string(i) + "]: " + type_name + " " + id + " is tenant " + tenant
             + "'s, and the dashboard is shared with " + d.tenant + "'s users";
  }
  return {};
}

/// The values on dashboard `d` if widget `except` were replaced by one of `adding` values.
std::size_t values_with(pulse_store& ps, std::int64_t dashboard, std::int64_t except, std::size_t adding) {
  std::size_t total = adding;
  for (auto& w : ps.widgets(dashboard))
    if (w.id != except)
      total += widget_values(parse_or(w.widget, json::object()));
  return total;
}

// -- templates ------------------------------------------------------------------------

void templates(call& c) {
  on_store(c, [](const call& c, storage::store& st) {
    json items = json::array();
    for (auto& t : st.pulse().templates())
      items.push_back(template_json(t));
    c.reply({{"templates", items}});
  });
}

/// PUT /api/v1/templates/{name}: {"title"?, "widget"}; 201 when new.
void save_template(call& c) {
  auto name = c.params.at("name");
  if (name.empty() || name.size() > 64)
    return c.refused(400, wire::ErrorCode::invalid_argument, "a template's name has 1 to 64 characters");
  auto body = c.body_object();
  if (!body)
    return;
  auto doc = body->value("widget", json{});
  if (auto why = widget_problem(doc, false); !why.empty())
    return c.refused(400, wire::ErrorCode::invalid_argument, "widget: " + why);
  auto title = body->value("title", json(name));
  if (!title.is_string() || title.get<std::string>().empty() || title.get<std::string>().size() > 200)
    return c.refused(400, wire::ErrorCode::invalid_argument, "title: text of 1 to 200 characters");
  storage::pulse_template_row row{name, title.get<std::string>(), doc.dump(), false, now_ms(), c.id.who.name};
  on_store(c, [row](const call& c, storage::store& st) {
    bool created = st.pulse().save_template(row);
    c.changed(template_json(*st.pulse().template_named(row.name)), created ? 201 : 200);
  });
}

void delete_template(call& c) {
  on_store(c, [name = c.params.at("name")](const call& c, storage::store& st) {
    auto t = st.pulse().template_named(name);
    if (!t)
      return c.refused(404, wire::ErrorCode::unknown_id, "no template named " + name);
    if (t->built_in)
      return c.refused(409, wire::ErrorCode::wrong_state, "built-in template " + name + " may be edited, not deleted");
    st.pulse().delete_template(name);
    c.changed({{"removed", name}});
  });
}

// -- dashboards -----------------------------------------------------------------------

void dashboards(call& c) {
  on_store(c, [](const call& c, storage::store& st) {
    json items = json::array();
    for (auto& d : st.pulse().dashboards())
      if (may_open(c.id.who, d)) {
        auto j = dashboard_json(c.id.who, d);
        j["widgets"] = st.pulse().widgets(d.id).size();
        items.push_back(std::move(j));
      }
    c.reply({{"dashboards", items}});
  });
}

json full_dashboard(const call& c, pulse_store& ps, const pulse_dashboard_row& d) {
  auto j = dashboard_json(c.id.who, d);
  json widgets = json::array();
  for (auto& w : ps.widgets(d.id))
    widgets.push_back(widget_json(w));
  j["widgets"] = widgets;
  return j;
}

void one_dashboard(call& c) {
  auto id = id_param(c, "id");
  if (!id)
    return;
  on_store(c, [id = *id](const call& c, storage::store& st) {
    if (auto d = opened(c, st.pulse(), id))
      c.reply(full_dashboard(c, st.pulse(), *d));
  });
}

/// A widget made from the request: {"widget": {...}} as it is, or {"template": NAME,
/// "objects": [...], "title"?} from a stored template. Answers 400/404 and returns nullopt
/// when it cannot.
std::optional<pulse_widget_row> widget_from(const call& c, pulse_store& ps, const json& body) {
  pulse_widget_row row;
  json doc;
  if (body.contains("widget")) {
    doc = body["widget"];
  } else if (body.contains("template") && body["template"].is_string()) {
    row.template_name = body["template"].get<std::string>();
    auto t = ps.template_named(row.template_name);
    if (!t) {
      c.refused(404, wire::ErrorCode::unknown_id, "no template named " + row.template_name);
      return std::nullopt;
    }
    doc = parse_or(t->widget, json::object());
    doc["objects"] = body.value("objects", json::array());
    std::string names;
    for (auto& o : doc["objects"])
      if (o.is_object() && o.contains("id") && o["id"].is_string())
        names += (names.empty() ? "" : ", ") + o["id"].get<std::string>();
    doc["title"] = body.value("title", json(t->title + (names.empty() ? "" : ": " + names)));
  } else {
    c.refused(400, wire::ErrorCode::invalid_argument,
              R"(name a template and its objects ({"template": "Queue KPIs", "objects": [{"type": "queue", "id": "sales"}]}) or give a "widget" document)");
    return std::nullopt;
  }
  if (auto why = widget_problem(doc, true); !why.empty()) {
    c.refused(400, wire::ErrorCode::invalid_argument, "widget: " + why);
    return std::nullopt;
  }
  row.widget = doc.dump();
  row.changed_ms = now_ms();
  return row;
}

/// Adds widget `row` to dashboard `d` after the checks every new widget passes: its objects,
/// the dashboard's value cap, the owner's widget cap. False after answering.
bool add_checked(const call& c, pulse_store& ps, const pulse_dashboard_row& d, pulse_widget_row& row) {
  auto doc = json::parse(row.widget);
  if (auto why = objects_problem(c, d, doc); !why.empty()) {
    c.refused(404, wire::ErrorCode::unknown_id, why);
    return false;
  }
  auto& limits = c.env->cfg.pulse;
  if (values_with(ps, d.id, 0, widget_values(doc)) > limits.max_values_per_dashboard) {
    c.refused(409, wire::ErrorCode::limit_exceeded,
              "a dashboard shows at most " + std::to_string(limits.max_values_per_dashboard)
                + " values (pulse.max_values_per_dashboard)");
    return false;
  }
  if (ps.count_widgets(d.owner) >= limits.max_widgets_per_user) {
    c.refused(409, wire::ErrorCode::limit_exceeded,
              d.owner + " has " + std::to_string(limits.max_widgets_per_user) + " widgets (pulse.max_widgets_per_user)");
    return false;
  }
  row.dashboard_id = d.id;
  row.id = ps.add_widget(row);
  return true;
}

/// The tenant a new dashboard belongs to: the one asked for (seen by the caller), else the
/// caller's only tenant; "" for a private dashboard of a user of several. nullopt after
/// answering.
std::optional<std::string> new_tenant(const call& c, const json& body, bool shared) {
  auto& p = c.id.who;
  if (body.contains("tenant")) {
    if (!body["tenant"].is_string() || !p.sees(body["tenant"].get<std::string>())
        || body["tenant"].get<std::string>().empty()) {
      c.refused(404, wire::ErrorCode::unknown_id, "tenant: not one of yours");
      return std::nullopt;
    }
    return body["tenant"].get<std::string>();
  }
  if (!p.all_tenants && p.tenants.size() == 1)
    return p.tenants.front();
  if (shared) {
    c.refused(400, wire::ErrorCode::invalid_argument, "a shared dashboard names the tenant whose users see it");
    return std::nullopt;
  }
  return std::string{};
}

/// POST /api/v1/dashboards: {"name", "shared"?, "tenant"?, "layout"?, and optionally a
/// first widget as POST .../widgets takes it: "template" + "objects", or "widget"}.
void create_dashboard(call& c) {
  auto body = c.body_object();
  if (!body)
    return;
  auto name = body->value("name", json{});
  if (!name.is_string() || name.get<std::string>().empty() || name.get<std::string>().size() > 100)
    return c.refused(400, wire::ErrorCode::invalid_argument, "name: 1 to 100 characters");
  auto shared = body->value("shared", json(false));
  if (!shared.is_boolean())
    return c.refused(400, wire::ErrorCode::invalid_argument, "shared: true or false");
  if (shared.get<bool>() && !c.id.who.may("pulse.shared"))
    return c.refused(403, wire::ErrorCode::not_allowed, "sharing a dashboard needs pulse.shared (operator)");
  auto layout = body->value("layout", json::object());
  if (!layout.is_object())
    return c.refused(400, wire::ErrorCode::invalid_argument, "layout: an object");
  auto tenant = new_tenant(c, *body, shared.get<bool>());
  if (!tenant)
    return;
  auto now = now_ms();
  pulse_dashboard_row d{0, name.get<std::string>(), c.id.who.name, shared.get<bool>(), *tenant, layout.dump(), now, now};
  bool with_widget = body->contains("template") || body->contains("widget");
  on_store(c, [d, with_widget, body = *body](const call& c, storage::store& st) mutable {
    auto& ps = st.pulse();
    std::size_t owned = 0;
    for (auto& other : ps.dashboards())
      owned += other.owner == d.owner;
    if (owned >= c.env->cfg.pulse.max_dashboards_per_user)
      return c.refused(409, wire::ErrorCode::limit_exceeded,
                       d.owner + " has " + std::to_string(owned) + " dashboards (pulse.max_dashboards_per_user)");
    std::optional<pulse_widget_row> first;
    if (with_widget && !(first = widget_from(c, ps, body)))
      return;
    d.id = ps.add_dashboard(d);
    if (first && !add_checked(c, ps, d, *first)) {  // it answered why (objects, caps)
      ps.delete_dashboard(d.id);
      return;
    }
    widgets_changed(c.pulse->sampler);
    c.changed(full_dashboard(c, ps, d), 201);
  });
}

/// PUT /api/v1/dashboards/{id}: {"name"?, "layout"?, "shared"?, "tenant"?}.
void update_dashboard(call& c) {
  auto id = id_param(c, "id");
  auto body = id ? c.body_object() : std::nullopt;
  if (!body)
    return;
  on_store(c, [id = *id, body = *body](const call& c, storage::store& st) {
    auto& ps = st.pulse();
    auto d = opened(c, ps, id);
    if (!d)
      return;
    auto& p = c.id.who;
    auto deny = [&](const std::string& why) { c.refused(403, wire::ErrorCode::not_allowed, why); };
    for (auto& [k, v] : body.items()) {
      if (k == "name") {
        if (!may_manage(p, *d))
          return deny("renaming this dashboard needs " + std::string{d->shared ? "pulse.shared" : "pulse.widgets"});
        if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 100)
          return c.refused(400, wire::ErrorCode::invalid_argument, "name: 1 to 100 characters");
        d->name = v.get<std::string>();
      } else if (k == "layout") {
        if (!may_display(p, *d))
          return deny("changing the layout needs pulse.display");
        if (!v.is_object())
          return c.refused(400, wire::ErrorCode::invalid_argument, "layout: an object");
        d->layout = v.dump();
      } else if (k == "shared" || k == "tenant") {
        if (!p.may("pulse.shared") || (!d->shared && d->owner != p.name))
          return deny("sharing a dashboard needs pulse.shared (operator) and its ownership");
        if (k == "shared" && !v.is_boolean())
          return c.refused(400, wire::ErrorCode::invalid_argument, "shared: true or false");
        if (k == "tenant" && (!v.is_string() || v.get<std::string>().empty() || !p.sees(v.get<std::string>())))
          return c.refused(404, wire::ErrorCode::unknown_id, "tenant: not one of yours");
        if (k == "shared")
          d->shared = v.get<bool>();
        else
          d->tenant = v.get<std::string>();
      } else {
        return c.refused(400, wire::ErrorCode::invalid_argument, "unknown field " + k + " (name, layout, shared, tenant)");
      }
    }
    if (d->shared) {
      if (d->tenant.empty())
        return c.refused(400, wire::ErrorCode::invalid_argument, "a shared dashboard names the tenant whose users see it");
      for (auto& w : ps.widgets(d->id))
        if (auto why = objects_problem(c, *d, parse_or(w.widget, json::object())); !why.empty())
          return c.refused(409, wire::ErrorCode::wrong_state, "widget " + std::to_string(w.id) + ": " + why);
    }
    d->changed_ms = now_ms();
    ps.update_dashboard(*d);
    c.changed(full_dashboard(c, ps, *d));
  });
}

void delete_dashboard(call& c) {
  auto id = id_param(c, "id");
  if (!id)
    return;
  on_store(c, [id = *id](const call& c, storage::store& st) {
    if (!managed(c, st.pulse(), id, "deleting this dashboard"))
      return;
    st.pulse().delete_dashboard(id);
    widgets_changed(c.pulse->sampler);
    c.changed({{"removed", id}});
  });
}

// -- widgets --------------------------------------------------------------------------

void add_widget(call& c) {
  auto id = id_param(c, "id");
  auto body = id ? c.body_object() : std::nullopt;
  if (!body)
    return;
  on_store(c, [id = *id, body = *body](const call& c, storage::store& st) {
    auto& ps = st.pulse();
    auto d = managed(c, ps, id, "adding widgets here");
    if (!d)
      return;
    auto row = widget_from(c, ps, body);
    if (!row || !add_checked(c, ps, *d, *row))
      return;
    widgets_changed(c.pulse->sampler);
    c.changed(widget_json(*row), 201);
  });
}

/// PUT .../widgets/{wid}: {"widget": {...}}. A change of display alone needs pulse.display;
/// anything else (kind, objects, statistics, refresh) what adding a widget needs.
void update_widget(call& c) {
  auto id = id_param(c, "id");
  auto wid = id ? id_param(c, "wid") : std::nullopt;
  auto body = wid ? c.body_object() : std::nullopt;
  if (!body)
    return;
  auto doc = body->value("widget", json{});
  if (auto why = widget_problem(doc, true); !why.empty())
    return c.refused(400, wire::ErrorCode::invalid_argument, "widget: " + why);
  on_store(c, [id = *id, wid = *wid, doc](const call& c, storage::store& st) {
    auto& ps = st.pulse();
    auto d = opened(c, ps, id);
    if (!d)
      return;
    std::optional<pulse_widget_row> old;
    for (auto& w : ps.widgets(id))
      if (w.id == wid)
        old = w;
    if (!old)
      return c.refused(404, wire::ErrorCode::unknown_id, "no widget " + std::to_string(wid) + " on dashboard " + std::to_string(id));
    bool display_only = same_but_display(parse_or(old->widget, json::object()), doc);
    if (display_only ? !may_display(c.id.who, *d) : !may_manage(c.id.who, *d))
      return c.refused(403, wire::ErrorCode::not_allowed,
                       display_only ? "changing a widget's display needs pulse.display"
                                    : std::string{"changing a widget's statistics or objects needs "}
                                        + (d->shared ? "pulse.shared" : "pulse.widgets"));
    if (!display_only) {
      if (auto why = objects_problem(c, *d, doc); !why.empty())
        return c.refused(404, wire::ErrorCode::unknown_id, why);
      if (values_with(ps, id, wid, widget_values(doc)) > c.env->cfg.pulse.max_values_per_dashboard)
        return c.refused(409, wire::ErrorCode::limit_exceeded, "a dashboard shows at most "
                                                                 + std::to_string(c.env->cfg.pulse.max_values_per_dashboard)
                                                                 + " values (pulse.max_values_per_dashboard)");
    }
    old->widget = doc.dump();
    old->changed_ms = now_ms();
    ps.update_widget(*old);
    if (!display_only)
      widgets_changed(c.pulse->sampler);
    c.changed(widget_json(*old));
  });
}

void delete_widget(call& c) {
  auto id = id_param(c, "id");
  auto wid = id ? id_param(c, "wid") : std::nullopt;
  if (!wid)
    return;
  on_store(c, [id = *id, wid = *wid](const call& c, storage::store& st) {
    if (!managed(c, st.pulse(), id, "deleting widgets here"))
      return;
    if (!st.pulse().delete_widget(id, wid))
      return c.refused(404, wire::ErrorCode::unknown_id, "no widget " + std::to_string(wid) + " on dashboard " + std::to_string(id));
    widgets_changed(c.pulse->sampler);
    c.changed({{"removed", wid}});
  });
}

} // namespace

void add_pulse_routes(std::vector<route>& r) {
  r.push_back({verb::get, "/api/v1/templates", "pulse.view", templates});
  r.push_back({verb::put, "/api/v1/templates/{name}", "pulse.shared", save_template});
  r.push_back({verb::delete_, "/api/v1/templates/{name}", "pulse.shared", delete_template});
  r.push_back({verb::get, "/api/v1/dashboards", "pulse.view", dashboards});
  r.push_back({verb::post, "/api/v1/dashboards", "pulse.widgets", create_dashboard});
  r.push_back({verb::get, "/api/v1/dashboards/{id}", "pulse.view", one_dashboard});
  r.push_back({verb::put, "/api/v1/dashboards/{id}", "pulse.display", update_dashboard});
  r.push_back({verb::delete_, "/api/v1/dashboards/{id}", "pulse.widgets", delete_dashboard});
  r.push_back({verb::post, "/api/v1/dashboards/{id}/widgets", "pulse.widgets", add_widget});
  r.push_back({verb::put, "/api/v1/dashboards/{id}/widgets/{wid}", "pulse.display", update_widget});
  r.push_back({verb::delete_, "/api/v1/dashboards/{id}/widgets/{wid}", "pulse.widgets", delete_widget});
  add_pulse_data_routes(r);
}

} // namespace parley::engine::web
