// Statistics on the live stream (GET /api/v1/live?stats=..., docs/web.md): what a browser
// gets equals, value for value, what a 2060 client opening the same statistics gets — they
// share the calculations — and names, limits and tenants are checked before the stream opens.
#include <doctest/doctest.h>

#include "sse_client.hpp"
#include "support/child.hpp"
#include "support/stat_client.hpp"
#include "support/test_env.hpp"
#include "support/web_client.hpp"
#include "web_support.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::web;
using nlohmann::json;

namespace {

std::string url_encoded(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s)
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += {'%', hex[c >> 4], hex[c & 15]};
  return out;
}

std::string live_target(const json& stats) {
  return "/api/v1/live?stats=" + url_encoded(stats.dump());
}

} // namespace

TEST_CASE("web: statistics on the live stream equal a 2060 client's, sharing its calculations") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client admin{eng->http_port()}, view{eng->http_port()}, gview{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  REQUIRE(view.login("view", pw).status == 201);
  REQUIRE(gview.login("gview", pw).status == 201);

  // Bad names, too many, another tenant's objects: refused before the stream opens.
  auto refused = [&](web_client& who, const std::string& target) {
    auto r = who.get(target);
    CAPTURE(r.body);
    return std::pair{r.status, r.code()};
  };
  CHECK(refused(view, "/api/v1/live?stats=nope") == std::pair{400, std::string{"invalid_argument"}});
  CHECK(refused(view, live_target(json::array())).first == 400);
  CHECK(refused(view, live_target({{{"type", "queue"}, {"id", "sales"}, {"metric", "waiting_forever"}}})).first == 400);
  CHECK(refused(view, live_target({{{"type", "shelf"}, {"id", "sales"}, {"metric", "entered"}}})).first == 400);
  CHECK(refused(view, live_target({{{"type", "queue"}, {"id", "sales"}, {"metric", "entered"}, {"window_s", -1}}})).first
        == 400);
  CHECK(refused(view, live_target({{{"key", "a"}, {"type", "queue"}, {"id", "sales"}, {"metric", "entered"}},
                                   {{"key", "a"}, {"type", "queue"}, {"id", "sales"}, {"metric", "abandoned"}}}))
          .first
        == 400);
  json many = json::array();
  for (int i = 0; i < 101; ++i)
    many.push_back({{"type", "queue"}, {"id", "sales"}, {"metric", "entered"}});
  CHECK(refused(admin, live_target(many)).first == 400);
  CHECK(refused(gview, live_target({{{"type", "queue"}, {"id", "sales"}, {"metric", "entered"}}}))
        == std::pair{404, std::string{"unknown_id"}});
  CHECK(refused(gview, live_target({{{"type", "tenant"}, {"id", "acme"}, {"metric", "entered"}}})).first == 404);

  // The same three statistics on 2060 and on the stream of acme's viewer.
  events_client board{eng->port(engine::listener_kind::stat), wire::ClientType::stat_client};
  open_args waiting, entered, sl;
  entered.metric = "entered";
  entered.interval = wire::StatInterval::growing_reset;
  sl.type = wire::StatObjectType::tenant;
  sl.id = "acme";
  sl.metric = "service_level";
  sl.interval = wire::StatInterval::growing_reset;
  sl.range_to_s = 20;
  std::vector<std::uint64_t> ids;
  for (auto& a : {waiting, entered, sl}) {
    auto opened = board.open(a);
    REQUIRE(opened.ok());
    ids.push_back(opened.as<wire::StatOpened>()->stat_id());
  }
  auto calculations = eng->domain()->metrics->stats_calculations.load();
  json stats = {{{"key", "waiting"}, {"type", "queue"}, {"id", "sales"}, {"metric", "current_in_queue"}},
                {{"key", "entered"}, {"type", "queue"}, {"id", "sales"}, {"metric", "entered"}, {"interval", "growing_reset"}},
                {{"key", "sl"}, {"type", "tenant"}, {"id", "acme"}, {"metric", "service_level"},
                 {"interval", "growing_reset"}, {"range_to_s", 20}},
                {{"key", "bad"}, {"type", "queue"}, {"id", "sales"}, {"metric", "service_level"}}};  // no T
  sse_client stream{eng->http_port(), view.cookie(), "", live_target(stats)};
  REQUIRE(stream.status == 200);
  std::map<std::string, std::vector<double>> seen;
  json bad;
  std::size_t others = 0;  // a stream of statistics carries them alone
  auto read_stats = [&](std::chrono::milliseconds limit) {
    while (auto e = stream.next(limit)) {
      if (e->type != "stat") {
        ++others;
        continue;
      }
      auto key = e->data["key"].get<std::string>();
      if (key == "bad")
        bad = e->data;
      else if (e->data.contains("value"))
        seen[key].push_back(e->data["value"].get<double>());
    }
  };
  REQUIRE(eventually([&] {
    read_stats(100ms);
    return seen.size() == 3 && bad.is_object();
  }));
  // A statistic the hub refuses is that statistic's event; the others go on.
  CHECK(bad["error"]["code"] == "invalid_argument");
  // Identical statistics share one calculation: the stream added none.
  CHECK(eng->domain()->metrics->stats_calculations.load() == calculations);
  CHECK(seen["waiting"] == std::vector<double>{0});

  connected_client gw{eng->port(engine::listener_kind::interaction)};
  for (int i = 0; i < 5; ++i) {
    REQUIRE(submit_to(*gw.cl, "acme", "sales").ok());
    REQUIRE(eventually([&] {
      read_stats(50ms);
      return seen["waiting"].back() == i + 1 && seen["entered"].back() == i + 1;
    }, 3s));
  }
  // Value for value: after the value each had when it opened, the stream saw exactly what
  // the 2060 client was sent.
  REQUIRE(eventually([&] { return board.values(ids[0]).size() == 5; }));
  CHECK(std::vector<double>(seen["waiting"].begin() + 1, seen["waiting"].end()) == board.values(ids[0]));
  CHECK(std::vector<double>(seen["entered"].begin() + 1, seen["entered"].end()) == board.values(ids[1]));
  CHECK(std::vector<double>(seen["sl"].begin() + 1, seen["sl"].end()) == board.values(ids[2]));
  CHECK(seen["waiting"] == std::vector<double>{0, 1, 2, 3, 4, 5});
  CHECK(others == 0);  // no snapshot, no queue events

  // The stream's end closes its statistics (the 2060 client's stay open).
  auto open_before = eng->domain()->metrics->stats_open.load();
  stream.s.close();
  CHECK(eventually([&] { return eng->domain()->metrics->stats_open.load() == open_before - 3; }));
  CHECK(eng->domain()->metrics->stats_calculations.load() == calculations);
}
