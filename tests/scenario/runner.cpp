// runner: executes a parsed script against a fresh parleyd process, one step at a time.
// Every client is a real client-library instance over TCP; every request waits for its one
// answer; events (ref 0) land in a per-client inbox that expect steps read in order.
#include <algorithm>
#include <csignal>
#include <sstream>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <doctest/doctest.h>

#include "scenario/scenario.hpp"
#include "support/parleyd_process.hpp"
#include "support/test_env.hpp"

namespace parley::scenario {

namespace {

using namespace std::chrono_literals;
using engine::listener_kind;
using steady = std::chrono::steady_clock;
using M = wire::Message;

struct failure {
  std::string why;
};

[[noreturn]] void fail(std::string why) {
  throw failure{std::move(why)};
}

/// The events one client received, in order; filled on the client's strand.
struct inbox {
  std::mutex mx;
  std::condition_variable cv;
  std::deque<client::answer> events;
  std::uint64_t last_seq = 0;
  std::string seq_problem;  // the first gap in the reporting stream, if any

  void push(const client::answer& a) {
    if (a.type() == M::Ping || a.type() == M::Pong)
      return;
    std::lock_guard lock{mx};
    if (auto* r = a.as<wire::ReportingEvent>()) {
      if (last_seq != 0 && r->seq() != last_seq + 1 && seq_problem.empty())
        seq_problem = "the reporting stream is not gap-free: seq " + std::to_string(r->seq())
                      + " came after " + std::to_string(last_seq);
      last_seq = r->seq();
    }
    events.push_back(a);
    cv.notify_all();
  }

  std::optional<client::answer> pop(steady::time_point until) {
    std::unique_lock lock{mx};
    if (!cv.wait_until(lock, until, [&] { return !events.empty(); }))
      return std::nullopt;
    auto a = std::move(events.front());
    events.pop_front();
    return a;
  }
};

struct party {
  client_kind kind = client_kind::gateway;
  std::shared_ptr<client::client> cl;
  std::shared_ptr<inbox> in = std::make_shared<inbox>();
  bool gone = false;
};

/// What the console's status says about conservation ("" when every tenant is conserved,
/// now and after every event the engine has ordered).
std::string conservation_problems(const test::parleyd_process& p) {
  auto status = p.console("status");
  std::string out;
  std::istringstream in{status};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("interactions [", 0) == 0 && line.find("(conserved)") == std::string::npos)
      out += line + "; ";
  if (status.find("parleyd ") == std::string::npos)
    out += "no status from the console: " + status;
  return out;
}

class runner {
public:
  explicit runner(const script& s) : s_(s) {}

  ~runner() {
    for (auto& [name, p] : parties_)
      if (p.cl)
        p.cl->stop();
    parties_.clear();
    if (eng_) {
      eng_->proc().signal(SIGTERM);
      if (eng_->proc().wait(10s) != 0)
        FAIL_CHECK(s_.name << ": parleyd did not stop cleanly:\n" << eng_->log());
    }
  }

  void run() {
    try {
      // The real parleyd process, with the scenario's config and the test timeouts.
      eng_ = test::parleyd_process::with_toml(
        s_.toml, {"engine.io_threads=1", "engine.actor_threads=2", "timeouts.registration_ms=2000",
                  "timeouts.heartbeat_interval_ms=1000", "timeouts.heartbeat_timeout_ms=3000",
                  "timeouts.shutdown_ms=3000", "log.level=warn"});
    } catch (const std::exception& e) {
      FAIL(s_.name << ": parleyd did not start with this config (line N of its config file is "
                      "line N of the scenario): "
                   << e.what());
    }
    auto start = steady::now();
    std::size_t done = 0;
    for (auto& st : s_.steps) {
      std::string why;
      try {
        step(st);
        reporters_gap_free();
      } catch (const failure& f) {
        why = f.why;
      } catch (const std::exception& e) {
        why = std::string{"exception: "} + e.what();
      }
      if (!why.empty())
        FAIL(s_.name << ":" << st.line << ": " << st.text << "\n    " << why);
      ++done;
    }
    auto took = std::chrono::duration_cast<millis>(steady::now() - start);
    CHECK_MESSAGE(done == s_.steps.size(), s_.name << ": not every step ran");
    MESSAGE(s_.name << ": " << done << " steps passed in " << took.count() << " ms");
  }

private:
  void step(const scenario::step& st) {
    switch (st.kind) {
      case op::declare: return declare(st);
      case op::request: return request(st);
      case op::snapshot: return snapshot(st);
      case op::expect_event: return expect_event(st);
      case op::expect_nothing: return expect_nothing(st);
      case op::expect_state: return expect_info(st);
      case op::expect_agents: return expect_info(st);
      case op::wait: std::this_thread::sleep_for(st.timeout); return;
      case op::disconnect: {
        auto& p = get(st.client);
        p.cl->stop();
        p.gone = true;
        return;
      }
      case op::conservation: return conservation();
    }
  }

