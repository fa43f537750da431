// outbound_store: the outbound half of a store (store::outbound()): contact lists, their
// records and import history, suppression entries, compliance denials and dial attempts.
// Same rules as store.hpp: one thread at a time, every method throws storage_error on
// failure.
//
// Life of a record: insert_records() (ready) → lease() (retrieved, handed to a campaign in
// scheduled-time order) → update_records() (updated, with its result and next time) — or,
// when the engine stopped while a campaign held it, recover_stale() at start-up sets it
// ready again. Reads for export page by record id (records(list, after_id, limit)).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "storage/outbound_rows.hpp"

namespace parley::storage {

/// Rows a lease returned (RETURNING has no order) sorted as order_by(order) says.
inline void sort_leased(std::vector<record_row>& rows, lease_order order) {
  auto key = [order](const record_row& r) {
    switch (order) {
      case lease_order::fewest_attempts: return std::make_tuple(std::int64_t{r.attempts}, r.dial_sched_ms, r.id);
      case lease_order::list: return std::make_tuple(std::int64_t{0}, std::int64_t{0}, r.id);
      case lease_order::schedule: break;
    }
    return std::make_tuple(std::int64_t{0}, r.dial_sched_ms, r.id);
  };
  std::sort(rows.begin(), rows.end(), [&](auto& a, auto& b) { return key(a) < key(b); });
}

class outbound_store {
public:
  virtual ~outbound_store() = default;

  // -- lists --------------------------------------------------------------------------
  /// Creates an empty list; throws storage_error (not transient) when the name is taken.
  virtual list_row create_list(const std::string& name, std::int64_t now_ms) = 0;
  /// The list by name, with its record count.
  virtual std::optional<list_row> list(const std::string& name) = 0;
  /// Every list by name, with record counts.
  virtual std::vector<list_row> lists() = 0;
  /// Deletes the list, its records and its imports in one transaction (dial attempts and
  /// denials stay: they are compliance history). nullopt when there is no such list.
  virtual std::optional<list_deletion> delete_list(const std::string& name) = 0;

  // -- saved column mappings ----------------------------------------------------------
  /// Saves a mapping under its name, replacing one of that name; true when it was new.
  virtual bool save_mapping(const mapping_row& m) = 0;
  virtual std::optional<mapping_row> mapping(const std::string& name) = 0;
  /// Every saved mapping, by name.
  virtual std::vector<mapping_row> mappings() = 0;
  /// false when there was none of that name.
  virtual bool delete_mapping(const std::string& name) = 0;

  // -- imports ------------------------------------------------------------------------
  /// Records the start of an import (sets row.id) — unless row.appended is false and the
  /// list has an import of the same contents (row.sha256) that added records or has not
  /// finished: then nothing is recorded and that earlier import (the newest such) is
  /// returned. One transaction, serialized per list: two imports of one file cannot both
  /// pass.
  virtual std::optional<import_row> begin_import(import_row& row) = 0;
  /// Writes an import's end: rows, rejected, duplicates, finished_ms and error (by id;
  /// `imported` is counted by insert_records).
  virtual void finish_import(const import_row& row) = 0;
  /// The list's imports, newest first.
  virtual std::vector<import_row> imports(std::uint64_t list_id, std::size_t limit) = 0;
  /// Start-up: imports the last run left unfinished end at `now_ms` with an error saying
  /// so (their `imported` is exact). Returns how many.
  virtual std::uint64_t recover_imports(std::int64_t now_ms) = 0;

