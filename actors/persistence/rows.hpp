// rows: between actor state and storage rows. Properties and agent lists become JSON text
// (nlohmann/json): [{"k": key, "t": text} | {"k": key, "n": number}] and ["a1", "a2"].
#pragma once

#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/views.hpp"
#include "protocol/codec.hpp"
#include "storage/rows.hpp"

namespace parley {

storage::interaction_row to_row(const interaction_view& v, std::uint64_t queue_seq,
                                std::int64_t entered_ms);

/// The view a recovered interaction starts from. Throws std::invalid_argument on JSON that
/// does not parse (a database edited by hand).
interaction_view from_row(const storage::interaction_row& r);

storage::event_row to_event(const report& r, std::uint64_t seq, std::int64_t engine_ms);

/// An event's ReportingEvent frame (ref 0), as the 7120 stream sends it live and replayed.
frame event_frame(protocol::encoder& enc, const storage::event_row& e);
/// A VQ event's VqEvent frame (ref 0), as the 7122 stream sends it live and replayed.
frame vq_event_frame(protocol::encoder& enc, const storage::vq_event_row& e);

std::string properties_json(const property_list& props);
property_list properties_from_json(const std::string& text);

} // namespace parley