  party& get(const std::string& name, bool even_gone = false) {
    auto it = parties_.find(name);
    if (it == parties_.end())
      fail("client " + name + " does not exist");
    if (it->second.gone && !even_gone)
      fail("client " + name + " was disconnected");
    return it->second;
  }

  std::uint64_t id(const std::string& w) const {
    try {
      return resolve(vars_, w);
    } catch (const std::exception&) {
      fail("'" + w + "' has no value (its binding step did not bind it)");
    }
  }

  client::answer ask(party& p, client::client::build_fn b) {
    auto fut = p.cl->request(std::move(b));
    if (fut.wait_for(8s) != std::future_status::ready)
      fail("no answer within 8 s (the client library did not time out either)");
    return fut.get();
  }

  /// Checks an answer against the step: true when it succeeded as wanted, false when the
  /// wanted error came; anything else fails the step.
  bool answered(const scenario::step& st, const client::answer& a, std::vector<M> types) {
    if (a.transport() != client::status::ok)
      fail("no answer: " + a.error_text());
    std::string codes;
    for (auto c : st.errors)
      codes += (codes.empty() ? "" : "|") + std::string{wire::EnumNameErrorCode(c)};
    if (st.want_error) {
      if (a.ok())
        fail("wanted error " + (codes.empty() ? "(any)" : codes) + ", got " + describe(a, vars_));
      if (!st.errors.empty()
          && std::find(st.errors.begin(), st.errors.end(), a.error_code()) == st.errors.end())
        fail("wanted error " + codes + ", got " + a.error_text());
      return false;
    }
    if (!a.ok())
      fail("failed: " + a.error_text());
    if (std::find(types.begin(), types.end(), a.type()) == types.end())
      fail("unexpected answer " + describe(a, vars_));
    return true;
  }

  void declare(const scenario::step& st) {
    client::options o;
    o.name = st.client;
    o.request_timeout = 5s;
    o.reconnect = false;
    o.type = st.type == client_kind::gateway    ? wire::ClientType::media_gateway
             : st.type == client_kind::desktop  ? wire::ClientType::agent_desktop
             : st.type == client_kind::reporter ? wire::ClientType::reporting
                                                : wire::ClientType::router;
    o.port = eng_->port(st.type == client_kind::vq ? "vq" : "interaction");
    auto& p = parties_[st.client];
    p.kind = st.type;
    p.cl = client::client::create(io_.executor(), o);
    p.cl->on_event([in = p.in](const client::answer& a) { in->push(a); });
    p.cl->start();
    if (!p.cl->wait_registered(5s))
      fail(std::string{"did not register: client state "} + client::state_name(p.cl->current_state()));
    if (st.type == client_kind::reporter || st.type == client_kind::vq
        || st.type == client_kind::router) {
      auto m = build_subscription(st);
      answered(st, ask(p, std::move(m.build)), m.answers);
    }
  }

  void request(const scenario::step& st) {
    auto& p = get(st.client);
    auto m = build_request(st, vars_);
    auto ans = ask(p, std::move(m.build));
    if (answered(st, ans, m.answers) && st.verb == "submit")
      vars_[st.args[0]] = ans.as<wire::Submitted>()->interaction_id();
  }

