// sqlite_pulse: Pulse's half of the SQLite store (pulse_store.hpp), on the store's
// connection. A dashboard goes with its widgets in one IMMEDIATE transaction (SQLite's
// foreign keys are not enforced here, so the delete is explicit).
#include "storage/backends.hpp"
#include "storage/sqlite_stmt.hpp"

namespace parley::storage {

namespace {

const std::string template_select = "SELECT name, title, widget, built_in, changed_ms, changed_by FROM pulse_templates ";
const std::string dashboard_select =
  "SELECT id, name, owner, shared, tenant, layout, created_ms, changed_ms FROM pulse_dashboards ";
const std::string widget_select = "SELECT id, dashboard_id, template, widget, changed_ms FROM pulse_widgets ";

pulse_template_row read_template(const stmt& s) {
  return {s.text(0), s.text(1), s.text(2), s.i64(3) != 0, s.i64(4), s.text(5)};
}

pulse_dashboard_row read_dashboard(const stmt& s) {
  return {s.i64(0), s.text(1), s.text(2), s.i64(3) != 0, s.text(4), s.text(5), s.i64(6), s.i64(7)};
}

pulse_widget_row read_widget(const stmt& s) {
  return {s.i64(0), s.i64(1), s.text(2), s.text(3), s.i64(4)};
}

template <class Row, class Read>
std::vector<Row> all(stmt& s, Read read) {
  std::vector<Row> out;
  while (s.step())
    out.push_back(read(s));
  return out;
}

class sqlite_pulse final : public pulse_store {
public:
  sqlite_pulse(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  std::vector<pulse_template_row> templates() override {
    stmt s{db_, template_select + "ORDER BY name", path_};
    return all<pulse_template_row>(s, read_template);
  }

  std::optional<pulse_template_row> template_named(const std::string& name) override {
    stmt s{db_, template_select + "WHERE name = ?1", path_};
    s.bind(1, name);
    if (!s.step())
      return std::nullopt;
    return read_template(s);
  }

  bool save_template(const pulse_template_row& t) override {
    bool created = false;
    immediate_transaction(db_, path_, [&] {
      created = !template_named(t.name);
      stmt s{db_, "INSERT INTO pulse_templates (name, title, widget, built_in, changed_ms, changed_by) "
                  "VALUES (?1, ?2, ?3, 0, ?4, ?5) ON CONFLICT (name) DO UPDATE SET title = excluded.title, "
                  "widget = excluded.widget, changed_ms = excluded.changed_ms, changed_by = excluded.changed_by",
             path_};
      s.bind(1, t.name).bind(2, t.title).bind(3, t.widget).bind(4, t.changed_ms).bind(5, t.changed_by);
      s.step();
    });
    return created;
  }

  bool delete_template(const std::string& name) override {
    stmt s{db_, "DELETE FROM pulse_templates WHERE name = ?1 AND built_in = 0", path_};
    s.bind(1, name);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<pulse_dashboard_row> dashboards() override {
    stmt s{db_, dashboard_select + "ORDER BY id", path_};
    return all<pulse_dashboard_row>(s, read_dashboard);
  }

  std::optional<pulse_dashboard_row> dashboard(std::int64_t id) override {
    stmt s{db_, dashboard_select + "WHERE id = ?1", path_};
    s.bind(1, id);
    if (!s.step())
      return std::nullopt;
    return read_dashboard(s);
  }

  std::int64_t add_dashboard(const pulse_dashboard_row& d) override {
    stmt s{db_, "INSERT INTO pulse_dashboards (name, owner, shared, tenant, layout, created_ms, changed_ms) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", path_};
    s.bind(1, d.name).bind(2, d.owner).bind(3, std::int64_t{d.shared}).bind(4, d.tenant).bind(5, d.layout);
    s.bind(6, d.created_ms).bind(7, d.changed_ms);
    s.step();
    return sqlite3_last_insert_rowid(db_);
  }

  bool update_dashboard(const pulse_dashboard_row& d) override {
    stmt s{db_, "UPDATE pulse_dashboards SET name = ?2, shared = ?3, tenant = ?4, layout = ?5, changed_ms = ?6 "
                "WHERE id = ?1", path_};
    s.bind(1, d.id).bind(2, d.name).bind(3, std::int64_t{d.shared}).bind(4, d.tenant).bind(5, d.layout);
    s.bind(6, d.changed_ms);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  bool delete_dashboard(std::int64_t id) override {
    bool found = false;
    immediate_transaction(db_, path_, [&] {
      stmt w{db_, "DELETE FROM pulse_widgets WHERE dashboard_id = ?1", path_};
      w.bind(1, id);
      w.step();
      stmt d{db_, "DELETE FROM pulse_dashboards WHERE id = ?1", path_};
      d.bind(1, id);
      d.step();
      found = sqlite3_changes(db_) > 0;
    });
    return found;
  }

  std::vector<pulse_widget_row> widgets(std::int64_t dashboard_id) override {
    stmt s{db_, widget_select + "WHERE dashboard_id = ?1 ORDER BY id", path_};
    s.bind(1, dashboard_id);
    return all<pulse_widget_row>(s, read_widget);
  }

  std::vector<pulse_widget_row> all_widgets() override {
    stmt s{db_, widget_select + "ORDER BY id", path_};
    return all<pulse_widget_row>(s, read_widget);
  }

  std::int64_t add_widget(const pulse_widget_row& w) override {
    std::int64_t id = 0;
    immediate_transaction(db_, path_, [&] {
      if (!dashboard(w.dashboard_id))
        throw storage_error("no dashboard " + std::to_string(w.dashboard_id), false);
      stmt s{db_, "INSERT INTO pulse_widgets (dashboard_id, template, widget, changed_ms) VALUES (?1, ?2, ?3, ?4)",
             path_};
      s.bind(1, w.dashboard_id).bind(2, w.template_name).bind(3, w.widget).bind(4, w.changed_ms);
      s.step();
      id = sqlite3_last_insert_rowid(db_);
    });
    return id;
  }

  bool update_widget(const pulse_widget_row& w) override {
    stmt s{db_, "UPDATE pulse_widgets SET widget = ?3, changed_ms = ?4 WHERE id = ?1 AND dashboard_id = ?2", path_};
    s.bind(1, w.id).bind(2, w.dashboard_id).bind(3, w.widget).bind(4, w.changed_ms);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  bool delete_widget(std::int64_t dashboard_id, std::int64_t id) override {
    stmt s{db_, "DELETE FROM pulse_widgets WHERE id = ?1 AND dashboard_id = ?2", path_};
    s.bind(1, id).bind(2, dashboard_id);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  std::uint64_t count_widgets(const std::string& owner) override {
    stmt s{db_, "SELECT count(*) FROM pulse_widgets w JOIN pulse_dashboards d ON d.id = w.dashboard_id "
                "WHERE d.owner = ?1", path_};
    s.bind(1, owner);
    s.step();
    return static_cast<std::uint64_t>(s.i64(0));
  }

  std::string tabs(const std::string& user) override {
    stmt s{db_, "SELECT tabs FROM pulse_tabs WHERE user_name = ?1", path_};
    s.bind(1, user);
    return s.step() ? s.text(0) : "[]";
  }

  void save_tabs(const std::string& user, const std::string& tabs) override {
    stmt s{db_, "INSERT INTO pulse_tabs (user_name, tabs) VALUES (?1, ?2) "
                "ON CONFLICT (user_name) DO UPDATE SET tabs = excluded.tabs", path_};
    s.bind(1, user).bind(2, tabs);
    s.step();
  }

  void add_samples(const std::vector<pulse_sample_row>& samples) override {
    if (samples.empty())
      return;
    immediate_transaction(db_, path_, [&] {
      stmt s{db_, "INSERT INTO pulse_samples (stat_key, t_ms, value) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (stat_key, t_ms) DO NOTHING", path_};
      for (auto& x : samples) {
        s.bind(1, x.stat_key).bind(2, x.t_ms).bind_real(3, x.value);
        s.step();
        s.reset();
      }
    });
  }

  std::vector<pulse_sample_row> samples(const std::string& stat_key, std::int64_t from_ms, std::int64_t to_ms,
                                        std::size_t limit) override {
    stmt s{db_, "SELECT stat_key, t_ms, value FROM pulse_samples WHERE stat_key = ?1 AND t_ms >= ?2 AND t_ms <= ?3 "
                "ORDER BY t_ms LIMIT ?4", path_};
    s.bind(1, stat_key).bind(2, from_ms).bind(3, to_ms).bind(4, static_cast<std::int64_t>(limit));
    return all<pulse_sample_row>(s, [](const stmt& r) { return pulse_sample_row{r.text(0), r.i64(1), r.real(2)}; });
  }

  std::uint64_t trim_samples(std::int64_t before_ms) override {
    stmt s{db_, "DELETE FROM pulse_samples WHERE t_ms < ?1", path_};
    s.bind(1, before_ms);
    s.step();
    return static_cast<std::uint64_t>(sqlite3_changes(db_));
  }

private:
  sqlite3* db_;
  std::string path_;
};

} // namespace

std::unique_ptr<pulse_store> make_sqlite_pulse(sqlite3* db, std::string path) {
  return std::make_unique<sqlite_pulse>(db, std::move(path));
}

} // namespace parley::storage
