// stat_client: a statistics client on 2060 for the tests — opens statistics as a wallboard
// does (OpenStat) and collects what the engine pushes.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "support/test_env.hpp"
#include "wire/stat_generated.h"

namespace parley::test {

struct open_args {
  wire::StatObjectType type = wire::StatObjectType::queue;
  std::string id = "sales";
  std::string metric = "current_in_queue";
  wire::StatInterval interval = wire::StatInterval::growing;
  std::uint32_t window_s = 0;
  wire::StatNotify notify = wire::StatNotify::on_change;
  std::uint32_t period_ms = 0;
  std::uint32_t range_to_s = 0;
};

/// A client with its events collected.
struct events_client {
  client::io_thread io;
  std::shared_ptr<client::client> cl;
  std::mutex mx;
  std::vector<client::answer> events;

  events_client(std::uint16_t port, wire::ClientType type) {
    client::options o;
    o.port = port;
    o.type = type;
    cl = client::client::create(io.executor(), o);
    cl->on_event([this](const client::answer& a) {
      std::lock_guard lock{mx};
      events.push_back(a);
    });
    cl->start();
    REQUIRE(cl->wait_registered(5s));
  }
  ~events_client() { cl->stop(); }

  client::answer open(const open_args& a) {
    return cl->request([a](protocol::encoder& e, std::uint64_t ref) {
      auto& fbb = e.start();
      auto id = fbb.CreateString(a.id);
      auto metric = fbb.CreateString(a.metric);
      auto filter = fbb.CreateString("");
      return e.finish(ref, wire::CreateOpenStat(fbb, a.type, id, metric, a.interval, a.window_s, 0,
                                                a.range_to_s, filter, a.notify, 0, a.period_ms));
    }).get();
  }

  template <class Make>
  client::answer ask(Make make) {
    return cl->request([make](protocol::encoder& e, std::uint64_t ref) {
      auto& fbb = e.start();
      return e.finish(ref, make(fbb));
    }).get();
  }

  /// StatInfo values received for a stat id, in order.
  std::vector<double> values(std::uint64_t id) {
    std::lock_guard lock{mx};
    std::vector<double> out;
    for (auto& ev : events)
      if (auto* i = ev.as<wire::StatInfo>(); i && i->stat_id() == id)
        out.push_back(i->value());
    return out;
  }

  std::size_t count(wire::Message type, std::uint64_t id) {
    std::lock_guard lock{mx};
    std::size_t n = 0;
    for (auto& ev : events)
      if (ev.type() == type) {
        std::uint64_t sid = 0;
        if (auto* v = ev.as<wire::StatValid>())
          sid = v->stat_id();
        if (auto* v = ev.as<wire::StatInvalid>())
          sid = v->stat_id();
        if (auto* v = ev.as<wire::StatInfo>())
          sid = v->stat_id();
        n += sid == id;
      }
    return n;
  }
};

} // namespace parley::test
