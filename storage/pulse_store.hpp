// pulse_store: Pulse's half of a store (store::pulse()): dashboard templates, dashboards,
// their widgets, each user's tabs, and the samples trend widgets draw when no Redis holds
// them (docs/pulse.md). Widgets and layouts are JSON documents the web surface checks; here
// they are text. Same rules as store.hpp: one thread at a time, every method throws
// storage_error on failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::storage {

struct pulse_template_row {
  std::string name;
  std::string title;
  std::string widget;       ///< the widget document, objects empty
  bool built_in = false;    ///< seeded by the migration: may be edited, not deleted
  std::int64_t changed_ms = 0;
  std::string changed_by;
};

struct pulse_dashboard_row {
  std::int64_t id = 0;      ///< given by add_dashboard
  std::string name;
  std::string owner;        ///< the user who made it
  bool shared = false;      ///< every user of `tenant` may open it
  std::string tenant;
  std::string layout = "{}";  ///< JSON: widget order and sizes
  std::int64_t created_ms = 0;
  std::int64_t changed_ms = 0;
};

struct pulse_widget_row {
  std::int64_t id = 0;      ///< given by add_widget
  std::int64_t dashboard_id = 0;
  std::string template_name;  ///< made from ("" = none)
  std::string widget;       ///< the widget document
  std::int64_t changed_ms = 0;
};

struct pulse_sample_row {
  std::string stat_key;     ///< the statistic, as the history names it
  std::int64_t t_ms = 0;    ///< domain time
  double value = 0;
};

class pulse_store {
public:
  virtual ~pulse_store() = default;

  /// Every template, by name.
  virtual std::vector<pulse_template_row> templates() = 0;
  virtual std::optional<pulse_template_row> template_named(const std::string& name) = 0;
  /// Adds or replaces (title, widget, changed_*; built_in is kept); true when it was new.
  virtual bool save_template(const pulse_template_row& t) = 0;
  /// Removes a template that is not built in; false: none by that name, or built in.
  virtual bool delete_template(const std::string& name) = 0;

  /// Every dashboard, by id (the web surface picks what a user may see).
  virtual std::vector<pulse_dashboard_row> dashboards() = 0;
  virtual std::optional<pulse_dashboard_row> dashboard(std::int64_t id) = 0;
  /// Adds `d` (its id is ignored) and returns the new id.
  virtual std::int64_t add_dashboard(const pulse_dashboard_row& d) = 0;
  /// Replaces name, shared, tenant, layout and changed_ms; false: no such dashboard.
  virtual bool update_dashboard(const pulse_dashboard_row& d) = 0;
  /// Removes the dashboard with its widgets, in one transaction; false: no such dashboard.
  virtual bool delete_dashboard(std::int64_t id) = 0;

  /// A dashboard's widgets, by id (the order they were added).
  virtual std::vector<pulse_widget_row> widgets(std::int64_t dashboard_id) = 0;
  /// Every widget of every dashboard (the history sampler's trend statistics).
  virtual std::vector<pulse_widget_row> all_widgets() = 0;
  /// Adds `w` (its id is ignored) and returns the new id; throws (not transient) when the
  /// dashboard does not exist.
  virtual std::int64_t add_widget(const pulse_widget_row& w) = 0;
  /// Replaces the widget document and changed_ms of widget `w.id` on `w.dashboard_id`.
  virtual bool update_widget(const pulse_widget_row& w) = 0;
  virtual bool delete_widget(std::int64_t dashboard_id, std::int64_t id) = 0;
  /// The widgets on every dashboard `owner` made (the per-user cap).
  virtual std::uint64_t count_widgets(const std::string& owner) = 0;

  /// The user's tabs (a JSON array of dashboard ids; "[]" when never saved).
  virtual std::string tabs(const std::string& user) = 0;
  virtual void save_tabs(const std::string& user, const std::string& tabs) = 0;

  /// Adds samples, in one transaction; a sample already there (same key and time) is kept.
  virtual void add_samples(const std::vector<pulse_sample_row>& samples) = 0;
  /// The samples of `stat_key` with from_ms <= t_ms <= to_ms, oldest first, at most `limit`.
  virtual std::vector<pulse_sample_row> samples(const std::string& stat_key, std::int64_t from_ms,
                                                std::int64_t to_ms, std::size_t limit) = 0;
  /// Deletes the samples older than `before_ms`; how many.
  virtual std::uint64_t trim_samples(std::int64_t before_ms) = 0;
};

} // namespace parley::storage
