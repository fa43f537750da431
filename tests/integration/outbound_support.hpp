// outbound_support: what the outbound integration tests share — a contact center config
// with a campaign on scaled time, agent desktops that accept every invite, a CSV list
// written into the engine's import directory, a field of a console status line, the list as
// the engine stored it (`list export`), and samples from /metrics; a gateway's calls
// (submit, stop), which the history and stream export tests use too; and a dialing
// gateway's client (test_gateway).
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "support/console_conn.hpp"
#include "support/test_env.hpp"

namespace parley::test::campaigns {


// Domain time runs 20x: a 2 s ring is 100 ms, a 4 s talk 200 ms.
inline std::string center(const std::string& mode, const std::string& extra = {}) {
  return R"(
[engine]
clock_scale = 20
[routing]
offer_timeout_ms = 10000
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
[outbound.gateway]
answer = 0.6
busy = 0.2
no_answer = 0.2
machine = 0.0
fax = 0.0
sit = 0.0
dropped = 0.0
ring_mean_ms = 2000
no_answer_after_ms = 4000
talk_mean_ms = 4000
[[campaigns]]
name = "spring"
lists = ["spring"]
mode = ")" + mode + R"("
queue = "sales"
window = "00:00-24:00"
lease_chunk = 50
)" + extra;
}

/// A desktop that logs in, goes ready and accepts every invite; it remembers the
/// properties of what it was offered (and, as `_iid` and `_queue`, the interaction's id and
/// queue) and how many
/// calls it held at once. With `rejecting` set it rejects invites instead, and goes not
/// ready (so the call goes to another agent).
struct auto_agent {
  std::mutex mx;
  std::vector<std::map<std::string, std::string>> offered;
  std::atomic<int> holding{0}, most{0};
  std::atomic<bool> rejecting{false};
  // Last, so it goes first: its I/O thread (which runs the callback below) is joined before
  // what the callback writes to is destroyed — an Invite arriving as a test ends was written
  // into a freed vector (AddressSanitizer, san.outbound_campaign_tests).
  std::unique_ptr<connected_client> desk;

  auto_agent(std::uint16_t port, const std::string& id) {
    desk = std::make_unique<connected_client>(port, wire::ClientType::agent_desktop);
    auto cl = desk->cl;
    // The callback lives in the client: a raw pointer, not a shared_ptr cycle (a leak).
    cl->on_event([this, cl = cl.get()](const client::answer& a) {
      if (auto* inv = a.as<wire::Invite>()) {
        std::map<std::string, std::string> props;
        if (inv->info() && inv->info()->properties())
          for (auto* p : *inv->info()->properties())
            props[p->key()->str()] = p->text() ? p->text()->str() : std::to_string(p->number());
        props["_iid"] = std::to_string(inv->info()->id());
        props["_queue"] = inv->info()->queue() ? inv->info()->queue()->str() : "";
        {
          std::lock_guard lock{mx};
          offered.push_back(props);
        }
        auto iid = inv->info()->id();
        if (rejecting) {
          cl->request([iid](protocol::encoder& e, std::uint64_t ref) {
            return e.finish(ref, wire::CreateRejectDirect(e.start(), iid, "busy"));
          });
          cl->request([](protocol::encoder& e, std::uint64_t ref) {
            auto& fbb = e.start();
            return e.finish(ref, wire::CreateAgentNotReady(fbb, fbb.CreateString("break")));
          });
          return;
        }
        auto n = ++holding;
        for (int m = most; n > m && !most.compare_exchange_weak(m, n);) {}
        cl->request([iid](protocol::encoder& e, std::uint64_t ref) {
          return e.finish(ref, wire::CreateAccept(e.start(), iid));
        });
      } else if (a.as<wire::ProcessingStopped>() || (a.as<wire::Revoked>() && !rejecting)) {
        --holding;  // revoked: the call ended before its Accept arrived (a gateway gone)
      }
    });
    auto r = cl->request([id](protocol::encoder& e, std::uint64_t ref) {
                 auto& fbb = e.start();
                 auto agent = fbb.CreateString(id);
                 auto place = fbb.CreateString("p-" + id);
                 return e.finish(ref, wire::CreateAgentLogin(fbb, agent, place));
               }).get();
    REQUIRE(r.ok());
  }

  void ready() {
    auto r = desk->cl->request([](protocol::encoder& e, std::uint64_t ref) {
                   return e.finish(ref, wire::CreateAgentReady(e.start()));
                 }).get();
    REQUIRE(r.ok());
  }

