// The console's campaign sequences (`sequence start|stop|status NAME`, `show sequences`)
// and the job scheduler's entries (`schedule status|enable|disable`).
#include <caf/all.hpp>

#include "actors/outbound/record_fields.hpp"
#include "actors/outbound/scheduler_actor.hpp"
#include "actors/outbound/sequence_actor.hpp"
#include "engine/campaign_status.hpp"
#include "engine/console/console_state.hpp"

namespace parley::engine {

namespace {

constexpr const char* sequence_usage = "usage: sequence start NAME [STEP] | sequence stop|status NAME";

std::string sequence_line(const outbound::sequence_view& v) {
  auto out = "sequence " + v.name + " " + v.state + " step=" + std::to_string(v.step) + "/"
             + std::to_string(v.steps);
  if (v.step > 0) {
    out += " campaign=" + v.campaign + " until=" + v.until
           + " since=" + outbound::utc_time(v.since_ms);
    if (v.until_ms > 0)
      out += " until_time=" + outbound::utc_time(v.until_ms);
  }
  if (!v.note.empty())
    out += " note=\"" + v.note + "\"";
  return out + "\n";
}

} // namespace

void run_sequence(console_self self, const std::vector<std::string>& w, const std::string& line) {
  auto& env = *self->state.env;
  bool start = w.size() >= 3 && w[1] == "start";
  if (w.size() < 3 || w.size() > (start ? 4u : 3u)
      || (!start && w[1] != "stop" && w[1] != "status")) {
    fail(self, sequence_usage);
    return;
  }
  auto q = env.domain->sequence(w[2]);
  if (!q) {
    fail(self, "no sequence named " + w[2] + " (see show sequences)");
    return;
  }
  auto op = w[1];
  auto reply = replier(self, op == "status", line);
  auto ok = [=](const outbound::sequence_view& v) { reply(sequence_line(v)); };
  auto err = [=](caf::error& e) { reply("error: " + describe(e) + "\n"); };
  auto limit = env.domain->cfg->storage_timeout * 2;  // a start waits for its campaign's
  if (op == "status") {
    self->request(q, limit, sequence_atom_v, caf::get_atom_v).then(ok, err);
  } else if (op == "stop") {
    self->request(q, limit, sequence_atom_v, stop_atom_v).then(ok, err);
  } else {
    std::uint64_t step = 1;
    if (w.size() == 4 && (!outbound::parse_uint(w[3], 1000, step).empty() || step == 0)) {
      fail(self, std::string{sequence_usage} + " (STEP counts from 1)");
      return;
    }
    self->request(q, limit, sequence_atom_v, outbound::start_atom_v,
                  static_cast<std::uint32_t>(step - 1))
      .then(ok, err);
  }
}

void show_sequences(console_self self) {
  auto& env = *self->state.env;
  if (env.domain->sequences.empty()) {
    done(self, "no sequences configured\n");
    return;
  }
  gather_sequences(self, *env.domain, std::chrono::seconds{5}, [=](sequence_answers got) {
    std::string out;
    for (auto& [name, v] : got.views)
      out += sequence_line(v);
    for (auto& [name, e] : got.errors)
      out += "sequence " + name + " did not answer: " + describe(e) + "\n";
    done(self, out + std::to_string(got.views.size() + got.errors.size()) + " sequence(s)\n");
  });
}


void run_schedule(console_self self, const std::vector<std::string>& w, const std::string& line) {
  auto& env = *self->state.env;
  constexpr const char* usage = "usage: schedule status | schedule enable|disable N";
  bool status = w.size() == 2 && w[1] == "status";
  std::uint64_t index = 0;
  if (!status && (w.size() != 3 || (w[1] != "enable" && w[1] != "disable")
                  || !outbound::parse_uint(w[2], 1'000'000, index).empty())) {
    fail(self, usage);
    return;
  }
  auto& entries = env.domain->cfg->outbound.schedule;
  if (!env.scheduler) {
    fail(self, "no [[schedule]] entries configured");
    return;
  }
  auto entry_line = [entries](const outbound::schedule_status& s) {
    auto& e = entries.at(s.index);
    auto out = "schedule " + std::to_string(s.index) + " " + (s.enabled ? "enabled" : "disabled") + " \"" + e.cron
               + "\" " + e.zone + " " + outbound::describe_entry(e);
    out += " next=" + (s.next_ms ? outbound::utc_time(s.next_ms) : std::string{"-"});
    out += " last=" + (s.last_ms ? outbound::utc_time(s.last_ms) : std::string{"-"});
    if (!s.last.empty())
      out += " result=\"" + s.last + "\"";
    return out + "\n";
  };
  auto limit = std::chrono::seconds{5};
  if (status) {
    self->request(env.scheduler, limit, caf::get_atom_v)
      .then(
        [=](const std::vector<outbound::schedule_status>& all) {
          std::string out;
          for (auto& s : all)
            out += entry_line(s);
          done(self, out + std::to_string(all.size()) + " schedule entr" + (all.size() == 1 ? "y" : "ies") + "\n");
        },
        [=](caf::error& e) { fail(self, describe(e)); });
    return;
  }
  auto reply = replier(self, false, line);
  self->request(env.scheduler, limit, caf::put_atom_v, index, w[1] == "enable")
    .then([=](const outbound::schedule_status& s) { reply(entry_line(s)); },
          [=](caf::error& e) { reply("error: " + describe(e) + "\n"); });
}

} // namespace parley::engine
