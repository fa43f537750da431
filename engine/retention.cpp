#include "engine/retention.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <memory>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/record_fields.hpp"
#include "actors/runtime/redis_link.hpp"
#include "actors/runtime/types.hpp"
#include "engine/stream_export.hpp"
#include "storage/store.hpp"

namespace parley::engine {

namespace {

constexpr std::int64_t day_ms = 24 * 60 * 60 * 1000;

/// `days` before `now_ms`, down to its UTC day's start; 0 when kept forever.
std::int64_t cut_of(std::int64_t now_ms, std::uint32_t days) {
  if (days == 0)
    return 0;
  auto t = now_ms - std::int64_t{days} * day_ms;
  return t > 0 ? t / day_ms * day_ms : 0;
}

struct retention_family_row {
  storage::retention_family family;
  const char* name;
  std::int64_t storage::retention_cut::*before;
};

constexpr std::array<retention_family_row, 5> retention_families{{
  {storage::retention_family::events, "event(s)", &storage::retention_cut::events_ms},
  {storage::retention_family::vq_events, "VQ event(s)", &storage::retention_cut::events_ms},
  {storage::retention_family::facts, "fact(s)", &storage::retention_cut::facts_ms},
  {storage::retention_family::outbound, "attempt row(s) and denial(s)", &storage::retention_cut::outbound_ms},
  {storage::retention_family::aggregates, "aggregate row(s)", &storage::retention_cut::aggregates_ms},
}};

struct retention_run {
  caf::actor to;
  config cfg;
  std::int64_t now_ms = 0;
  std::unique_ptr<storage::store> store;
  storage::retention_cut cut;
  std::size_t family = 0;  ///< retention_families[family] is being deleted
  std::array<std::uint64_t, retention_families.size()> deleted{};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

std::string retention_summary(const retention_run& run) {
  std::string out;
  for (std::size_t i = 0; i < retention_families.size(); ++i) {
    auto& f = retention_families[i];
    auto before = run.cut.*f.before;
    out += (out.empty() ? "" : ", ") + std::to_string(run.deleted[i]) + " " + f.name
           + (before ? " before " + outbound::utc_time(before).substr(0, 10) : " (kept forever)");
  }
  auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - run.started).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", s);
  return "retention: deleted " + out + " in " + took + " s\n";
}

/// The last event of `log` the export has appended to Redis Streams; 0 (no event goes this
/// time) when Redis cannot say.
std::uint64_t exported(const config& cfg, export_log log) {
  try {
    runtime::redis_link redis{cfg.redis.host, cfg.redis.port};
    auto r = redis.command({"GET", export_watermark_key(cfg.streams.prefix, log)});
    return r.type == runtime::redis_reply::kind::string ? std::stoull(r.str) : 0;
  } catch (const std::exception& e) {
    spdlog::warn("retention: the stream export's watermark is unknown ({}): the {} log keeps every event "
                 "this time",
                 e.what(), to_string(log));
    return 0;
  }
}

} // namespace

std::int64_t compliance_reach_ms(const config& cfg) {
  std::int64_t reach = 31 * day_ms;
  for (auto& c : cfg.domain.outbound.campaigns)
    reach = std::max({reach, std::chrono::milliseconds{c.abandon_window}.count(),
                      std::chrono::milliseconds{c.rules.record_period}.count(),
                      std::chrono::milliseconds{c.rules.customer_period}.count()});
  return reach;
}

storage::retention_cut retention_cut_at(const config& cfg, std::int64_t now_ms, std::uint64_t watermark) {
  auto& r = cfg.reporting;
  storage::retention_cut cut;
  cut.events_ms = cut_of(now_ms, r.events_days);
  cut.events_seq = r.enabled ? watermark : std::numeric_limits<std::uint64_t>::max();
  cut.facts_ms = cut_of(now_ms, r.facts_days);
  if (cut.facts_ms > 0) {
    auto reach = now_ms - compliance_reach_ms(cfg);
    cut.outbound_ms = std::min(cut.facts_ms, reach > 0 ? reach / day_ms * day_ms : 0);
  }
  cut.aggregates_ms = cut_of(now_ms, r.aggregates_days);
  return cut;
}

caf::actor start_retention(caf::actor_system& sys, const caf::actor& to, const config& cfg, std::int64_t now_ms) {
  auto run = std::make_shared<retention_run>();
  run->to = to;
  run->cfg = cfg;
  run->now_ms = now_ms;
  return sys.spawn<caf::detached>([run](caf::event_based_actor* self) -> caf::behavior {
    self->monitor(run->to);
    self->set_down_handler([self](caf::down_msg&) {
      spdlog::info("retention: stopped: whom it reports to is gone (the next run goes on from here)");
      self->quit();
    });
    auto fail = [self, run](const std::string& why) {
      spdlog::warn("retention: {}", why);
      self->send(run->to, import_atom_v, "error: retention: " + why + "\n");
      self->quit();
    };
    try {
      run->store = storage::open_store(store_config(run->cfg));
      run->cut = retention_cut_at(run->cfg, run->now_ms, run->store->reporting().watermark().first);
      if (run->cfg.streams.export_events) {
        run->cut.events_seq = std::min(run->cut.events_seq, exported(run->cfg, export_log::events));
        run->cut.vq_seq = exported(run->cfg, export_log::vq);
      }
    } catch (const std::exception& e) {
      fail(e.what());
      return {};
    }
    self->send(self, caf::tick_atom_v);
    return {
      [self, run, fail](caf::tick_atom) {
        auto& f = retention_families[run->family];
        std::size_t n = 0;
        try {
          n = run->store->reporting().purge(f.family, run->cut, retention_chunk_rows);
        } catch (const std::exception& e) {
          return fail(e.what());
        }
        run->deleted[run->family] += n;
        if (n < retention_chunk_rows) {  // this family is done
          if (run->cut.*f.before)
            self->send(run->to, progress_atom_v,
                       std::to_string(run->deleted[run->family]) + " " + f.name + " deleted\n");
          if (++run->family == retention_families.size()) {
            auto text = retention_summary(*run);
            spdlog::info("{}", text.substr(0, text.size() - 1));
            self->send(run->to, import_atom_v, text);
            return self->quit();
          }
        }
        self->send(self, caf::tick_atom_v);
      },
    };
  });
}

} // namespace parley::engine
