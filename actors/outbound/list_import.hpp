// list_import: CSV into a contact list, and a list back out as CSV (no CAF; blocking — run
// it on a thread of its own or in a detached actor, never in a scheduled actor).
//
// Import: the first record is the header. A column mapping says which column holds which
// record field ("phone=Phone Number,tz=Zone,customer=CustID"); a field not mapped is taken
// from the column of the same name when there is one; every other column goes into the
// record's custom JSON under its header name. Each row is validated (E.164 phone, a zone the
// tz database knows, windows within the day, numbers that parse, enum names) and either
// imported or rejected with its line number and reason — never all-or-nothing: good rows are
// written in chunks of `chunk_rows`, one transaction each. A storage failure stops the import
// and says how many rows were committed before it.
//
// Every import that gets past the header is recorded (outbound_store::begin_import): the
// file's SHA-256, its name, rows read/imported/rejected/duplicate, start and end. The same
// contents again into the same list are refused — nothing is read past the header — unless
// `append` is set. With `dedupe`, a row whose phone the list holds already (any status), or
// an earlier row of the file had, is skipped and counted as a duplicate, not an error.
// docs/outbound.md ("The import format") is the operator's description of all this.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "storage/outbound_store.hpp"

namespace parley::outbound {

/// The record fields a column can be mapped to.
const std::vector<std::string>& mappable_fields();

/// Parses "field=Header,field=Header"; throws std::invalid_argument naming an unknown field
/// or a malformed pair. Header names may hold blanks.
std::map<std::string, std::string> parse_mapping(const std::string& text);

/// The "field=Header,..." text parse_mapping reads back as `m`; throws std::invalid_argument
/// for an unknown field, or a header with a comma or blanks at either end (the text cannot
/// hold them).
std::string mapping_text(const std::map<std::string, std::string>& m);

/// The mapping an import uses: the pairs of the mapping saved as `saved` (none when ""), with
/// the pairs of `text` over them. Throws std::invalid_argument when no mapping is saved under
/// that name or `text` is not a mapping.
std::map<std::string, std::string> resolve_mapping(storage::outbound_store& o, const std::string& saved,
                                                   const std::string& text);

struct import_options {
  std::map<std::string, std::string> mapping;  ///< field -> header name
  std::string default_prefix;   ///< for numbers without a country code ("" = required)
  std::string default_zone;     ///< for rows without a zone ("" = required)
  std::size_t chunk_rows = 10'000;
  std::size_t max_errors = 20;  ///< rejected rows listed in the result (all are counted)
  std::size_t progress_every = 100'000;
  char separator = ',';
  std::string file;     ///< the file's name as the operator gave it (for the history)
  bool append = false;  ///< import even when the list has these contents already
  bool dedupe = false;  ///< skip rows whose phone the list (or an earlier row) has
};

struct row_error {
  std::size_t line = 0;
  std::string reason;
};

struct import_result {
  std::string error;            ///< "" or why the import stopped (bad header, storage)
  std::uint64_t list_id = 0;
  bool created = false;         ///< the list was new
  std::uint64_t rows = 0;       ///< data rows read
  std::uint64_t imported = 0;   ///< committed
  std::uint64_t rejected = 0;
  std::uint64_t duplicates = 0;   ///< rows skipped by dedupe
  bool dedupe = false;            ///< dedupe was on (the summary counts duplicates)
  std::vector<row_error> errors;  ///< the first max_errors rejected rows
  std::uint64_t import_id = 0;    ///< its row in the list's import history (0: none)
  /// Set when the import was refused because the list has these contents already.
  std::optional<storage::import_row> earlier;

  bool ok() const { return error.empty(); }
  bool refused() const { return earlier.has_value(); }
  /// A few lines for operators: counts, then the listed errors.
  std::string summary(const std::string& list) const;
};

/// Called every `progress_every` rows with the rows read and imported so far.
using import_progress = std::function<void(std::uint64_t rows, std::uint64_t imported)>;

/// Imports into the list `list` (created when missing). `now_ms` stamps a new list and the
/// import's start. `in` is read twice (fingerprinted, then imported): it must be seekable.
import_result import_csv(storage::outbound_store& store, const std::string& list,
                         std::istream& in, const import_options& opt, std::int64_t now_ms,
                         const import_progress& progress = {});

/// Writes the list as CSV (a header, then one line per record in id order, with its
/// status, result and attempts; custom fields as one JSON column). Returns the rows written;
/// throws storage_error.
std::uint64_t export_csv(storage::outbound_store& store, std::uint64_t list_id, std::ostream& out);

} // namespace parley::outbound