  // -- records ------------------------------------------------------------------------
  /// Appends records to a list in one transaction (ids are assigned; rows' id and list_id
  /// are ignored). Importers call it once per chunk, with their import's id: its
  /// `imported` count grows in the same transaction. Throws when the list is gone.
  virtual void insert_records(std::uint64_t list_id, const std::vector<record_row>& rows,
                              std::uint64_t import_id = 0) = 0;
  /// Calls `each` with the phone of every record of the list (any status), streamed.
  virtual void list_phones(std::uint64_t list_id,
                           const std::function<void(const std::string&)>& each) = 0;
  /// Up to `limit` records of the list with id > after_id, by id (export, paging).
  virtual std::vector<record_row> records(std::uint64_t list_id, std::uint64_t after_id,
                                          std::size_t limit) = 0;
  virtual std::uint64_t count_records(std::uint64_t list_id) = 0;
  /// Takes up to `n` ready records due at `now_ms` (dial_sched_ms <= now) — never no_call or
  /// unknown ones (undialable_types) — in `order`
  /// (default: earliest scheduled first) and marks them retrieved in the same transaction;
  /// returns them in that order. Two callers never get the same record.
  virtual std::vector<record_row> lease(std::uint64_t list_id, std::size_t n, std::int64_t now_ms,
                                        lease_order order = lease_order::schedule) = 0;
  /// Writes back status, result, attempts, scheduled and last call time, type, agent,
  /// custom fields and disposition (by id).
  virtual void update_records(const std::vector<record_row>& rows) = 0;
  /// "Next in chain": the ready record of the chain with the lowest position after
  /// `chain_n` becomes due at `now_ms`. False when the chain has no such record.
  virtual bool release_chain_next(std::uint64_t list_id, std::uint64_t chain_id,
                                  std::uint32_t chain_n, std::int64_t now_ms) = 0;
  /// A chain is done (a final result on one of its records): its other ready records are
  /// cancelled. Returns how many.
  virtual std::uint64_t close_chain(std::uint64_t list_id, std::uint64_t chain_id) = 0;
  /// Start-up: records left retrieved by the last run become ready again. Returns how many.
  virtual std::uint64_t recover_stale() = 0;

  // -- attempts -----------------------------------------------------------------------
  virtual void insert_attempts(const std::vector<attempt_row>& rows) = 0;
  /// Attempts on the record since `since_ms` (inclusive), oldest first.
  virtual std::vector<attempt_row> record_attempts(std::uint64_t record_id,
                                                   std::int64_t since_ms) = 0;
  /// Attempts on any record of the customer since `since_ms`, oldest first.
  virtual std::vector<attempt_row> customer_attempts(const std::string& customer_id,
                                                     std::int64_t since_ms) = 0;

  /// A campaign's answered calls (and of those, abandoned ones) per hour of their end, for
  /// result rows that ended at or after `since_ms`, oldest hour first.
  virtual std::vector<answer_hour> answer_hours(const std::string& campaign,
                                                std::int64_t since_ms) = 0;
  /// What a campaign's result rows that ended in [since_ms, until_ms) prove.
  virtual attempt_audit audit(const std::string& campaign, std::int64_t since_ms,
                              std::int64_t until_ms) = 0;

  /// Whether the list has a record a campaign could dial now, or later (list_remaining):
  /// a campaign sequence's step is over when its lists have neither.
  virtual list_remaining remaining(std::uint64_t list_id, std::int64_t now_ms) = 0;

  // -- suppression --------------------------------------------------------------------
  /// Adds entries (an existing kind/value is kept as it was). One transaction.
  virtual void add_suppression(const std::vector<suppression_row>& rows) = 0;
  /// Removes one entry; false when there was none.
  virtual bool remove_suppression(const std::string& kind, const std::string& value) = 0;
  /// Every entry (to load the in-process set at start-up).
  virtual std::vector<suppression_row> suppression() = 0;

  // -- compliance denials -------------------------------------------------------------
  virtual void insert_denials(const std::vector<denial_row>& rows) = 0;
  /// The newest `limit` denials, newest first.
  virtual std::vector<denial_row> denials(std::size_t limit) = 0;

  // -- the agents' record actions -----------------------------------------------------
  virtual void insert_record_actions(const std::vector<record_action_row>& rows) = 0;
  /// A campaign's last `limit` actions, newest first.
  virtual std::vector<record_action_row> record_actions(const std::string& campaign,
                                                        std::size_t limit) = 0;
};

} // namespace parley::storage
