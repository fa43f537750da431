// pg_copy: rows in PostgreSQL's COPY text format (tab-separated, backslash escapes), one
// line per row, columns in table order. Used by the PostgreSQL backend and by parley-bench's
// raw-COPY reference, so both send exactly the same bytes.
#pragma once

#include <string>
#include <vector>

#include "storage/outbound_rows.hpp"
#include "storage/rows.hpp"

namespace parley::storage {

void copy_events(std::string& out, const std::vector<event_row>& rows);
void copy_vq_events(std::string& out, const std::vector<vq_event_row>& rows);
void copy_interactions(std::string& out, const std::vector<interaction_row>& rows);
void copy_sessions(std::string& out, const std::vector<agent_session_row>& rows);
/// Records without their id (the table assigns it), for `COPY records (record_copy_columns)`.
void copy_records(std::string& out, std::uint64_t list_id, const std::vector<record_row>& rows);
extern const char* const record_copy_columns;
/// Attempt and denial rows without their id, for `COPY attempts (attempt_copy_columns)` and
/// `COPY denials (denial_copy_columns)`.
void copy_attempts(std::string& out, const std::vector<attempt_row>& rows);
extern const char* const attempt_copy_columns;
void copy_denials(std::string& out, const std::vector<denial_row>& rows);
extern const char* const denial_copy_columns;

} // namespace parley::storage