  void snapshot(const scenario::step& st) {
    auto& p = get(st.client);
    auto m = build_snapshot(st);
    auto ans = ask(p, std::move(m.build));
    if (!answered(st, ans, m.answers) || !st.check_items)
      return;
    std::vector<std::uint64_t> want, got;
    for (std::size_t i = 3; i < st.args.size(); ++i)
      want.push_back(id(st.args[i]));
    if (auto* items = ans.as<wire::QueueSnapshotData>()->items())
      for (auto* item : *items)
        got.push_back(item->id());
    if (want != got)
      fail("the items differ: " + describe(ans, vars_));
  }

  std::string skipped_text(const std::vector<std::string>& skipped) {
    if (skipped.empty())
      return "received nothing else";
    std::string out = "skipped " + std::to_string(skipped.size()) + " event(s):";
    auto from = skipped.size() > 15 ? skipped.size() - 15 : 0;
    for (auto i = from; i < skipped.size(); ++i)
      out += "\n      " + skipped[i];
    return out;
  }

  void expect_event(const scenario::step& st) {
    auto& p = get(st.client, true);
    auto until = steady::now() + st.timeout;
    std::vector<std::string> skipped;
    for (;;) {
      auto ev = p.in->pop(until);
      if (!ev)
        fail("no matching event within " + std::to_string(st.timeout.count()) + "ms; "
             + skipped_text(skipped));
      auto r = match_event(st, *ev, vars_);
      if (r.v == verdict::match)
        return;
      if (r.v == verdict::conflict)
        fail("got " + describe(*ev, vars_) + ": " + r.why + "; " + skipped_text(skipped));
      skipped.push_back(describe(*ev, vars_));
    }
  }

  void expect_nothing(const scenario::step& st) {
    auto& p = get(st.client, true);
    auto until = steady::now() + st.timeout;
    while (auto ev = p.in->pop(until))
      if (s_.watched.count(ev->type()))
        fail("got " + describe(*ev, vars_));
  }

  void expect_info(const scenario::step& st) {
    auto& p = get(st.client);
    auto iid = id(st.args[0]);
    auto ans = ask(p, [iid](protocol::encoder& e, std::uint64_t ref) {
      auto& b = e.start();
      return e.finish(ref, wire::CreateGetInteraction(b, iid));
    });
    if (ans.transport() != client::status::ok)
      fail("no answer: " + ans.error_text());
    if (st.kind == op::expect_state && st.verb == "stopped"
        && ans.error_code() == wire::ErrorCode::unknown_id)
      return;
    auto* data = ans.as<wire::InteractionData>();
    if (!data || !data->info())
      fail("GetInteraction answered " + describe(ans, vars_));
    auto* info = data->info();
    if (st.kind == op::expect_state) {
      if (st.verb != wire::EnumNameInteractionState(info->state()))
        fail("the state differs: " + describe(ans, vars_));
      return;
    }
    std::vector<std::string> want(st.args.begin() + 1, st.args.end()), got;
    if (info->agents())
      for (auto* x : *info->agents())
        got.push_back(x->str());
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    if (want != got)
      fail("the agents differ: " + describe(ans, vars_));
  }

  void conservation() {
    // The bus counts asynchronously: give in-flight reports a moment to land.
    auto problems = conservation_problems(*eng_);
    auto until = steady::now() + 2s;
    while (!problems.empty() && steady::now() < until) {
      std::this_thread::sleep_for(20ms);
      problems = conservation_problems(*eng_);
    }
    if (!problems.empty())
      fail("conservation does not hold: " + problems);
  }

  void reporters_gap_free() {
    for (auto& [name, p] : parties_) {
      if (p.kind != client_kind::reporter)
        continue;
      std::lock_guard lock{p.in->mx};
      if (!p.in->seq_problem.empty())
        fail(name + ": " + p.in->seq_problem);
    }
  }

  const script& s_;
  client::io_thread io_;  // outlives the clients and the engine
  std::unique_ptr<test::parleyd_process> eng_;
  std::map<std::string, party> parties_;
  vars vars_;
};

} // namespace

void run(const script& s) {
  runner r{s};
  r.run();
}

} // namespace parley::scenario
