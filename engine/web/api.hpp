// api: the HTTP API under /api/v1 (docs/web.md, the OpenAPI document in
// engine/web/openapi.json served at /api/v1/openapi.json).
//
// One route table, deny by default: each route names its method, its path pattern
// ({name} captures a segment), the action of engine/access.hpp it needs and its handler.
// A request is answered in a short-lived actor: authenticated first (cookie or bearer,
// auth.hpp), then checked — the role (403 not_allowed), the CSRF token on a cookie's
// state-changing request (403 bad_credential), the tenant of what it touches (404, as if it
// did not exist) — then handled. Every answer is JSON; every error has one shape:
//   {"error": {"code": "unknown_id", "number": 101, "message": "no campaign named x"}}
// with the wire protocol's error codes (protocol/schema/common.fbs). Every state-changing
// request, refused ones included, is written to the audit log with the user's name.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <caf/fwd.hpp>
#include <nlohmann/json.hpp>

#include "engine/console/console.hpp"
#include "engine/web/auth.hpp"
#include "engine/web/import_jobs.hpp"
#include "engine/web/live.hpp"
#include "wire/common_generated.h"
#include "wire/stat_generated.h"

namespace parley {
struct agent_row;
}

namespace parley::storage {
class outbound_store;
}

namespace parley::engine::web {

using json = nlohmann::json;
using verb = boost::beast::http::verb;

struct web_request {
  verb method = verb::get;
  std::string path;                          ///< without the query
  std::map<std::string, std::string> query;  ///< decoded
  std::string body;
  std::string content_type;
  credentials creds;
  std::string csrf;                          ///< the X-CSRF-Token header
  std::string last_event_id;                 ///< the Last-Event-ID header (live updates)
  std::string peer;                          ///< "address:port"
  std::string address;
};

struct web_response {
  unsigned status = 200;
  std::string body;
  std::string type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers{};
  /// Set for a stream of Server-Sent Events: the session writes the headers, hands `open`
  /// its sink, and runs what `open` returns when the connection ends.
  std::function<std::function<void()>(std::shared_ptr<live_sink>)> open{};
  std::string cache = "no-store";  ///< Cache-Control
};

using responder = std::function<void(web_response)>;

class history_store;

/// Pulse's shared parts (api_pulse.cpp): the trend sampler, and the history store the
/// history route reads (on the authenticator's store worker only).
struct pulse_services {
  explicit pulse_services(const console_env& env);
  void stop() const;
  caf::actor sampler;
  std::shared_ptr<history_store> history;
};

/// One request being answered: what its handler reads, and the ways it answers (exactly one).
struct call {
  caf::event_based_actor* self;
  std::shared_ptr<const console_env> env;
  std::shared_ptr<authenticator> auth;
  std::shared_ptr<import_jobs> imports;
  caf::actor live;    ///< the live-update hub
  caf::actor queues;  ///< the queues' shared gatherer (live.hpp)
  std::shared_ptr<const pulse_services> pulse;
  web_request req;
  identity id;
  std::map<std::string, std::string> params;  ///< the path's {captures}
  std::string action;
  responder respond;

  void reply(const json& body, unsigned status = 200) const;
  void fail(unsigned status, wire::ErrorCode code, const std::string& message) const;
  /// A state-changing request's answer, written to the audit log ("ok" or the message).
  void changed(const json& body, unsigned status = 200) const;
  void refused(unsigned status, wire::ErrorCode code, const std::string& message) const;
  /// An actor's error: its wire code and text (fail), or refused for a change.
  void fail(const caf::error& e) const;
  void refused(const caf::error& e) const;
  /// The JSON body, or nullopt after answering 400 (not JSON, or not an object).
  std::optional<json> body_object() const;
  /// A query parameter as a number in [lo, hi] (or `otherwise` when absent); nullopt after
  /// answering 400.
  std::optional<std::int64_t> number(const std::string& key, std::int64_t otherwise, std::int64_t lo,
                                     std::int64_t hi) const;
  /// False after answering 404 when the principal may not see `tenant` (as if absent).
  bool sees(const std::string& tenant, const std::string& what) const;
  /// fail() for a read, refused() (audited) for a change.
  void error(unsigned status, wire::ErrorCode code, const std::string& message) const;
  /// False after answering 400 when the path's {kind} is not a do-not-call kind.
  bool dnc_kind() const;
  /// Calls `found` with the logged-in agent `id` when the caller sees its tenant, else
  /// answers 404 (as if it were not logged in).
  void with_agent(const std::string& id, std::function<void(const agent_row&)> found) const;
  /// The tenant of a configured queue or campaign ("" when there is none by that name).
  std::string queue_tenant(const std::string& queue) const;
  std::string campaign_tenant(const std::string& campaign) const;
};

using handler = void (*)(call&);

struct route {
  verb method;
  const char* pattern;  ///< "/api/v1/campaigns/{name}/start"
  const char* action;   ///< access.hpp; "" public (login, the OpenAPI document)
  handler run;
};

/// Every route, in the order they are matched.
const std::vector<route>& routes();

/// The handlers, by part (api_views.cpp, api_control.cpp, api_users.cpp, ...).
void add_view_routes(std::vector<route>& r);
void add_control_routes(std::vector<route>& r);
void add_user_routes(std::vector<route>& r);
void add_list_routes(std::vector<route>& r);
void add_mapping_routes(std::vector<route>& r);
void add_live_routes(std::vector<route>& r);
void add_pulse_routes(std::vector<route>& r);
void add_report_routes(std::vector<route>& r);

/// GET /api/v1/live?dashboard=ID: the statistics of the dashboard's widgets, resolved on the
/// server (404 when the caller may not open it).
void open_dashboard_stream(call& c, std::int64_t id);

/// The tenant of a statistics object ("" when there is no such object).
std::string object_tenant(const call& c, wire::StatObjectType type, const std::string& id);

/// May the caller see contact list `name`? A user of every tenant sees every list; others the
/// lists that some campaign of their tenants dials (lists have no tenant of their own).
bool sees_list(const call& c, const std::string& name);
/// Is list `name` the caller's alone to delete or import on a timer? A user of every
/// tenant's, or one's who sees every campaign that dials it (a list another tenant's
/// campaign dials too is not theirs alone).
bool owns_list(const call& c, const std::string& name);

/// Runs `work` on the store worker with the store's outbound half (lists, mappings); when
/// the store cannot be reached the call is answered 503.
void on_outbound(const call& c, std::function<void(const call&, storage::outbound_store&)> work);

/// The error shape.
json error_body(wire::ErrorCode code, const std::string& message);

/// The OpenAPI document (engine/web/openapi.json, compiled in).
const std::string& openapi_document();

class api {
public:
  api(console_env env);
  ~api();
  /// Answers `req` through `respond`, exactly once, from any thread.
  void handle(web_request req, responder respond);
  /// The body limit for a request to `path` (uploads may be larger than JSON).
  std::uint64_t body_limit(const std::string& path) const;
  const config& cfg() const noexcept { return env_->cfg; }
  /// Engine stop: the store workers end (requests still being answered may fail).
  void stop();

private:
  std::shared_ptr<const console_env> env_;
  std::shared_ptr<authenticator> auth_;
  std::shared_ptr<import_jobs> imports_;
  caf::actor live_;
  caf::actor queues_;
  std::shared_ptr<const pulse_services> pulse_;
};

} // namespace parley::engine::web
