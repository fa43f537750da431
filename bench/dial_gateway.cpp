// parley-dial-gateway: an external dialing gateway on a simulated network, built on the C++
// client library — what parley-bench's `dial --gateway external` runs in a process of its
// own, and a C++ counterpart of protocol/python/dial_gateway.py.
//
// It registers as a dial_gateway client, offers --lines lines of --media (again after every
// reconnect), and answers each DialRequest as the network would: ringing, then after a ring
// time (uniform 0.5..1.5 x --ring-ms) an outcome drawn from --mix; no_answer after the
// request's timeout_ms (or --no-answer-ms); answered calls end after an exponential talk
// time (--talk-ms) unless the engine hangs up first; text messages and emails (media sms,
// email) get one final event from --message-mix. It stops by itself after --duration-s
// (or --idle-exit-s without a call, once it had one) and prints one summary line: requests,
// reports sent, reports refused (unknown_id: the engine had ended the call), other errors.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>

#include <CLI/CLI.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "protocol/client/client.hpp"

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using parley::wire::CallEvent;

struct settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7120;
  std::string name = "parley-dial-gateway";
  std::string credential;
  std::vector<std::string> media{"voice"};
  std::uint32_t lines = 1000;
  std::map<std::string, double> mix{{"busy", 0.5}, {"no_answer", 0.5}};
  std::map<std::string, double> message_mix{{"delivered", 1.0}};
  double ring_ms = 2;
  double no_answer_ms = 0;  ///< 0: the request's timeout_ms
  double talk_ms = 60'000;
  std::uint64_t seed = 1;
  double duration_s = 60;
  double idle_exit_s = 0;
};

const std::map<std::string, CallEvent> outcome_names{
  {"answered", CallEvent::answered}, {"answered_machine", CallEvent::answered_machine},
  {"busy", CallEvent::busy},         {"no_answer", CallEvent::no_answer},
  {"fax", CallEvent::fax},           {"sit", CallEvent::sit},
  {"dropped", CallEvent::dropped},   {"failed", CallEvent::failed}};
const std::map<std::string, CallEvent> message_outcome_names{
  {"delivered", CallEvent::delivered}, {"undeliverable", CallEvent::undeliverable},
  {"opted_out", CallEvent::opted_out}, {"failed", CallEvent::failed}};

struct counters {
  std::uint64_t requests = 0, hung_up = 0, reports = 0, acked = 0, unknown = 0, errors = 0;
  std::map<CallEvent, std::uint64_t> outcomes;
};

/// The gateway: every member runs on the client's single I/O thread.
class gateway : public std::enable_shared_from_this<gateway> {
public:
  gateway(asio::io_context& io, settings s) : io_(io), s_(std::move(s)), rng_(s_.seed) {
    std::vector<double> w;
    for (auto& [name, share] : s_.mix) {
      events_.push_back(outcome_names.at(name));
      w.push_back(share);
    }
    pick_ = std::discrete_distribution<std::size_t>(w.begin(), w.end());
    w.clear();
    for (auto& [name, share] : s_.message_mix) {
      message_events_.push_back(message_outcome_names.at(name));
      w.push_back(share);
    }
    pick_message_ = std::discrete_distribution<std::size_t>(w.begin(), w.end());
  }

  void start() {
    parley::client::options o;
    o.host = s_.host;
    o.port = s_.port;
    o.name = s_.name;
    o.credential = s_.credential;
    o.type = parley::wire::ClientType::dial_gateway;
    cl_ = parley::client::client::create(io_.get_executor(), o);
    auto self = shared_from_this();
    cl_->on_state([self](parley::client::state st, const std::string& why) {
      if (st == parley::client::state::registered)
        self->offer_lines();
      else if (st == parley::client::state::backoff)
        std::fprintf(stderr, "parley-dial-gateway: disconnected (%s); reconnecting\n", why.c_str());
    });
    cl_->on_event([self](const parley::client::answer& a) { self->on_event(a); });
    cl_->start();
  }

  void stop() { cl_->stop(); }
  const counters& counts() const { return n_; }
  bool idle_for(std::chrono::steady_clock::duration d) const {
    return n_.requests > 0 && calls_.empty() && std::chrono::steady_clock::now() - last_ >= d;
  }

private:
  struct call {
    std::uint64_t generation = 0;
    std::unique_ptr<asio::steady_timer> timer;
  };

