// api_pulse: internal to engine/web — what the Pulse routes of api_pulse.cpp and
// api_pulse_data.cpp share: who may do what to a dashboard, and reading one on the store
// worker.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/web/api.hpp"
#include "storage/store.hpp"

namespace parley::engine::web {

/// The history, tabs and live-stream routes (api_pulse_data.cpp).
void add_pulse_data_routes(std::vector<route>& r);

namespace pulse_api {

using storage::pulse_dashboard_row;
using storage::pulse_store;
using storage::pulse_widget_row;

/// Its own dashboards (not for a wallboard account) and those shared with its tenants.
bool may_open(const principal& p, const pulse_dashboard_row& d);
/// May change what the dashboard is: its widgets, its name, delete it.
bool may_manage(const principal& p, const pulse_dashboard_row& d);
/// May change how it shows: widget display fields, the layout.
bool may_display(const principal& p, const pulse_dashboard_row& d);
/// `text` as JSON, or `otherwise` when it is not.
json parse_or(const std::string& text, json otherwise);
json widget_json(const pulse_widget_row& w);
json dashboard_json(const principal& p, const pulse_dashboard_row& d);
json template_json(const storage::pulse_template_row& t);
/// Runs `work` on the store worker; 503 when the store cannot be reached.
void on_store(const call& c, std::function<void(const call&, storage::store&)> work);
/// The path's {name} as an id; nullopt after answering 404.
std::optional<std::int64_t> id_param(const call& c, const char* name);
/// The dashboard `id` when the caller may open it, else nullopt after answering 404.
std::optional<pulse_dashboard_row> opened(const call& c, pulse_store& ps, std::int64_t id);

} // namespace pulse_api

} // namespace parley::engine::web
