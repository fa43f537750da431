// page: the /metrics page being written, in Prometheus text format 0.0.4 — families with
// their HELP and TYPE, samples, histograms, escaped labels. Made by render_metrics for one
// scrape; the parts of the page (render*.cpp, process_metrics.cpp) write into it.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

#include "actors/runtime/metrics.hpp"

namespace parley::engine {

class page {
  public:
  // The stream's default 6 significant digits would print a counter past 999,999 as
  // 1.23457e+06, so it would seem to stand still; 15 digits keep every count exact (up to
  // 10^15) and print fractions such as 0.005 as they are.
  page() { out_.precision(15); }

  void family(const std::string& name, const char* type, const std::string& help) {
    out_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  void sample(const std::string& name, const std::string& labels, double value) {
    out_ << name;
    if (!labels.empty())
      out_ << "{" << labels << "}";
    out_ << " " << value << "\n";
  }
  /// A family of one unlabelled sample.
  void single(const std::string& name, const char* type, const std::string& help, double value) {
    family(name, type, help);
    sample(name, "", value);
  }
  template <class Histogram>
  void histogram(const std::string& name, const std::string& help, const Histogram& h, double sum) {
    family(name, "histogram", help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < Histogram::bounds.size(); ++i) {
      cumulative += h.bucket(i);
      std::ostringstream le;
      le << Histogram::bounds[i];
      sample(name + "_bucket", "le=\"" + le.str() + "\"", static_cast<double>(cumulative));
    }
    cumulative += h.bucket(Histogram::bounds.size());
    sample(name + "_bucket", "le=\"+Inf\"", static_cast<double>(cumulative));
    sample(name + "_sum", "", sum);
    sample(name + "_count", "", static_cast<double>(cumulative));
  }
  void histogram(const std::string& name, const std::string& help, const latency_histogram& h) {
    histogram(name, help, h, h.sum_seconds());
  }
  std::string text() const { return out_.str(); }

  private:
  std::ostringstream out_;
};

/// key="value", the value escaped as the text format wants.
inline std::string label(const char* key, const std::string& value) {
  std::string v;
  for (char c : value) {
    if (c == '\\' || c == '"')
      v += '\\';
    if (c == '\n') {
      v += "\\n";
      continue;
    }
    v += c;
  }
  return std::string{key} + "=\"" + v + "\"";
}

} // namespace parley::engine
