// runner: executes a parsed script in a world (world.hpp), one step at a time. The steps
// mean the same in both modes: every request waits for its one answer; events (ref 0) land
// in a per-client inbox that expect steps read in order; waits are measured on the
// world's clock (real, or virtual).
#include <algorithm>
#include <chrono>

#include <doctest/doctest.h>

#include "scenario/world.hpp"

namespace parley::scenario {

// -- inbox ------------------------------------------------------------------------------

void inbox::push(const client::answer& a) {
  if (a.type() == wire::Message::Ping || a.type() == wire::Message::Pong)
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

std::optional<client::answer> inbox::try_pop() {
  std::lock_guard lock{mx};
  if (events.empty())
    return std::nullopt;
  auto a = std::move(events.front());
  events.pop_front();
  return a;
}

std::optional<client::answer> inbox::pop(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock{mx};
  if (!cv.wait_until(lock, until, [&] { return !events.empty(); }))
    return std::nullopt;
  auto a = std::move(events.front());
  events.pop_front();
  return a;
}

bool inbox::empty() {
  std::lock_guard lock{mx};
  return events.empty();
}

namespace {

using M = wire::Message;

struct party {
  client_kind kind = client_kind::gateway;
  std::shared_ptr<inbox> in = std::make_shared<inbox>();
  bool gone = false;
};

class runner {
public:
  runner(const script& s, mode m) : s_(s), mode_(m) {}

  run_result run() {
    try {
      world_ = mode_ == mode::tcp ? make_tcp_world(s_) : make_virtual_world(s_);
    } catch (const failure& f) {
      FAIL(s_.name << ": " << f.why);
    } catch (const std::exception& e) {
      FAIL(s_.name << ": the engine did not start with this config (line N of its config file "
                      "is line N of the scenario): "
                   << e.what());
    }
    auto start = std::chrono::steady_clock::now();
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
    auto took = std::chrono::duration_cast<millis>(std::chrono::steady_clock::now() - start);
    CHECK_MESSAGE(done == s_.steps.size(), s_.name << ": not every step ran");
    MESSAGE(s_.name << " (" << std::string{mode_name(mode_)} << "): " << done << " steps passed in "
                    << took.count() << " ms"
                    << (mode_ == mode::virtual_time
                          ? ", " + std::to_string(world_->now().count()) + " ms of virtual time"
                          : std::string{}));
    run_result out;
    out.passed = true;
    out.frames = world_->frame_log();
    world_.reset();  // stops the engine; a world that cannot stop cleanly fails the test
    return out;
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
      case op::wait: return world_->pass(st.timeout);
      case op::disconnect:
        world_->disconnect(st.client);
        get(st.client).gone = true;
        return;
      case op::conservation:
        if (auto problems = world_->conservation_problems(); !problems.empty())
          fail("conservation does not hold: " + problems);
        return;
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

  client::answer ask(const std::string& name, const client::client::build_fn& b) {
    get(name);
    return world_->ask(name, b);
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
    auto& p = parties_[st.client];
    p.kind = st.type;
    world_->connect(st.client, st.type, p.in);
    if (st.type == client_kind::reporter || st.type == client_kind::vq
        || st.type == client_kind::router) {
      auto m = build_subscription(st);
      answered(st, ask(st.client, m.build), m.answers);
    }
  }

  void request(const scenario::step& st) {
    auto m = build_request(st, vars_);
    auto ans = ask(st.client, m.build);
    if (answered(st, ans, m.answers) && st.verb == "submit")
      vars_[st.args[0]] = ans.as<wire::Submitted>()->interaction_id();
  }

  void snapshot(const scenario::step& st) {
    auto m = build_snapshot(st);
    auto ans = ask(st.client, m.build);
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

  /// The next event of `p`, waiting until `until` on the world's clock.
  std::optional<client::answer> next(party& p, millis until) {
    return world_->next_event(*p.in, std::max(until - world_->now(), millis{0}));
  }

  void expect_event(const scenario::step& st) {
    auto& p = get(st.client, true);
    auto until = world_->now() + st.timeout;
    std::vector<std::string> skipped;
    for (;;) {
      auto ev = next(p, until);
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
    auto until = world_->now() + st.timeout;
    while (auto ev = next(p, until))
      if (s_.watched.count(ev->type()))
        fail("got " + describe(*ev, vars_));
  }

  void expect_info(const scenario::step& st) {
    auto iid = id(st.args[0]);
    auto ans = ask(st.client, [iid](protocol::encoder& e, std::uint64_t ref) {
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
  mode mode_;
  std::map<std::string, party> parties_;  // before world_: the world's clients fill the inboxes
  std::unique_ptr<world> world_;
  vars vars_;
};

} // namespace

run_result run(const script& s, mode m) {
  runner r{s, m};
  return r.run();
}

} // namespace parley::scenario
