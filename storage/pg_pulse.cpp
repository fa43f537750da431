// pg_pulse: Pulse's half of the PostgreSQL store (pulse_store.hpp), on the store's
// connection. Samples go in as arrays (one statement per batch, unnest on the server).
#include <cstdio>

#include "storage/backends.hpp"
#include "storage/pg_ops.hpp"

namespace parley::storage {

namespace {

const std::string template_select = "SELECT name, title, widget, built_in, changed_ms, changed_by FROM pulse_templates ";
const std::string dashboard_select =
  "SELECT id, name, owner, shared, tenant, layout, created_ms, changed_ms FROM pulse_dashboards ";
const std::string widget_select = "SELECT id, dashboard_id, template, widget, changed_ms FROM pulse_widgets ";

pulse_template_row read_template(const PGresult* r, int i) {
  return {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), i64(r, i, 3) != 0, i64(r, i, 4),
          PQgetvalue(r, i, 5)};
}

pulse_dashboard_row read_dashboard(const PGresult* r, int i) {
  return {i64(r, i, 0),       PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), i64(r, i, 3) != 0,
          PQgetvalue(r, i, 4), PQgetvalue(r, i, 5), i64(r, i, 6),       i64(r, i, 7)};
}

pulse_widget_row read_widget(const PGresult* r, int i) {
  return {i64(r, i, 0), i64(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), i64(r, i, 4)};
}

template <class Row>
std::vector<Row> all(const result& r, Row (*read)(const PGresult*, int)) {
  std::vector<Row> out;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    out.push_back(read(r.get(), i));
  return out;
}

