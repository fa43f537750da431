// /metrics, /healthz and /readyz over real HTTP: every family there from the start (at 0),
// the process_* families, per-campaign families; the page passes promtool.
#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "support/child.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

/// Prometheus's own check of the page (promtool is installed by scripts/install-deps.sh).
void check_with_promtool(const std::string& page) {
  REQUIRE_MESSAGE(std::ifstream{"/usr/bin/promtool"}.good(),
                  "promtool is missing: install prometheus (scripts/install-deps.sh)");
  auto dir = temp_dir();
  std::ofstream{dir + "/metrics.txt"} << page;
  auto code_out = run({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + dir + "/metrics.txt"});
  auto code = code_out.first;
  const auto& out = code_out.second;
  CAPTURE(out);
  CHECK(code == 0);
}

/// Families declared by a TYPE line that have no sample.
std::vector<std::string> empty_families(const std::string& page) {
  std::set<std::string> declared, sampled;
  std::istringstream in{page};
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      declared.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (!line.empty() && line[0] != '#') {
      auto name = line.substr(0, line.find_first_of("{ "));
      for (auto* suffix : {"_bucket", "_sum", "_count"})
        if (name.size() > std::strlen(suffix)
            && name.compare(name.size() - std::strlen(suffix), std::string::npos, suffix) == 0
            && declared.count(name.substr(0, name.size() - std::strlen(suffix))))
          name = name.substr(0, name.size() - std::strlen(suffix));
      sampled.insert(name);
    }
  }
  std::vector<std::string> out;
  for (auto& d : declared)
    if (!sampled.count(d))
      out.push_back(d);
  return out;
}

} // namespace

TEST_CASE("every family is on the page from the start, at 0 where nothing happened yet") {
  auto eng = start_engine_toml(R"(
[[queues]]
name = "sales"
tenant = "acme"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
[[campaigns]]
name = "spring"
lists = ["spring"]
queue = "sales"
)");
  auto m = http_get(eng->metrics_port(), "/metrics");
  REQUIRE(m.status == 200);
  auto& page = m.body;
  CAPTURE(page);
  CHECK(empty_families(page).empty());
  // Counters by label: every label value, 0 before the first event.
  for (auto* zero : {"parley_requests_total{type=\"Submit\"}", "parley_requests_total{type=\"OpenStat\"}",
                     "parley_errors_total{code=\"unknown_id\"}", "parley_errors_total{code=\"busy\"}",
                     "parley_reporting_events_total{kind=\"queued\"}",
                     "parley_reporting_events_total{kind=\"agent_login\"}",
                     "parley_config_reloads_total{result=\"applied\"}",
                     "parley_config_reloads_total{result=\"unchanged\"}",
                     "parley_config_reloads_total{result=\"refused\"}",
                     "parley_dial_attempts_total{result=\"busy\"}",
                     "parley_dial_attempts_total{result=\"hangup\"}",
                     "parley_dial_attempts_total{result=\"abandoned\"}",
                     "parley_compliance_decisions_total{decision=\"allowed\"}",
                     "parley_compliance_decisions_total{decision=\"abandon_rate\"}",
                     "parley_unexpected_messages_total{actor=\"queue\"}",
                     // every configured tenant, before it has interactions or agents
                     "parley_interactions{tenant=\"acme\",state=\"queued\"}",
                     "parley_interactions_submitted_total{tenant=\"acme\"}",
                     "parley_interactions_stopped_total{tenant=\"default\"}",
                     "parley_agents{tenant=\"default\",state=\"ready\"}",
                     // the campaign, loaded and never started
                     "parley_campaign_state{campaign=\"spring\",tenant=\"acme\",state=\"running\"}",
                     "parley_campaign_dials_in_flight{campaign=\"spring\",tenant=\"acme\"}",
                     "parley_campaign_dials_total{campaign=\"spring\",tenant=\"acme\"}",
                     "parley_campaign_records_buffered{campaign=\"spring\",tenant=\"acme\"}",
                     "parley_campaign_abandon_rate_percent{campaign=\"spring\",tenant=\"acme\"}",
                     "parley_campaign_dial_attempts_total{campaign=\"spring\",tenant=\"acme\",result=\"no_answer\"}",
                     "parley_campaign_dial_attempts_total{campaign=\"spring\",tenant=\"acme\",result=\"abandoned\"}"})
    CHECK_MESSAGE(metric_value(page, zero) == 0, zero);
  CHECK(metric_value(page, "parley_campaign_state{campaign=\"spring\",tenant=\"acme\",state=\"loaded\"}") == 1);
  CHECK(metric_value(page, "parley_storage_info{backend=\"sqlite\",durability=\"commit\"}") == 1);
  // The standard process collector's families, read from /proc.
  // Present (metric_value gives -1 for a missing series); the kernel counts CPU time in
  // clock ticks, so a young process on a busy machine may still read 0.
  CHECK(metric_value(page, "process_cpu_seconds_total") >= 0);
  CHECK(metric_value(page, "process_resident_memory_bytes") > 1e6);
  CHECK(metric_value(page, "process_virtual_memory_bytes") >= metric_value(page, "process_resident_memory_bytes"));
  CHECK(metric_value(page, "process_open_fds") >= 3);
  CHECK(metric_value(page, "process_max_fds") >= metric_value(page, "process_open_fds"));
  auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto started = metric_value(page, "process_start_time_seconds");
  CHECK(started <= now + 1);
  CHECK(started > now - 3600);  // this test process started within the hour
  check_with_promtool(page);
}


