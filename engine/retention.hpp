// retention: what the history keeps (docs/reporting.md "Retention") — the raw event log,
// the facts (with the attempt log and the denials) and the aggregates each for their
// reporting.*_days — and the job that deletes the rest. A [[schedule]] entry with
// action = "retention" (reporting.retention_cron's when none is configured) starts the job;
// the console's `report retention` runs it now. The job runs in a detached actor with its
// own store connection and deletes in chunks of a few thousand rows, one short transaction
// each, so the engine's writers wait for it at most one chunk at a time. It sends
// (progress_atom, line) to `to` as each family is done and (import_atom, answer) at the end
// ("error: ..." when it failed), then quits; it quits at once when `to` goes away (the next
// run goes on where it stopped: every chunk is committed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <caf/fwd.hpp>

#include "engine/config.hpp"
#include "storage/reporting_store.hpp"

namespace parley::engine {

/// Rows a retention job deletes per transaction: a chunk takes tens of milliseconds on
/// either backend (docs/benchmarks.md, parley-bench history).
inline constexpr std::size_t retention_chunk_rows = 5'000;

/// How long compliance reads the attempt log back: the longest abandon-rate window or
/// attempt-cap period of any configured campaign, and never less than 31 days (the FTC's
/// 30-day abandon window, and a campaign removed from the config may come back).
std::int64_t compliance_reach_ms(const config& cfg);

/// What a retention run at `now_ms` deletes: each family's cut on a UTC day boundary,
/// attempt rows never within compliance_reach_ms, events never past `watermark` (the fact
/// writer's; ignored when reporting is off).
storage::retention_cut retention_cut_at(const config& cfg, std::int64_t now_ms, std::uint64_t watermark);

/// Starts a retention run at domain time `now_ms` (see above); the job.
caf::actor start_retention(caf::actor_system& sys, const caf::actor& to, const config& cfg, std::int64_t now_ms);

} // namespace parley::engine