  void not_ready() {
    auto r = desk->cl->request([](protocol::encoder& e, std::uint64_t ref) {
                   auto& fbb = e.start();
                   return e.finish(ref, wire::CreateAgentNotReady(fbb, fbb.CreateString("break")));
                 }).get();
    REQUIRE(r.ok());
  }

  std::size_t calls() {
    std::lock_guard lock{mx};
    return offered.size();
  }
};

inline std::string write_list(const std::string& dir, int rows) {
  std::filesystem::create_directories(dir + "/import");
  std::ofstream f{dir + "/import/spring.csv"};
  f << "phone,tz,customer,plan\n";
  for (int i = 0; i < rows; ++i)
    f << "+1212555" << 1000 + i << ",UTC,c" << i << ",gold\n";
  return "spring.csv";
}

/// Every outcome share 0 but `outcome` (the gateway then always answers with it).
inline std::vector<std::string> always(const std::string& outcome, std::vector<std::string> more = {}) {
  for (auto s : {"answer", "busy", "no_answer", "machine", "fax", "sit", "dropped"})
    more.push_back(std::string{"outbound.gateway."} + s + "=" + (s == outcome ? "1.0" : "0.0"));
  return more;
}

/// `<data_dir>/import/<name>` with `text`; the name for `list import`.
inline std::string write_csv(const std::string& data_dir, const std::string& text,
                             const std::string& name = "spring.csv") {
  std::filesystem::create_directories(data_dir + "/import");
  std::ofstream{data_dir + "/import/" + name} << text;
  return name;
}

/// `text` written as the engine's import file and imported into list spring: all `rows`
/// of it (`list import` answers "..., N imported, ...").
inline void import_csv(console_conn& con, const std::string& data_dir, const std::string& text,
                       int rows) {
  auto answer = con.ask("list import spring " + write_csv(data_dir, text));
  REQUIRE_MESSAGE(answer.find(", " + std::to_string(rows) + " imported") != std::string::npos, answer);
}

inline std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"')
      out.back() += line[++i];
    else if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

using row = std::map<std::string, std::string>;

/// The list as the engine stored it, by phone: `list export` into a new file (`ask` runs a
/// console command), read back.
inline std::map<std::string, row> exported(const std::function<std::string(const std::string&)>& ask,
                                           const std::string& list = "spring") {
  static int n = 0;
  auto answer = ask("list export " + list + " export-" + std::to_string(++n) + ".csv");
  auto at = answer.find(" exported to ");
  REQUIRE_MESSAGE(at != std::string::npos, answer);
  auto path = answer.substr(at + 13);
  path.erase(path.find_last_not_of('\n') + 1);
  std::ifstream in{path};
  std::string line;
  REQUIRE(std::getline(in, line));
  auto header = split_csv(line);
  std::map<std::string, row> out;
  while (std::getline(in, line)) {
    auto f = split_csv(line);
    REQUIRE(f.size() == header.size());
    row r;
    for (std::size_t i = 0; i < f.size(); ++i)
      r[header[i]] = f[i];
    out[r.at("phone")] = r;
  }
  return out;
}

inline std::map<std::string, row> exported(console_conn& con, const std::string& list = "spring") {
  return exported([&](const std::string& c) { return con.ask(c); }, list);
}

inline std::int64_t num(const row& r, const std::string& column) {
  return std::stoll(r.at(column));
}

/// A counter or gauge sample from /metrics ("name{labels}"); 0 when absent (counters at 0
/// are not rendered).
inline double metric(std::uint16_t port, const std::string& sample) {
  auto body = http_get(port, "/metrics").body;
  std::istringstream in{body};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(sample + " ", 0) == 0)
      return std::stod(line.substr(sample.size() + 1));
  return 0;
}

/// The domain clock reached `ms` (it runs scaled: waiting for it is waiting for time to pass).
inline void wait_domain(engine::engine& eng, std::int64_t ms) {
  REQUIRE(eventually([&] { return eng.clk().now_ms() >= ms; }, 30s));
}

/// A media gateway's voice interaction for `queue` of `tenant`, answered.
inline client::answer submit(client::client& gw, const std::string& tenant = "acme",
                             const std::string& queue = "sales") {
  return gw.request([&](protocol::encoder& e, std::uint64_t ref) {
    auto& fbb = e.start();
    return e.finish(ref, wire::CreateSubmit(fbb, fbb.CreateString(""), fbb.CreateString(tenant),
                                            fbb.CreateString("voice"), fbb.CreateString(queue), 0));
  }).get();
}

