#include "bench/parley_bench/report.hpp"

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "protocol/wire.hpp"

namespace parley::bench {

// -- error_counts ---------------------------------------------------------------------

void error_counts::note(const std::string& why) {
  std::lock_guard lock{mx_};
  if (first_.empty())
    first_ = why;
}

void error_counts::record(const client::answer& a) {
  using client::status;
  switch (a.transport()) {
    case status::ok:
      break;
    case status::disconnected:
    case status::stopped:
      // After `closing` these are the requests the benchmark's own stop cut short.
      if (closing)
        return;
      (a.transport() == status::stopped ? stopped_ : disconnected_)
        .fetch_add(1, std::memory_order_relaxed);
      note(a.error_text());
      return;
    case status::timeout:
      timeout_.fetch_add(1, std::memory_order_relaxed);
      note(a.error_text());
      return;
  }
  auto code = a.error_code();
  if (code != wire::ErrorCode::none) {
    engine_[static_cast<std::uint8_t>(code)].fetch_add(1, std::memory_order_relaxed);
    note(a.error_text());
  } else {
    record_other("unexpected_answer",
                 std::string{"unexpected answer "} + wire::EnumNameMessage(a.type()));
  }
}

void error_counts::record_disconnect(const std::string& why) {
  if (closing)
    return;
  lost_.fetch_add(1, std::memory_order_relaxed);
  note("connection lost: " + why);
}

void error_counts::record_other(const std::string& kind, const std::string& why) {
  note(why);
  std::lock_guard lock{mx_};
  for (auto& [k, n] : other_)
    if (k == kind) {
      ++n;
      return;
    }
  other_.emplace_back(kind, 1);
}

std::vector<std::pair<std::string, std::uint64_t>> error_counts::by_kind() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (std::size_t i = 0; i < engine_.size(); ++i)
    if (auto n = engine_[i].load())
      out.emplace_back(protocol::error_name(static_cast<wire::ErrorCode>(i)), n);
  if (auto n = timeout_.load())
    out.emplace_back("client_timeout", n);
  if (auto n = disconnected_.load())
    out.emplace_back("client_disconnected", n);
  if (auto n = stopped_.load())
    out.emplace_back("client_stopped", n);
  if (auto n = lost_.load())
    out.emplace_back("connection_lost", n);
  std::lock_guard lock{mx_};
  out.insert(out.end(), other_.begin(), other_.end());
  return out;
}

std::uint64_t error_counts::total() const {
  std::uint64_t n = 0;
  for (auto& [k, v] : by_kind())
    n += v;
  return n;
}

std::string error_counts::first() const {
  std::lock_guard lock{mx_};
  return first_;
}

latency_summary latency_summary::of(const histogram& h) {
  latency_summary s;
  s.samples = h.count();
  s.p50 = h.quantile(0.5);
  s.p90 = h.quantile(0.9);
  s.p99 = h.quantile(0.99);
  s.p999 = h.quantile(0.999);
  s.max = h.max();
  s.mean = h.mean();
  return s;
}

// -- formatting helpers -----------------------------------------------------------------

std::string grouped(std::uint64_t n) {
  auto s = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0)
      out += ',';
    out += s[i];
  }
  return out;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  int u = 0;
  while (std::fabs(bytes) >= 1024 && u < 3) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string ms(std::uint64_t us) {
  return fixed(us / 1000.0, 3);
}

std::string show(const field::value_type& v) {
  if (auto* i = std::get_if<std::int64_t>(&v))
    return *i < 0 ? std::to_string(*i) : grouped(static_cast<std::uint64_t>(*i));
  if (auto* d = std::get_if<double>(&v)) {
    // Erlang C's ASA of an overloaded queue is infinite (the JSON says null).
    if (!std::isfinite(*d))
      return std::isnan(*d) ? "none" : *d > 0 ? "infinite" : "-infinite";
    if (std::fabs(*d) >= 100)
      return (*d < 0 ? "-" : "") + grouped(static_cast<std::uint64_t>(std::llround(std::fabs(*d))));
    return fixed(*d, std::fabs(*d) >= 10 ? 1 : 3);
  }
  if (auto* b = std::get_if<bool>(&v))
    return *b ? "yes" : "no";
  return std::get<std::string>(v);
}

void row(std::ostream& out, const std::string& label, const std::string& value) {
  out << "  " << std::left << std::setw(34) << label << value << "\n";
}

// A minimal JSON writer: one object, keys in insertion order.
class json_object {
public:
  void raw(const std::string& key, const std::string& text) {
    out_ << (first_ ? "" : ",") << quote(key) << ":" << text;
    first_ = false;
  }
  void str(const std::string& key, const std::string& v) { raw(key, quote(v)); }
  void num(const std::string& key, double v, int digits = 3) {
    raw(key, std::isfinite(v) ? fixed(v, digits) : "null");
  }
  void integer(const std::string& key, std::int64_t v) { raw(key, std::to_string(v)); }
  void boolean(const std::string& key, bool v) { raw(key, v ? "true" : "false"); }
  std::string done() const { return "{" + out_.str() + "}"; }

  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"' || c == '\\')
        out += '\\', out += static_cast<char>(c);
      else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else
        out += static_cast<char>(c);
    }
    return out + "\"";
  }