/// A PostgreSQL array literal of texts: {"a","b\"c"}.
std::string text_array(const std::vector<pulse_sample_row>& samples) {
  std::string out = "{";
  for (auto& s : samples) {
    out += out.size() > 1 ? ",\"" : "\"";
    for (char c : s.stat_key) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

template <class F>
std::string number_array(const std::vector<pulse_sample_row>& samples, F field) {
  std::string out = "{";
  for (auto& s : samples)
    out += (out.size() > 1 ? "," : "") + field(s);
  return out + "}";
}

std::string real_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

class pg_pulse final : public pulse_store, private pg_ops {
public:
  explicit pg_pulse(PGconn* conn) : pg_ops(conn) {}

  std::vector<pulse_template_row> templates() override {
    return all(query(template_select + "ORDER BY name", {}), read_template);
  }

  std::optional<pulse_template_row> template_named(const std::string& name) override {
    auto r = query(template_select + "WHERE name = $1", {name});
    if (PQntuples(r.get()) == 0)
      return std::nullopt;
    return read_template(r.get(), 0);
  }

  bool save_template(const pulse_template_row& t) override {
    // xmax = 0 only on a row this statement inserted.
    auto r = query("INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) "
                   "VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (name) DO UPDATE SET title = excluded.title, "
                   "widget = excluded.widget, changed_ms = excluded.changed_ms, changed_by = excluded.changed_by "
                   "RETURNING (xmax = 0)",
                   {t.name, t.title, t.widget, std::to_string(t.changed_ms), t.changed_by});
    return std::string{PQgetvalue(r.get(), 0, 0)} == "t";
  }

  bool delete_template(const std::string& name) override {
    return changed(query("DELETE FROM pulse_templates WHERE name = $1 AND built_in = 0", {name}));
  }

  std::vector<pulse_dashboard_row> dashboards() override {
    return all(query(dashboard_select + "ORDER BY id", {}), read_dashboard);
  }

  std::optional<pulse_dashboard_row> dashboard(std::int64_t id) override {
    auto r = query(dashboard_select + "WHERE id = $1", {std::to_string(id)});
    if (PQntuples(r.get()) == 0)
      return std::nullopt;
    return read_dashboard(r.get(), 0);
  }

  std::int64_t add_dashboard(const pulse_dashboard_row& d) override {
    auto r = query("INSERT INTO pulse_dashboards (name, owner, shared, tenant, layout, created_ms, changed_ms) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                   {d.name, d.owner, d.shared ? "1" : "0", d.tenant, d.layout, std::to_string(d.created_ms),
                    std::to_string(d.changed_ms)});
    return i64(r.get(), 0, 0);
  }

  bool update_dashboard(const pulse_dashboard_row& d) override {
    return changed(query("UPDATE pulse_dashboards SET name = $2, shared = $3, tenant = $4, layout = $5, "
                         "changed_ms = $6 WHERE id = $1",
                         {std::to_string(d.id), d.name, d.shared ? "1" : "0", d.tenant, d.layout,
                          std::to_string(d.changed_ms)}));
  }

  bool delete_dashboard(std::int64_t id) override {
    // The widgets go with it (ON DELETE CASCADE).
    return changed(query("DELETE FROM pulse_dashboards WHERE id = $1", {std::to_string(id)}));
  }

  std::vector<pulse_widget_row> widgets(std::int64_t dashboard_id) override {
    return all(query(widget_select + "WHERE dashboard_id = $1 ORDER BY id", {std::to_string(dashboard_id)}),
               read_widget);
  }

  std::vector<pulse_widget_row> all_widgets() override {
    return all(query(widget_select + "ORDER BY id", {}), read_widget);
  }

  std::int64_t add_widget(const pulse_widget_row& w) override {
    // INSERT ... SELECT: nothing is inserted when the dashboard is gone (no FK error text).
    auto r = query("INSERT INTO pulse_widgets (dashboard_id, template, widget, changed_ms) "
                   "SELECT id, $2, $3, $4 FROM pulse_dashboards WHERE id = $1 RETURNING id",
                   {std::to_string(w.dashboard_id), w.template_name, w.widget, std::to_string(w.changed_ms)});
    if (PQntuples(r.get()) == 0)
      throw storage_error("no dashboard " + std::to_string(w.dashboard_id), false);
    return i64(r.get(), 0, 0);
  }

  bool update_widget(const pulse_widget_row& w) override {
    return changed(query("UPDATE pulse_widgets SET widget = $3, changed_ms = $4 WHERE id = $1 AND dashboard_id = $2",
                         {std::to_string(w.id), std::to_string(w.dashboard_id), w.widget,
                          std::to_string(w.changed_ms)}));
  }

  bool delete_widget(std::int64_t dashboard_id, std::int64_t id) override {
    return changed(query("DELETE FROM pulse_widgets WHERE id = $1 AND dashboard_id = $2",
                         {std::to_string(id), std::to_string(dashboard_id)}));
  }

  std::uint64_t count_widgets(const std::string& owner) override {
    auto r = query("SELECT count(*) FROM pulse_widgets w JOIN pulse_dashboards d ON d.id = w.dashboard_id "
                   "WHERE d.owner = $1",
                   {owner});
    return static_cast<std::uint64_t>(i64(r.get(), 0, 0));
  }

  std::string tabs(const std::string& user) override {
    auto r = query("SELECT tabs FROM pulse_tabs WHERE user_name = $1", {user});
    return PQntuples(r.get()) == 0 ? "[]" : PQgetvalue(r.get(), 0, 0);
  }

  void save_tabs(const std::string& user, const std::string& tabs) override {
    query("INSERT INTO pulse_tabs (user_name, tabs) VALUES ($1, $2) "
          "ON CONFLICT (user_name) DO UPDATE SET tabs = excluded.tabs",
          {user, tabs});
  }

  void add_samples(const std::vector<pulse_sample_row>& samples) override {
    if (samples.empty())
      return;
    query("INSERT INTO pulse_samples (stat_key, t_ms, value) "
          "SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[]) ON CONFLICT DO NOTHING",
          {text_array(samples), number_array(samples, [](auto& s) { return std::to_string(s.t_ms); }),
           number_array(samples, [](auto& s) { return real_text(s.value); })});
  }

  std::vector<pulse_sample_row> samples(const std::string& stat_key, std::int64_t from_ms, std::int64_t to_ms,
                                        std::size_t limit) override {
    auto r = query("SELECT stat_key, t_ms, value FROM pulse_samples WHERE stat_key = $1 AND t_ms >= $2 "
                   "AND t_ms <= $3 ORDER BY t_ms LIMIT $4",
                   {stat_key, std::to_string(from_ms), std::to_string(to_ms), std::to_string(limit)});
    std::vector<pulse_sample_row> out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.push_back({PQgetvalue(r.get(), i, 0), i64(r.get(), i, 1), std::stod(PQgetvalue(r.get(), i, 2))});
    return out;
  }

  std::uint64_t trim_samples(std::int64_t before_ms) override {
    auto r = query("DELETE FROM pulse_samples WHERE t_ms < $1", {std::to_string(before_ms)});
    const char* n = PQcmdTuples(r.get());
    return n && *n ? std::stoull(n) : 0;
  }
};

} // namespace

std::unique_ptr<pulse_store> make_pg_pulse(pg_conn* conn) {
  return std::make_unique<pg_pulse>(conn);
}

} // namespace parley::storage