/// The interaction a Submit made.
inline std::uint64_t id_of(const client::answer& a) {
  REQUIRE(a.ok());
  return a.as<wire::Submitted>()->interaction_id();
}

/// Stops interaction `iid` (the gateway's StopProcessing), answered with success.
inline void stop(client::client& gw, std::uint64_t iid) {
  auto r = gw.request([iid](protocol::encoder& e, std::uint64_t ref) {
    auto& fbb = e.start();
    return e.finish(ref, wire::CreateStopProcessingDirect(fbb, iid, "done"));
  }).get();
  REQUIRE(r.ok());
}

/// What the engine asked a dialing gateway to place (a call, or a message).
struct dial_seen {
  std::uint64_t call = 0;
  std::string phone, caller_id, campaign, media, email, subject, text;
  std::uint32_t timeout_ms = 0;
};

/// A dial_gateway client (external gateways, outbound.gateway.kind = "external"): it keeps
/// every DialRequest and DialHangup and, when `answer_with` is set, reports ringing and then
/// that event for each call at once (`answered` calls stay up until the engine hangs up).
struct test_gateway {
  std::mutex mx;
  std::vector<dial_seen> requests;
  std::set<std::uint64_t> up, hangups;
  std::size_t most_up = 0;
  std::optional<wire::CallEvent> answer_with;
  std::unique_ptr<connected_client> conn;

  explicit test_gateway(std::uint16_t port) {
    conn = std::make_unique<connected_client>(port, wire::ClientType::dial_gateway);
    auto cl = conn->cl.get();
    cl->on_event([this, cl](const client::answer& a) {
      if (auto* d = a.as<wire::DialRequest>()) {
        std::optional<wire::CallEvent> reply;
        {
          std::lock_guard lock{mx};
          auto text = [](const flatbuffers::String* x) { return x ? x->str() : std::string{}; };
          requests.push_back({d->call_id(), text(d->phone()), text(d->caller_id()),
                              text(d->campaign()), text(d->media()), text(d->email()),
                              text(d->subject()), text(d->text()), d->timeout_ms()});
          up.insert(d->call_id());
          most_up = std::max(most_up, up.size());
          reply = answer_with;
        }
        if (reply) {
          send(*cl, d->call_id(), wire::CallEvent::ringing);
          send(*cl, d->call_id(), *reply);
          if (*reply != wire::CallEvent::answered) {
            std::lock_guard lock{mx};
            up.erase(d->call_id());
          }
        }
      } else if (auto* h = a.as<wire::DialHangup>()) {
        std::lock_guard lock{mx};
        hangups.insert(h->call_id());
        up.erase(h->call_id());
      }
    });
  }

  static std::future<client::answer> send(client::client& cl, std::uint64_t call, wire::CallEvent e) {
    return cl.request([call, e](protocol::encoder& enc, std::uint64_t ref) {
      return enc.finish(ref, wire::CreateCallProgress(enc.start(), call, e));
    });
  }

  client::answer offer(std::uint32_t lines, std::vector<std::string> media = {"voice"}) {
    return conn->cl->request([=](protocol::encoder& e, std::uint64_t ref) {
                     auto& fbb = e.start();
                     return e.finish(ref, wire::CreateRegisterDialGateway(
                                            fbb, fbb.CreateVectorOfStrings(media), lines));
                   }).get();
  }

  client::answer report(std::uint64_t call, wire::CallEvent e) {
    if (e != wire::CallEvent::ringing && e != wire::CallEvent::answered
        && e != wire::CallEvent::answered_machine) {
      std::lock_guard lock{mx};
      up.erase(call);
    }
    return send(*conn->cl, call, e).get();
  }

  std::size_t dial_count() {
    std::lock_guard lock{mx};
    return requests.size();
  }
  std::vector<std::uint64_t> calls_up() {
    std::lock_guard lock{mx};
    return {up.begin(), up.end()};
  }
  /// The request to `phone`, if one came.
  std::optional<dial_seen> to(const std::string& phone) {
    std::lock_guard lock{mx};
    for (auto& d : requests)
      if (d.phone == phone)
        return d;
    return std::nullopt;
  }
};

inline std::uint64_t field(const std::string& status, const std::string& key) {
  auto at = status.find(" " + key + "=");
  return at == std::string::npos ? 0 : std::stoull(status.substr(at + key.size() + 2));
}

} // namespace parley::test::campaigns
