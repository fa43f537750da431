// web_support: what the web tests share (web_api_test.cpp, web_data_test.cpp,
// browser_test.cpp): a contact center of two tenants, an engine with four users on it, and a
// submit over 7120.
#pragma once

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>

#include "engine/config.hpp"
#include "engine/engine.hpp"
#include "engine/web/users.hpp"
#include "storage/store.hpp"
#include "support/test_env.hpp"
#include "wire/interaction_generated.h"

namespace parley::test::web {

inline constexpr const char* center = R"(
[[queues]]
name = "sales"
tenant = "acme"
[[queues]]
name = "support"
tenant = "globex"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
[[campaigns]]
name = "spring"
lists = ["spring"]
mode = "progressive"
queue = "sales"
window = "00:00-24:00"
)";

inline const std::string pw = "correct-horse-battery";

/// A voice interaction submitted to `queue` of `tenant` through a media gateway's client.
inline client::answer submit_to(client::client& gw, const std::string& tenant, const std::string& queue) {
  return gw
    .request([&](protocol::encoder& e, std::uint64_t ref) {
      auto& fbb = e.start();
      auto ext = fbb.CreateString("");
      auto t = fbb.CreateString(tenant);
      auto media = fbb.CreateString("voice");
      auto q = fbb.CreateString(queue);
      return e.finish(ref, wire::CreateSubmit(fbb, ext, t, media, q, 0));
    })
    .get();
}

/// An engine on `dir` with four users: admin (admin, every tenant), sup (supervisor, acme),
/// view (viewer, acme), gview (viewer, globex); and the campaign's empty list. `more_toml`
/// goes after the center's.
inline std::unique_ptr<engine::engine> web_engine(const std::string& dir, std::vector<std::string> extra = {},
                                                  const std::string& more_toml = "") {
  std::vector<std::string> o{"engine.data_dir=" + dir, "http.request_timeout_ms=1000",
                             "http.max_body_bytes=4096", "http.login_attempts_per_minute=3"};
  o.insert(o.end(), extra.begin(), extra.end());
  auto cfg = test_config(o);
  {
    auto store = storage::open_store(engine::store_config(cfg));
    store->migrate();
    auto& u = store->users();
    auto now = engine::web::now_ms();
    for (auto [name, role, tenants] : {std::tuple{"admin", "admin", "*"}, {"sup", "supervisor", "acme"},
                                       {"view", "viewer", "acme"}, {"gview", "viewer", "globex"}})
      REQUIRE(engine::web::add_user(u, {name, pw, std::string{role}, std::string{tenants}}, now).empty());
    store->outbound().create_list("spring", now);
  }
  return start_engine_toml(std::string{center} + more_toml, o);
}


} // namespace parley::test::web
