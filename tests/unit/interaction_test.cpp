// Interaction rules that need no actor: property limits.
#include <doctest/doctest.h>

#include "actors/interaction/interaction_actor.hpp"

using namespace parley;

TEST_CASE("property limits") {
  routing_config cfg;
  cfg.max_properties = 2;
  cfg.max_property_bytes = 10;
  property_list none;
  CHECK(check_properties(cfg, none, {{"a", "1"}, {"b", "2"}}, {}).empty());
  CHECK_FALSE(check_properties(cfg, none, {{"a", "1"}, {"b", "2"}, {"c", "3"}}, {}).empty());
  CHECK_FALSE(check_properties(cfg, none, {{"key", "far too long"}}, {}).empty());
  CHECK_FALSE(check_properties(cfg, none, {{"", "x"}}, {}).empty());
  property_list two{{"a", "1"}, {"b", "2"}};
  CHECK(check_properties(cfg, two, {{"a", "9"}}, {}).empty());        // replaces, no new key
  CHECK(check_properties(cfg, two, {{"c", "3"}}, {"a"}).empty());     // one out, one in
}
