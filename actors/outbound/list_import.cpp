#include "actors/outbound/list_import.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

#include "actors/outbound/csv_reader.hpp"
#include "actors/outbound/import_guard.hpp"
#include "actors/outbound/record_fields.hpp"
#include "storage/store.hpp"

namespace parley::outbound {

namespace {

/// UTF-8 without NUL: what both backends store as text and jsonb.
bool valid_text(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0)
      return false;
    std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
    if (n == 9 || (n > 0 && i + n >= s.size()))
      return false;
    for (std::size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2)
        return false;
    i += n + 1;
  }
  return true;
}

/// Where each field's column is in the header (-1: not there).
struct layout {
  std::map<std::string, int> field_at;
  std::vector<bool> custom;  // per column: goes into the custom JSON
  std::vector<std::string> header;

  int at(const std::string& field) const {
    auto it = field_at.find(field);
    return it == field_at.end() ? -1 : it->second;
  }
};

std::string make_layout(const std::vector<std::string>& header, const import_options& opt,
                        layout& out) {
  out.header = header;
  out.custom.assign(header.size(), true);
  auto index = [&](const std::string& name) -> int {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name)
        return static_cast<int>(i);
    return -1;
  };
  for (auto& [field, column] : opt.mapping)
    if (index(column) < 0)
      return "the mapping names column \"" + column + "\" for " + field
             + ", but the header has no such column";
  for (auto& field : mappable_fields()) {
    auto it = opt.mapping.find(field);
    int i = index(it == opt.mapping.end() ? field : it->second);
    if (i >= 0) {
      out.field_at[field] = i;
      out.custom[static_cast<std::size_t>(i)] = false;
    }
  }
  if (out.at("phone") < 0)
    return "no phone column: map one (e.g. phone=Phone Number) or name a column \"phone\"";
  if (out.at("tz") < 0 && opt.default_zone.empty())
    return "no time zone column: map one (e.g. tz=Zone) or configure "
           "outbound.default_timezone";
  return {};
}

/// One data row to a record, or why not ("field: reason").
std::string to_record(const std::vector<std::string>& f, const layout& l,
                      const import_options& opt, std::unordered_set<std::string>& zones,
                      storage::record_row& r) {
  for (auto& v : f)
    if (!valid_text(v))
      return "not valid UTF-8 text";
  auto get = [&](const char* field) -> std::optional<std::string> {
    auto i = l.at(field);
    if (i < 0 || f[static_cast<std::size_t>(i)].empty())
      return std::nullopt;
    return f[static_cast<std::size_t>(i)];
  };
  auto with = [](const char* field, std::string why) {
    return why.empty() ? why : std::string{field} + ": " + why;
  };
  std::string why;
  if (auto v = get("phone"))
    why = with("phone", parse_phone(*v, opt.default_prefix, r.phone));
  else
    why = "phone: empty";
  if (!why.empty())
    return why;
  auto zone = get("tz").value_or(opt.default_zone);
  if (zones.count(zone))
    r.tz = zone;
  else if (why = with("tz", parse_zone(zone, r.tz)); !why.empty())
    return why;
  else
    zones.insert(zone);
  std::uint64_t n = 0;
  auto number = [&](const char* field, std::uint64_t max, auto& into) {
    if (auto v = get(field); v && why.empty()) {
      why = with(field, parse_uint(*v, max, n));
      into = static_cast<std::remove_reference_t<decltype(into)>>(n);
    }
  };
  number("chain", INT64_MAX, r.chain_id);
  number("chain_n", UINT32_MAX, r.chain_n);
  number("attempts", UINT32_MAX, r.attempts);
  std::int64_t sched_s = 0, call_s = 0;
  number("sched", INT64_MAX / 1000, sched_s);
  number("call_time", INT64_MAX / 1000, call_s);
  r.dial_sched_ms = sched_s * 1000;
  r.call_time_ms = call_s * 1000;
  // A chain is dialed one number at a time: positions after the first wait until a
  // treatment says "next" (store::release_chain_next).
  if (r.chain_id != 0 && r.chain_n > 1 && r.dial_sched_ms == 0)
    r.dial_sched_ms = storage::chain_waiting_ms;
  auto parse = [&](const char* field, auto fn, auto& into) {
    if (auto v = get(field); v && why.empty())
      why = with(field, fn(*v, into));
  };
  parse("from", parse_day_seconds, r.daily_from_s);
  parse("till", parse_day_seconds, r.daily_till_s);
  parse("contact_type", parse_contact_info_type, r.contact_info_type);
  parse("record_type", parse_record_type, r.record_type);
  parse("status", parse_record_status, r.record_status);
  parse("result", parse_call_result, r.call_result);
  if (!why.empty())
    return why;
  if (r.daily_from_s > r.daily_till_s)
    return "from " + day_time(r.daily_from_s) + " is after till " + day_time(r.daily_till_s);
  if (auto v = get("customer"))
    r.customer_id = *v;
  if (auto v = get("agent"))
    r.agent = *v;
  if (auto v = get("disposition"))
    r.disposition = *v;
  if (storage::is_personal(r.record_type) && r.agent.empty())
    return std::string{"record_type "} + to_name(static_cast<storage::record_type>(r.record_type))
           + " needs the agent it is for (an agent column)";
  std::string custom = "{";
  for (std::size_t i = 0; i < f.size(); ++i)
    if (l.custom[i] && !f[i].empty())
      custom += (custom.size() > 1 ? "," : "") + json_string(l.header[i]) + ":" + json_string(f[i]);
  r.custom = custom + "}";
  return {};
}

} // namespace

