// ha_status: the console's and /metrics' view of an HA pair (engine/ha_status.hpp).
#include "engine/ha_status.hpp"

#include <chrono>

#include <date/date.h>

#include "engine/metrics/page.hpp"

namespace parley::engine {

std::string ha_status::describe() const {
  std::lock_guard lock{mx_};
  auto since = failover_ms.load();
  std::string when = "never";
  if (since > 0)
    when = date::format("%FT%TZ", date::floor<std::chrono::seconds>(
                                    std::chrono::system_clock::time_point{std::chrono::milliseconds{since}}));
  auto at = at_.host.empty() ? std::string{"-"}
                             : at_.host + ":" + std::to_string(at_.interaction) + " (vq "
                                 + std::to_string(at_.vq) + ", stat " + std::to_string(at_.stat) + ", http "
                                 + std::to_string(at_.http) + ")";
  return "node " + node + "\nrole " + (primary.load() ? "primary" : "backup") + "\nterm "
         + std::to_string(term.load()) + "\nprimary " + (holder_.empty() ? "-" : holder_) + " at " + at
         + "\nlast failover " + when + (previous_.empty() ? "" : " (from " + previous_ + ")")
         + "\npromotions " + std::to_string(promotions.load()) + ", demotions "
         + std::to_string(demotions.load()) + "\n";
}

void ha_part(page& p, const ha_status& s) {
  p.family("parley_ha_role", "gauge", "1 on the primary of the HA pair, 0 on the backup (label node: ha.node).");
  p.sample("parley_ha_role", label("node", s.node), s.primary.load() ? 1 : 0);
  p.single("parley_ha_term", "gauge", "The lease's fencing term as this node last saw it.",
           static_cast<double>(s.term.load()));
  p.single("parley_ha_last_failover_timestamp_seconds", "gauge",
           "When the current term began (Unix time; 0: no node was primary yet).",
           static_cast<double>(s.failover_ms.load()) / 1000.0);
  p.single("parley_ha_promotions_total", "counter", "Times this node became the primary.",
           static_cast<double>(s.promotions.load()));
  p.single("parley_ha_demotions_total", "counter",
           "Times this node stopped being the primary while running (lease lost or taken over).",
           static_cast<double>(s.demotions.load()));
}

} // namespace parley::engine
