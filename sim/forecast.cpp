#include "sim/forecast.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "actors/outbound/csv_reader.hpp"

namespace parley::sim {

namespace {

constexpr const char* k_columns[] = {"interval", "queue", "media", "offered", "aht_s"};

/// A finite number >= 0, the whole field.
bool parse_amount(const std::string& text, double& out) {
  auto first = text.data(), last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, out);
  return ec == std::errc{} && end == last && std::isfinite(out) && out >= 0;
}

} // namespace

forecast read_forecast(std::istream& in, const domain_config& dom) {
  outbound::csv_reader csv{in};
  std::vector<std::string> f;
  std::string problems;
  auto problem = [&](std::size_t line, const std::string& why) {
    problems += "line " + std::to_string(line) + ": " + why + "\n";
  };

  if (!csv.next(f))
    throw forecast_error{"the forecast is empty (expected a header: interval,queue,media,offered,aht_s)"};
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < f.size(); ++i) {
    bool known = false;
    for (auto* c : k_columns)
      known = known || f[i] == c;
    if (!known)
      problem(csv.line(), "unknown column '" + f[i] + "' (the columns are interval,queue,media,offered,aht_s)");
    else if (!col.emplace(f[i], i).second)
      problem(csv.line(), "column '" + f[i] + "' twice");
  }
  for (auto* c : k_columns)
    if (!col.count(c))
      problem(csv.line(), std::string{"no column '"} + c + "'");
  if (!problems.empty())
    throw forecast_error{problems};

  forecast out;
  std::map<std::string, std::size_t> interval_of;
  std::set<std::tuple<std::size_t, std::size_t, std::string>> seen;  // interval, queue, media
  while (csv.next(f)) {
    auto line = csv.line();
    if (!csv.error().empty()) {
      problem(line, csv.error());
      continue;
    }
    if (f.size() != col.size()) {
      problem(line, std::to_string(f.size()) + " fields, the header has " + std::to_string(col.size()));
      continue;
    }
    auto& label = f[col["interval"]];
    auto& queue = f[col["queue"]];
    auto& media = f[col["media"]];
    forecast_stream s;
    s.media = media;
    bool ok = true;
    if (label.empty()) {
      problem(line, "no interval");
      ok = false;
    }
    auto* q = dom.find_queue(queue);
    if (!q) {
      problem(line, "queue '" + queue + "' is not configured");
      ok = false;
    } else {
      s.queue = static_cast<std::size_t>(q - dom.queues.data());
    }
    if (!dom.knows_media(media)) {
      problem(line, "media '" + media + "' is not configured (routing.media)");
      ok = false;
    }
    if (!parse_amount(f[col["offered"]], s.offered)) {
      problem(line, "offered '" + f[col["offered"]] + "' is not a number >= 0");
      ok = false;
    }
    if (!parse_amount(f[col["aht_s"]], s.aht_s) || (s.offered > 0 && s.aht_s <= 0)) {
      problem(line, "aht_s '" + f[col["aht_s"]] + "' is not a number > 0");
      ok = false;
    }
    if (!ok)
      continue;
    auto [it, fresh] = interval_of.emplace(label, out.intervals.size());
    if (fresh)
      out.intervals.push_back({label, {}});
    if (!seen.emplace(it->second, s.queue, media).second) {
      problem(line, "queue '" + queue + "' and media '" + media + "' twice in interval '" + label + "'");
      continue;
    }
    out.intervals[it->second].streams.push_back(std::move(s));
  }
  if (!problems.empty())
    throw forecast_error{problems};
  if (out.intervals.empty())
    throw forecast_error{"the forecast has a header but no interval"};
  return out;
}

} // namespace parley::sim