const std::vector<std::string>& mappable_fields() {
  static const std::vector<std::string> all{
    "phone", "tz", "customer", "chain", "chain_n", "from", "till", "contact_type",
    "record_type", "status", "result", "attempts", "sched", "call_time", "agent", "disposition"};
  return all;
}

std::map<std::string, std::string> parse_mapping(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in{text};
  std::string pair;
  while (std::getline(in, pair, ',')) {
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    pair = trim(pair);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("mapping \"" + pair + "\" is not field=Column");
    auto field = trim(pair.substr(0, eq));
    auto column = trim(pair.substr(eq + 1));
    bool known = false;
    for (auto& f : mappable_fields())
      known = known || f == field;
    if (!known) {
      std::string all;
      for (auto& f : mappable_fields())
        all += (all.empty() ? "" : ", ") + f;
      throw std::invalid_argument("mapping: \"" + field + "\" is not a record field (" + all + ")");
    }
    if (column.empty())
      throw std::invalid_argument("mapping: no column named for " + field);
    out[field] = column;
  }
  return out;
}

std::string mapping_text(const std::map<std::string, std::string>& m) {
  std::string out;
  for (auto& [field, column] : m) {
    if (column.empty() || column.find(',') != std::string::npos || column.front() == ' ' || column.back() == ' ')
      throw std::invalid_argument("mapping: column \"" + column + "\" for " + field
                                  + " cannot be mapped (empty, a comma, or blanks at either end)");
    out += (out.empty() ? "" : ",") + field + "=" + column;
  }
  if (parse_mapping(out) != m)  // names an unknown field (parse_mapping says which)
    throw std::invalid_argument("mapping: not a mapping of record fields");
  return out;
}

std::map<std::string, std::string> resolve_mapping(storage::outbound_store& o, const std::string& saved,
                                                   const std::string& text) {
  std::map<std::string, std::string> out;
  if (!saved.empty()) {
    auto m = o.mapping(saved);
    if (!m)
      throw std::invalid_argument("no saved mapping named \"" + saved + "\"");
    out = parse_mapping(m->mapping);
  }
  for (auto& [field, column] : parse_mapping(text))
    out[field] = column;
  return out;
}

std::string import_result::summary(const std::string& list) const {
  std::ostringstream o;
  if (!ok())
    o << "error: " << error << "\n";
  if (refused())
    return o.str();
  o << "list " << list << (created ? " (new)" : "") << ": " << rows << " row(s) read, "
    << imported << " imported, " << rejected << " rejected";
  if (dedupe)
    o << ", " << duplicates << " duplicate(s) skipped";
  o << "\n";
  for (auto& e : errors)
    o << "  line " << e.line << ": " << e.reason << "\n";
  if (rejected > errors.size())
    o << "  (" << rejected - errors.size() << " more rejected row(s) not listed)\n";
  return o.str();
}

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Why a second import of the same contents is refused, naming the first.
std::string refusal(const std::string& list, const storage::import_row& e) {
  std::string what = "list " + list + " has these contents already: " + e.file + " ";
  if (!e.finished())
    what += "began importing at " + utc_time(e.started_ms) + " and has not finished (still "
            "running; after a crash, restart the engine and see show lists)";
  else
    what += "was imported at " + utc_time(e.started_ms) + " (" + std::to_string(e.imported)
            + " record(s) added" + (e.error.empty() ? "" : "; it stopped early: " + e.error) + ")";
  return what + "; nothing imported. To import it again say --append (with --dedupe to "
                "skip the phones the list has)";
}

} // namespace

