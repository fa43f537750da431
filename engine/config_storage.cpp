// The [storage] keys of the option table (config_options.hpp).
#include "engine/config_options.hpp"

namespace parley::engine::config_detail {

void add_storage_options(std::vector<option>& o) {
  constexpr std::int64_t minute_ms = 60'000;
  o.push_back(choice("storage.backend", {"sqlite", "postgresql"},
                     [](config& c) -> auto& { return c.storage.backend; },
                     "\"sqlite\" (embedded, a file under engine.data_dir) or \"postgresql\""));
  o.push_back(text("storage.path", [](config& c) -> auto& { return c.storage.path; }, any_text,
                   "SQLite database file; empty = <engine.data_dir>/parley.db"));
  o.push_back(choice("storage.synchronous", {"full", "normal"},
                     [](config& c) -> auto& { return c.storage.synchronous; },
                     "SQLite: \"full\" syncs every commit (survives power loss); \"normal\" "
                     "survives a process crash only"));
  o.push_back(text("storage.dsn", [](config& c) -> auto& { return c.storage.dsn; }, non_empty,
                   "PostgreSQL connection string (libpq), e.g. \"host=127.0.0.1 dbname=parley "
                   "user=parley password=...\""));
  o.push_back(integer("storage.connect_timeout_s", 1, 300,
                      [](config& c) -> auto& { return c.storage.connect_timeout_s; },
                      "PostgreSQL connection timeout, and how long start-up waits for another "
                      "parleyd to let go of the database (seconds)"));
  o.push_back(choice("storage.durability", {"commit", "async"},
                     [](config& c) -> auto& { return c.storage.durability; },
                     "\"commit\": a request is acknowledged after its change is committed; "
                     "\"async\": at once (a crash may lose the last uncommitted batch)"));
  o.push_back(integer("storage.batch_size", 1, 100'000,
                      [](config& c) -> auto& { return c.storage.batch_size; },
                      "rows written in one transaction at most"));
  o.push_back(duration_ms("storage.batch_delay_ms", 0, minute_ms,
                          [](config& c) -> auto& { return c.storage.batch_delay; },
                          "how long the first buffered row may wait for others; 0 = write as "
                          "soon as the writer is free (group commit still batches)"));
  o.push_back(integer("storage.max_pending", 100, 100'000'000,
                      [](config& c) -> auto& { return c.storage.max_pending; },
                      "buffered uncommitted rows at which new submits and changes are refused "
                      "(storage_unavailable)"));
  o.push_back(duration_ms("storage.retry_min_ms", 1, minute_ms,
                          [](config& c) -> auto& { return c.storage.retry_min; },
                          "first retry delay after a failed write (doubles each time)"));
  o.push_back(duration_ms("storage.retry_max_ms", 1, 10 * minute_ms,
                          [](config& c) -> auto& { return c.storage.retry_max; },
                          "longest retry delay"));
  o.push_back(flag("storage.shed_events", [](config& c) -> auto& { return c.storage.shed_events; },
                   "drop reporting events (counted in parley_storage_events_shed_total) rather "
                   "than buffer them past storage.max_pending; interactions are never dropped"));
  o.push_back(integer("storage.dedupe_retained", 0, 100'000'000,
                      [](config& c) -> auto& { return c.storage.dedupe_retained; },
                      "stopped interactions remembered by external id, so a late resubmit "
                      "finds them instead of creating a duplicate"));
}

} // namespace parley::engine::config_detail