  void offer_lines() {
    auto media = s_.media;
    auto lines = s_.lines;
    auto self = shared_from_this();
    cl_->request(
      [media, lines](parley::protocol::encoder& e, std::uint64_t ref) {
        auto& fbb = e.start();
        return e.finish(ref, parley::wire::CreateRegisterDialGateway(
                               fbb, fbb.CreateVectorOfStrings(media), lines));
      },
      [self](parley::client::answer a) {
        if (a.ok())
          return;
        std::fprintf(stderr, "parley-dial-gateway: lines refused: %s\n", a.error_text().c_str());
        ++self->n_.errors;
      });
  }

  void report(std::uint64_t id, CallEvent e) {
    ++n_.reports;
    auto self = shared_from_this();
    cl_->request(
      [id, e](parley::protocol::encoder& enc, std::uint64_t ref) {
        return enc.finish(ref, parley::wire::CreateCallProgress(enc.start(), id, e));
      },
      [self](parley::client::answer a) {
        if (a.ok())
          ++self->n_.acked;
        else if (a.error_code() == parley::wire::ErrorCode::unknown_id)
          ++self->n_.unknown;  // the engine ended the call while the report travelled
        else
          ++self->n_.errors;
      });
  }

  /// Runs `e` on call `id` after `d`, unless the call ended (or was hung up) meanwhile.
  void later(std::uint64_t id, std::chrono::steady_clock::duration d, CallEvent e) {
    auto& c = calls_[id];
    auto gen = c.generation;
    if (!c.timer)
      c.timer = std::make_unique<asio::steady_timer>(io_);
    c.timer->expires_after(d);
    auto self = shared_from_this();
    c.timer->async_wait([self, id, gen, e](const boost::system::error_code& ec) {
      if (!ec)
        self->fire(id, gen, e);
    });
  }

  void fire(std::uint64_t id, std::uint64_t gen, CallEvent e) {
    auto it = calls_.find(id);
    if (it == calls_.end() || it->second.generation != gen)
      return;
    last_ = std::chrono::steady_clock::now();
    report(id, e);
    if (e == CallEvent::answered || e == CallEvent::answered_machine) {
      ++n_.outcomes[e];
      std::exponential_distribution<double> talk{1.0 / std::max(1.0, s_.talk_ms)};
      later(id, std::chrono::microseconds{static_cast<std::int64_t>(talk(rng_) * 1000)},
            CallEvent::ended);
      return;
    }
    ++n_.outcomes[e];
    calls_.erase(it);
  }

  void on_event(const parley::client::answer& a) {
    if (auto* d = a.as<parley::wire::DialRequest>()) {
      ++n_.requests;
      last_ = std::chrono::steady_clock::now();
      auto id = d->call_id();
      auto& c = calls_[id];
      ++c.generation;
      auto media = d->media() ? d->media()->str() : std::string{};
      if (media == "sms" || media == "email") {  // one final event after a ring-like delay
        auto ms = std::uniform_real_distribution<double>{0.5, 1.5}(rng_) * s_.ring_ms;
        later(id, std::chrono::microseconds{static_cast<std::int64_t>(ms * 1000)},
              message_events_[pick_message_(rng_)]);
        return;
      }
      auto e = events_[pick_(rng_)];
      if (e == CallEvent::failed) {
        fire(id, c.generation, e);
        return;
      }
      report(id, CallEvent::ringing);
      double ms = 0;
      if (e == CallEvent::no_answer)
        ms = s_.no_answer_ms > 0 ? s_.no_answer_ms : double(d->timeout_ms());
      else
        ms = std::uniform_real_distribution<double>{0.5, 1.5}(rng_) * s_.ring_ms;
      later(id, std::chrono::microseconds{static_cast<std::int64_t>(ms * 1000)}, e);
    } else if (auto* h = a.as<parley::wire::DialHangup>()) {
      if (calls_.erase(h->call_id()))
        ++n_.hung_up;
    }
  }