import_result import_csv(storage::outbound_store& store, const std::string& list,
                         std::istream& in, const import_options& opt, std::int64_t now_ms,
                         const import_progress& progress) {
  import_result res;
  res.dedupe = opt.dedupe;
  std::string digest;
  if (auto why = content_digest(in, digest); !why.empty()) {
    res.error = why;
    return res;
  }
  csv_reader reader{in, opt.separator};
  std::vector<std::string> fields;
  if (!reader.next(fields)) {
    res.error = "the file is empty (a header line is required)";
    return res;
  }
  layout l;
  if (auto why = make_layout(fields, opt, l); !why.empty()) {
    res.error = "line " + std::to_string(reader.line()) + ": " + why;
    return res;
  }
  storage::import_row imp;
  try {
    if (auto existing = store.list(list)) {
      res.list_id = existing->id;
    } else {
      res.list_id = store.create_list(list, now_ms).id;
      res.created = true;
    }
    imp.list_id = res.list_id;
    imp.sha256 = digest;
    imp.file = opt.file;
    imp.appended = opt.append;
    imp.deduped = opt.dedupe;
    imp.started_ms = now_ms;
    if (auto earlier = store.begin_import(imp)) {
      res.error = refusal(list, *earlier);
      res.earlier = std::move(earlier);
      return res;
    }
    res.import_id = imp.id;
    phone_set seen;
    if (opt.dedupe)
      store.list_phones(res.list_id, [&](const std::string& phone) { seen.insert(phone); });
    std::unordered_set<std::string> zones;
    std::vector<storage::record_row> chunk;
    chunk.reserve(opt.chunk_rows);
    auto flush = [&] {
      store.insert_records(res.list_id, chunk, imp.id);
      res.imported += chunk.size();
      chunk.clear();
    };
    auto reject = [&](std::string why) {
      ++res.rejected;
      if (res.errors.size() < opt.max_errors)
        res.errors.push_back({reader.line(), std::move(why)});
    };
    while (reader.next(fields)) {
      ++res.rows;
      if (!reader.error().empty()) {
        reject(reader.error());
      } else if (fields.size() != l.header.size()) {
        reject(std::to_string(fields.size()) + " field(s), the header has "
               + std::to_string(l.header.size()));
      } else {
        storage::record_row r;
        if (auto why = to_record(fields, l, opt, zones, r); !why.empty())
          reject(std::move(why));
        else if (opt.dedupe && !seen.insert(r.phone))
          ++res.duplicates;
        else
          chunk.push_back(std::move(r));
      }
      if (chunk.size() >= opt.chunk_rows)
        flush();
      if (progress && opt.progress_every && res.rows % opt.progress_every == 0)
        progress(res.rows, res.imported);
    }
    if (!chunk.empty())
      flush();
  } catch (const storage::storage_error& e) {
    res.error = std::string{"storage: "} + e.what() + " (" + std::to_string(res.imported)
                + " row(s) were committed before it)";
  }
  if (imp.id != 0) {
    imp.rows = res.rows;
    imp.rejected = res.rejected;
    imp.duplicates = res.duplicates;
    imp.finished_ms = std::max(now_ms + 1, wall_ms());
    imp.error = res.error;
    try {
      store.finish_import(imp);
    } catch (const storage::storage_error&) {
      // The database is failing (said above, or next time): the row stays unfinished until
      // the engine's next start marks it interrupted — its record count is exact anyway.
    }
  }
  return res;
}

std::uint64_t export_csv(storage::outbound_store& store, std::uint64_t list_id, std::ostream& out) {
  out << "record_id,phone,tz,customer,chain,chain_n,from,till,contact_type,record_type,status,"
         "result,attempts,sched,call_time,agent,disposition,custom\n";
  std::uint64_t n = 0;
  std::uint64_t after = 0;
  for (;;) {
    auto page = store.records(list_id, after, 10'000);
    if (page.empty())
      return n;
    for (auto& r : page) {
      out << r.id << ',' << r.phone << ',' << csv_field(r.tz) << ',' << csv_field(r.customer_id)
          << ',' << r.chain_id << ',' << r.chain_n << ',' << day_time(r.daily_from_s) << ','
          << day_time(r.daily_till_s) << ','
          << to_name(static_cast<storage::contact_info_type>(r.contact_info_type)) << ','
          << to_name(static_cast<storage::record_type>(r.record_type)) << ','
          << to_name(static_cast<storage::record_status>(r.record_status)) << ','
          << to_name(static_cast<storage::call_result>(r.call_result)) << ',' << r.attempts
          << ',' << r.dial_sched_ms / 1000 << ',' << r.call_time_ms / 1000 << ','
          << csv_field(r.agent) << ',' << csv_field(r.disposition) << ',' << csv_field(r.custom)
          << '\n';
      after = r.id;
      ++n;
    }
  }
}

} // namespace parley::outbound
