#include "sim/chart.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include <cairo.h>
#include <fmt/format.h>

namespace parley::sim {

namespace {

struct rgb {
  double r, g, b;
};

// Distinguishable on white, also in greyscale print (Okabe–Ito's palette).
constexpr rgb k_palette[] = {{0.00, 0.45, 0.70}, {0.84, 0.37, 0.00}, {0.00, 0.62, 0.45}, {0.80, 0.47, 0.65},
                             {0.34, 0.71, 0.91}, {0.90, 0.62, 0.00}, {0.50, 0.50, 0.50}, {0.94, 0.89, 0.26}};

/// A tick step of 1, 2 or 5 times a power of ten giving about `ticks` ticks up to `top`.
double tick_step(double top, int ticks) {
  double raw = std::max(top / ticks, 1.0);
  double p = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw)
      return m * p;
  return 10 * p;
}

} // namespace

void write_plan_chart(const std::string& path, const plan& p) {
  const int width = 1400, height = 700;
  const double left = 80, right = 250, top = 60, bottom = 110;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  const auto n = p.intervals.size();
  const auto groups = p.groups.size();

  // Series: each group's plan and Erlang C, and both totals when there is more than one group.
  struct series {
    std::string name;
    std::vector<double> v;
    rgb colour;
    bool dashed;
    double line;
  };
  std::vector<series> all;
  std::vector<double> total(n, 0), total_ec(n, 0);
  for (std::size_t g = 0; g < groups; ++g) {
    series plan_s{p.groups[g] + " (Parley)", {}, k_palette[g % 8], false, 2.0};
    series ec_s{p.groups[g] + " (Erlang C)", {}, k_palette[g % 8], true, 2.0};
    for (std::size_t i = 0; i < n; ++i) {
      plan_s.v.push_back(p.intervals[i].agents[g]);
      ec_s.v.push_back(p.intervals[i].erlang_c[g]);
      total[i] += p.intervals[i].agents[g];
      total_ec[i] += p.intervals[i].erlang_c[g];
    }
    all.push_back(std::move(plan_s));
    all.push_back(std::move(ec_s));
  }
  if (groups > 1) {
    all.push_back({"all groups (Parley)", total, {0, 0, 0}, false, 3.0});
    all.push_back({"all groups (Erlang C)", total_ec, {0, 0, 0}, true, 3.0});
  }
  double ymax = 1;
  for (auto& s : all)
    for (auto v : s.v)
      ymax = std::max(ymax, v);
  double step = tick_step(ymax, 8);
  ymax = std::ceil(ymax / step) * step;

  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface{
    cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy};
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> owner{cairo_create(surface.get()), cairo_destroy};
  auto* cr = owner.get();
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  auto text = [&](double x, double y, const std::string& s, double size, double align, double angle = 0) {
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, -e.width * align - e.x_bearing, 0);
    cairo_show_text(cr, s.c_str());
    cairo_restore(cr);
  };
  auto x_of = [&](double i) { return left + plot_w * i / static_cast<double>(std::max<std::size_t>(n, 1)); };
  auto y_of = [&](double v) { return top + plot_h * (1 - v / ymax); };

  cairo_set_source_rgb(cr, 0, 0, 0);
  text(left, 32, "Agents needed per interval: Parley (simulated on the engine) vs Erlang C", 18, 0);
  // Horizontal grid and the agent axis.
  cairo_set_line_width(cr, 1);
  for (double v = 0; v <= ymax + 1e-9; v += step) {
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    cairo_move_to(cr, left, y_of(v));
    cairo_line_to(cr, left + plot_w, y_of(v));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(left - 8, y_of(v) + 4, std::to_string(static_cast<long long>(v)), 12, 1);
  }
  text(22, top + plot_h / 2, "agents", 13, 0.5, -M_PI / 2);
  // Interval labels, slanted, about 16 of them.
  auto every = std::max<std::size_t>(1, (n + 15) / 16);
  for (std::size_t i = 0; i < n; i += every) {
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_move_to(cr, x_of(static_cast<double>(i)), top + plot_h);
    cairo_line_to(cr, x_of(static_cast<double>(i)), top + plot_h + 5);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(x_of(static_cast<double>(i)) + 3, top + plot_h + 14, p.intervals[i].label, 11, 1, -M_PI / 4);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_rectangle(cr, left, top, plot_w, plot_h);
  cairo_stroke(cr);

  // Each series as steps: an interval's value across its width.
  for (auto& s : all) {
    cairo_set_source_rgb(cr, s.colour.r, s.colour.g, s.colour.b);
    cairo_set_line_width(cr, s.line);
    double dash[] = {7, 5};
    cairo_set_dash(cr, dash, s.dashed ? 2 : 0, 0);
    for (std::size_t i = 0; i < n; ++i) {
      auto y = y_of(s.v[i]);
      if (i == 0)
        cairo_move_to(cr, x_of(0), y);
      else
        cairo_line_to(cr, x_of(static_cast<double>(i)), y);
      cairo_line_to(cr, x_of(static_cast<double>(i + 1)), y);
    }
    cairo_stroke(cr);
  }
  cairo_set_dash(cr, nullptr, 0, 0);

  // Legend.
  double ly = top + 10;
  for (auto& s : all) {
    cairo_set_source_rgb(cr, s.colour.r, s.colour.g, s.colour.b);
    cairo_set_line_width(cr, s.line);
    double dash[] = {7, 5};
    cairo_set_dash(cr, dash, s.dashed ? 2 : 0, 0);
    cairo_move_to(cr, left + plot_w + 16, ly);
    cairo_line_to(cr, left + plot_w + 50, ly);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(left + plot_w + 58, ly + 4, s.name, 12, 0);
    ly += 22;
  }
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  ly += 12;
  text(left + plot_w + 16, ly, "agent-hours:", 12, 0);
  text(left + plot_w + 16, ly + 18, fmt::format("Parley {:.1f}", agent_hours(p, false)), 12, 0);
  text(left + plot_w + 16, ly + 36, fmt::format("Erlang C {:.1f}", agent_hours(p, true)), 12, 0);

  cairo_surface_flush(surface.get());
  if (auto st = cairo_surface_write_to_png(surface.get(), path.c_str()); st != CAIRO_STATUS_SUCCESS)
    throw plan_error{"cannot write the chart to " + path + ": " + cairo_status_to_string(st)};
}

} // namespace parley::sim