private:
  std::ostringstream out_;
  bool first_ = true;
};

} // namespace

// -- the table --------------------------------------------------------------------------

void print_table(std::ostream& out, const result& r) {
  out << "\nparley-bench " << r.scenario << " against the " << r.target << "\n";
  row(out, "count", grouped(r.count) + " " + r.count_what);
  std::string errs = grouped(r.errors);
  for (auto& [k, n] : r.errors_by_kind)
    errs += (errs.find('(') == std::string::npos ? " (" : ", ") + k + " " + grouped(n);
  if (!r.errors_by_kind.empty())
    errs += ")";
  row(out, "errors", errs);
  if (!r.first_error.empty())
    row(out, "first error", r.first_error);
  row(out, "duration", fixed(r.duration_s, 2) + " s");
  row(out, "throughput", grouped(static_cast<std::uint64_t>(std::llround(r.throughput_per_s)))
                           + " /s");
  if (r.latency.samples > 0) {
    auto& l = r.latency;
    row(out, "latency", r.latency_what);
    row(out, "  p50 / p90 / p99", ms(l.p50) + " / " + ms(l.p90) + " / " + ms(l.p99) + " ms");
    row(out, "  p99.9 / max / mean", ms(l.p999) + " / " + ms(l.max) + " / " + fixed(l.mean / 1000, 3) + " ms");
    row(out, "  samples", grouped(l.samples));
  }
  row(out, "rss", human_bytes(static_cast<double>(r.rss_bytes))
                    + (r.embedded ? " (this process: engine + load generator)"
                                  : " (this process: load generator only)"));
  for (auto& f : r.extra)
    row(out, f.label.empty() ? f.key : f.label, show(f.value) + (f.unit.empty() ? "" : " " + f.unit));
  if (r.ref) {
    row(out, "reference", r.ref->name + ": "
                            + grouped(static_cast<std::uint64_t>(std::llround(r.ref->throughput_per_s)))
                            + " /s");
    if (r.ref->throughput_per_s > 0)
      row(out, "ratio parley / reference", fixed(r.throughput_per_s / r.ref->throughput_per_s, 3));
  }
  row(out, "goal", r.aim.text);
  row(out, "verdict", std::string{r.aim.met ? "MET: " : "NOT MET: "} + r.aim.verdict);
  for (auto& n : r.notes)
    row(out, "note", n);
  out.flush();
}

// -- the JSON line ------------------------------------------------------------------------

void print_json(std::ostream& out, const result& r) {
  json_object j;
  j.str("scenario", r.scenario);
  j.str("target", r.target);
  j.boolean("embedded", r.embedded);
  j.integer("count", static_cast<std::int64_t>(r.count));
  j.str("count_what", r.count_what);
  j.integer("errors", static_cast<std::int64_t>(r.errors));
  json_object kinds;
  for (auto& [k, n] : r.errors_by_kind)
    kinds.integer(k, static_cast<std::int64_t>(n));
  j.raw("errors_by_kind", kinds.done());
  if (!r.first_error.empty())
    j.str("first_error", r.first_error);
  j.num("throughput_per_s", r.throughput_per_s, 1);
  j.str("latency_what", r.latency_what);
  auto& l = r.latency;
  j.num("p50_ms", l.p50 / 1000.0);
  j.num("p90_ms", l.p90 / 1000.0);
  j.num("p99_ms", l.p99 / 1000.0);
  j.num("p999_ms", l.p999 / 1000.0);
  j.num("max_ms", l.max / 1000.0);
  j.num("mean_ms", l.mean / 1000.0);
  j.integer("latency_samples", static_cast<std::int64_t>(l.samples));
  j.integer("rss_bytes", static_cast<std::int64_t>(r.rss_bytes));
  j.str("rss_what", r.embedded ? "this process: embedded engine + load generator"
                               : "this process: load generator only");
  j.num("duration_s", r.duration_s);
  for (auto& f : r.extra) {
    std::visit(
      [&](auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::int64_t>)
          j.integer(f.key, v);
        else if constexpr (std::is_same_v<T, double>)
          j.num(f.key, v);
        else if constexpr (std::is_same_v<T, bool>)
          j.boolean(f.key, v);
        else
          j.str(f.key, v);
      },
      f.value);
  }
  if (r.ref) {
    json_object ref;
    ref.str("name", r.ref->name);
    ref.num("throughput_per_s", r.ref->throughput_per_s, 1);
    ref.str("command", r.ref->command);
    j.raw("reference", ref.done());
    j.num("ratio", r.ref->throughput_per_s > 0 ? r.throughput_per_s / r.ref->throughput_per_s
                                               : std::nan(""));
  }
  json_object g;
  g.str("text", r.aim.text);
  g.boolean("met", r.aim.met);
  g.str("verdict", r.aim.verdict);
  j.raw("goal", g.done());
  std::string notes = "[";
  for (std::size_t i = 0; i < r.notes.size(); ++i)
    notes += (i ? "," : "") + json_object::quote(r.notes[i]);
  j.raw("notes", notes + "]");
  out << j.done() << "\n";
  out.flush();
}

} // namespace parley::bench
