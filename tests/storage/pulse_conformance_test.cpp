// The storage conformance suite, Pulse: templates (seeded by the migration), dashboards
// with their widgets, tabs and trend samples — every case on every backend
// (PARLEY_BACKENDS).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "fresh_database.hpp"

using namespace parley;
using namespace parley::test;

TEST_CASE_TEMPLATE("storage/pulse: the seven templates are seeded, edited, added and deleted unless built in", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& p = s->pulse();
  std::set<std::string> names;
  for (auto& t : p.templates()) {
    names.insert(t.name);
    CHECK(t.built_in);
    CHECK(t.widget.find("\"statistics\"") != std::string::npos);
  }
  CHECK(names == std::set<std::string>{"Agent Group Status", "Agent KPIs", "Agent Login", "Billboard",
                                       "Campaign Activity", "Queue KPIs", "Service Level"});
  auto kpis = *p.template_named("Queue KPIs");
  kpis.title = "Queue KPIs (ours)";
  kpis.changed_ms = 5;
  kpis.changed_by = "oper";
  CHECK_FALSE(p.save_template(kpis));
  auto edited = *p.template_named("Queue KPIs");
  CHECK(edited.title == "Queue KPIs (ours)");
  CHECK(edited.built_in);  // still built in: editing does not make it deletable
  CHECK(edited.changed_by == "oper");
  CHECK_FALSE(p.delete_template("Queue KPIs"));
  CHECK(p.save_template({"Mine", "Mine", R"({"kind":"kpi"})", true, 7, "oper"}));
  CHECK_FALSE(p.template_named("Mine")->built_in);  // only the migration makes built-in ones
  CHECK(p.delete_template("Mine"));
  CHECK_FALSE(p.template_named("Mine"));
  CHECK_FALSE(p.delete_template("Mine"));
}

TEST_CASE_TEMPLATE("storage/pulse: dashboards and widgets are added, changed, counted and deleted together", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& p = s->pulse();
  CHECK(p.dashboards().empty());
  auto a = p.add_dashboard({0, "Sales floor", "sup", false, "acme", R"({"order":[]})", 100, 100});
  auto b = p.add_dashboard({0, "Wall", "oper", true, "acme", "{}", 200, 200});
  CHECK(a > 0);
  CHECK(b > a);
  auto got = p.dashboard(a);
  REQUIRE(got);
  CHECK(got->name == "Sales floor");
  CHECK(got->owner == "sup");
  CHECK_FALSE(got->shared);
  CHECK(got->layout == R"({"order":[]})");
  CHECK(p.dashboard(b)->shared);
  CHECK_FALSE(p.dashboard(b + 100));

  got->name = "Sales";
  got->shared = true;
  got->changed_ms = 300;
  CHECK(p.update_dashboard(*got));
  CHECK(p.dashboard(a)->name == "Sales");
  CHECK(p.dashboard(a)->shared);
  CHECK(p.dashboard(a)->created_ms == 100);
  got->id = b + 100;
  CHECK_FALSE(p.update_dashboard(*got));

  auto w1 = p.add_widget({0, a, "Queue KPIs", R"({"kind":"kpi"})", 400});
  auto w2 = p.add_widget({0, a, "", R"({"kind":"trend"})", 410});
  auto w3 = p.add_widget({0, b, "Billboard", R"({"kind":"billboard"})", 420});
  CHECK(w2 > w1);
  CHECK_THROWS_AS(p.add_widget({0, b + 100, "", "{}", 1}), storage::storage_error);
  auto ws = p.widgets(a);
  REQUIRE(ws.size() == 2);
  CHECK(ws[0].id == w1);
  CHECK(ws[0].template_name == "Queue KPIs");
  CHECK(ws[1].widget == R"({"kind":"trend"})");
  CHECK(p.all_widgets().size() == 3);
  CHECK(p.count_widgets("sup") == 2);
  CHECK(p.count_widgets("oper") == 1);
  CHECK(p.count_widgets("nobody") == 0);

  CHECK(p.update_widget({w1, a, "", R"({"kind":"grid"})", 500}));
  CHECK(p.widgets(a)[0].widget == R"({"kind":"grid"})");
  CHECK(p.widgets(a)[0].template_name == "Queue KPIs");  // what it was made from stays
  CHECK_FALSE(p.update_widget({w1, b, "", "{}", 500}));  // not on that dashboard
  CHECK_FALSE(p.delete_widget(b, w1));
  CHECK(p.delete_widget(a, w1));
  CHECK(p.widgets(a).size() == 1);

  CHECK(p.delete_dashboard(a));
  CHECK_FALSE(p.dashboard(a));
  CHECK_FALSE(p.delete_dashboard(a));
  auto left = p.all_widgets();
  REQUIRE(left.size() == 1);  // the deleted dashboard's widgets went with it
  CHECK(left[0].id == w3);
}

TEST_CASE_TEMPLATE("storage/pulse: each user's tabs", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& p = s->pulse();
  CHECK(p.tabs("sup") == "[]");
  p.save_tabs("sup", "[3,1]");
  p.save_tabs("view", "[2]");
  p.save_tabs("sup", "[1]");
  CHECK(p.tabs("sup") == "[1]");
  CHECK(p.tabs("view") == "[2]");
}

TEST_CASE_TEMPLATE("storage/pulse: samples are kept once per time, read by range and trimmed by age", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& p = s->pulse();
  std::vector<storage::pulse_sample_row> batch;
  for (std::int64_t t = 0; t < 100; ++t)
    batch.push_back({"queue|sales|service_level", t * 10'000, 80.0 + static_cast<double>(t) / 4});
  batch.push_back({"queue|\"odd\",key\\|x", 5, 1.5});
  p.add_samples(batch);
  p.add_samples({{"queue|sales|service_level", 0, -1}});  // already there: kept as it was
  auto all = p.samples("queue|sales|service_level", 0, 1'000'000, 1000);
  REQUIRE(all.size() == 100);
  CHECK(all[0].value == 80.0);
  CHECK(all[99].t_ms == 990'000);
  CHECK(all[99].value == doctest::Approx(104.75));
  auto odd = p.samples("queue|\"odd\",key\\|x", 0, 10, 10);
  REQUIRE(odd.size() == 1);
  CHECK(odd[0].value == 1.5);
  auto some = p.samples("queue|sales|service_level", 100'000, 200'000, 5);
  REQUIRE(some.size() == 5);
  CHECK(some[0].t_ms == 100'000);
  CHECK(p.samples("queue|sales|service_level", 100'000, 200'000, 1000).size() == 11);
  CHECK(p.trim_samples(500'000) == 51);  // t < 500 s: 50 of sales, and the odd one
  CHECK(p.samples("queue|sales|service_level", 0, 1'000'000, 1000).size() == 50);
  CHECK(p.samples("queue|\"odd\",key\\|x", 0, 10, 10).empty());
}
