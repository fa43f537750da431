// reporting_aggregation: internal to storage/ — the SQL of the 15-minute aggregates, one
// statement per table, in the two forms reporting_store.cpp runs (docs/reporting.md
// "Incremental and idempotent"): over the facts of one interval, or adding one batch.
#pragma once

#include <string>

namespace parley::storage {

struct agg_statements {
  std::string queue, agent, reason, campaign, campaign_result, campaign_denial;
  explicit agg_statements(bool batch);
};

/// Over the facts of one interval (?1 its start, ?2 its end); its rows deleted first.
const agg_statements& rebuild_statements();
/// Over the batch_* tables (?1, ?2 a time range holding them all), adding to the rows;
/// the campaign statements over the attempt and denial ids in (?1, ?2].
const agg_statements& batch_statements();

} // namespace parley::storage
