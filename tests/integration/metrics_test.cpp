// /metrics, /healthz and /readyz over real HTTP; the page passes promtool.
#include <doctest/doctest.h>

#include <fstream>


#include "support/child.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;


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

  // The page is valid Prometheus text, checked by Prometheus's own tool when installed.
  auto dir = temp_dir();
  std::ofstream{dir + "/metrics.txt"} << m.body;
  if (std::ifstream{"/usr/bin/promtool"}.good()) {
    auto [code, out] = run({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + dir + "/metrics.txt"});
    CAPTURE(out);
    CHECK(code == 0);
  } else {
    MESSAGE("promtool is not installed: the page was not checked by it");
  }

  CHECK(http_get(port, "/healthz").status == 200);
  CHECK(http_get(port, "/readyz").status == 200);
  CHECK(http_get(port, "/nope").status == 404);
  CHECK(http_get(port, "/metrics", "POST").status == 405);
  eng->drain();
  CHECK(http_get(port, "/readyz").status == 503);
  CHECK(http_get(port, "/healthz").status == 200);
}