  asio::io_context& io_;
  settings s_;
  std::mt19937_64 rng_;
  std::vector<CallEvent> events_, message_events_;
  std::discrete_distribution<std::size_t> pick_, pick_message_;
  std::shared_ptr<parley::client::client> cl_;
  std::unordered_map<std::uint64_t, call> calls_;
  counters n_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

/// "name=share,..." into `out`, every name one of `names`; false (and why, on stderr) if not.
bool parse_mix(const char* option, const std::string& text,
               const std::map<std::string, CallEvent>& names, std::map<std::string, double>& out) {
  out.clear();
  for (std::size_t at = 0; at <= text.size();) {
    auto end = std::min(text.find(',', at), text.size());
    auto part = text.substr(at, end - at);
    auto eq = part.find('=');
    auto name = part.substr(0, eq);
    double share = -1;
    try {
      if (eq != std::string::npos)
        share = std::stod(part.substr(eq + 1));
    } catch (const std::exception&) {
    }
    if (!names.count(name) || !(share >= 0)) {
      std::fprintf(stderr, "parley-dial-gateway: %s: \"%s\" is not outcome=share\n", option,
                   part.c_str());
      return false;
    }
    out[name] = share;
    at = end + 1;
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"parley-dial-gateway: an external dialing gateway on a simulated network"};
  std::string mix = "busy=0.5,no_answer=0.5", message_mix = "delivered=1";
  app.add_option("--host", s.host, "engine host")->capture_default_str();
  app.add_option("--port", s.port, "the engine's interaction port")->capture_default_str();
  app.add_option("--name", s.name, "client name")->capture_default_str();
  app.add_option("--credential", s.credential, "auth.dial_gateway token");
  app.add_option("--media", s.media, "media it dials")->delimiter(',')->capture_default_str();
  app.add_option("--lines", s.lines, "simultaneous calls")
    ->check(CLI::Range(0u, 100'000u))->capture_default_str();
  app.add_option("--mix", mix, "outcome shares: answered, answered_machine, busy, no_answer, "
                               "fax, sit, dropped, failed")->capture_default_str();
  app.add_option("--message-mix", message_mix, "sms and email outcome shares: delivered, "
                                               "undeliverable, opted_out, failed")->capture_default_str();
  app.add_option("--ring-ms", s.ring_ms, "mean ring time to an outcome")
    ->check(CLI::Range(0.0, 600'000.0))->capture_default_str();
  app.add_option("--no-answer-ms", s.no_answer_ms, "no answer after this (0: the request's "
                                                   "timeout_ms)")->capture_default_str();
  app.add_option("--talk-ms", s.talk_ms, "mean talk time of answered calls")->capture_default_str();
  app.add_option("--seed", s.seed, "seed of the network")->capture_default_str();
  app.add_option("--duration-s", s.duration_s, "stop after this")
    ->check(CLI::Range(0.1, 86'400.0))->capture_default_str();
  app.add_option("--idle-exit-s", s.idle_exit_s, "stop after this long without a call, once it "
                                                 "had one (0: never)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (!parse_mix("--mix", mix, outcome_names, s.mix)
      || !parse_mix("--message-mix", message_mix, message_outcome_names, s.message_mix))
    return 2;

  parley::client::io_thread io;
  auto gw = std::make_shared<gateway>(io.context(), s);
  asio::post(io.context(), [gw] { gw->start(); });
  auto until = std::chrono::steady_clock::now()
               + std::chrono::milliseconds{static_cast<std::int64_t>(s.duration_s * 1000)};
  auto idle = std::chrono::milliseconds{static_cast<std::int64_t>(s.idle_exit_s * 1000)};
  for (;;) {
    std::this_thread::sleep_for(50ms);
    if (std::chrono::steady_clock::now() >= until)
      break;
    if (s.idle_exit_s > 0) {
      std::promise<bool> p;
      asio::post(io.context(), [&] { p.set_value(gw->idle_for(idle)); });
      if (p.get_future().get())
        break;
    }
  }
  std::promise<counters> done;
  asio::post(io.context(), [&] {
    gw->stop();
    done.set_value(gw->counts());
  });
  auto n = done.get_future().get();
  std::printf("requests %llu reports %llu acked %llu unknown %llu errors %llu hung_up %llu",
              (unsigned long long)n.requests, (unsigned long long)n.reports,
              (unsigned long long)n.acked, (unsigned long long)n.unknown,
              (unsigned long long)n.errors, (unsigned long long)n.hung_up);
  for (auto& [e, k] : n.outcomes)
    std::printf(" %s %llu", parley::wire::EnumNameCallEvent(e), (unsigned long long)k);
  std::printf("\n");
  std::fflush(stdout);
  return n.errors == 0 ? 0 : 1;
}