TEST_CASE("metrics and health over HTTP") {
  auto eng = start_engine_toml(R"(
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
)");
  auto port = eng->metrics_port();
  connected_client gw{eng->port(listener_kind::interaction)};
  REQUIRE(gw.cl->request([](protocol::encoder& e, std::uint64_t ref) {
                  auto& fbb = e.start();
                  return e.finish(ref, wire::CreateSubmitDirect(fbb, "", "", "voice", "sales", 0));
                }).get().ok());
  REQUIRE(gw.cl->request([](protocol::encoder& e, std::uint64_t ref) {
                  auto& fbb = e.start();
                  return e.finish(ref, wire::CreateSubmitDirect(fbb, "", "", "voice", "nowhere", 0));
                }).get().error_code() == wire::ErrorCode::unknown_id);

  auto m = http_get(port, "/metrics");
  CHECK(m.status == 200);
  CAPTURE(m.body);
  for (auto* needle : {"parley_build_info{version=\"" PARLEY_VERSION "\"",
                       "parley_connections 1", "parley_requests_total{type=\"Submit\"} 2",
                       "parley_errors_total{code=\"unknown_id\"} 1",
                       "parley_interactions{tenant=\"default\",state=\"queued\"} 1",
                       "parley_interactions_submitted_total{tenant=\"default\"} 1",
                       "parley_queue_waiting{queue=\"sales\",tenant=\"default\"} 1",
                       "parley_queue_ready_agents{queue=\"sales\",tenant=\"default\"} 0",
                       "parley_queue_answered_today{queue=\"sales\",tenant=\"default\"} 0",
                       "parley_queue_service_level_threshold_seconds{queue=\"sales\",tenant=\"default\"} 20",
                       "parley_queue_oldest_wait_seconds{queue=\"sales\",tenant=\"default\"} ",
                       "parley_submit_ack_seconds_count 1", "parley_routing_seconds_bucket{le=\"+Inf\"} 0",
                       "parley_reporting_events_total{kind=\"queued\"} 1"})
    CHECK_MESSAGE(m.body.find(needle) != std::string::npos, needle);

  // The page is valid Prometheus text, checked by Prometheus's own tool.
  check_with_promtool(m.body);

  CHECK(http_get(port, "/healthz").status == 200);
  CHECK(http_get(port, "/readyz").status == 200);
  CHECK(http_get(port, "/nope").status == 404);
  CHECK(http_get(port, "/metrics", "POST").status == 405);
  eng->drain();
  CHECK(http_get(port, "/readyz").status == 503);
  CHECK(http_get(port, "/healthz").status == 200);
}
