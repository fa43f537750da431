// Treatments: what a call result does to its record (retry later, final) and to the rest
// of its chain (next number due, or the chain closed) — apply_treatment, pure.
#include <doctest/doctest.h>

#include "actors/outbound/dialer_session.hpp"

using namespace parley;
using namespace parley::outbound;
using storage::call_result;
using storage::record_status;

namespace {

campaign_config with_treatments() {
  campaign_config c;
  c.treatments = {
    {std::uint8_t(call_result::busy), treatment_action::retry, std::chrono::minutes{5}, 3},
    {std::uint8_t(call_result::fax), treatment_action::next, {}, 0},
    {std::uint8_t(call_result::answer), treatment_action::final, {}, 0}};
  return c;
}

storage::record_row chained(std::uint32_t attempts) {
  storage::record_row r;
  r.id = 7;
  r.chain_id = 3;
  r.chain_n = 1;
  r.attempts = attempts;
  return r;
}

} // namespace

TEST_CASE("retry: ready again after_min later while attempts < max_attempts; then next in chain") {
  auto c = with_treatments();
  auto t = apply_treatment(c, chained(0), std::uint8_t(call_result::busy), false, 1'000);
  CHECK(t.record.record_status == std::uint8_t(record_status::ready));
  CHECK(t.record.attempts == 1);
  CHECK(t.record.dial_sched_ms == 1'000 + 5 * 60'000);
  CHECK(t.record.call_time_ms == 1'000);
  CHECK(t.record.call_result == std::uint8_t(call_result::busy));
  CHECK(t.chain == chain_step::none);
  auto last = apply_treatment(c, chained(2), std::uint8_t(call_result::busy), false, 2'000);
  CHECK(last.record.record_status == std::uint8_t(record_status::updated));
  CHECK(last.record.attempts == 3);
  CHECK(last.chain == chain_step::next);  // this number is used up; the customer's next one
}

TEST_CASE("next: the record is final and the next of its chain due; final closes the chain") {
  auto c = with_treatments();
  auto fax = apply_treatment(c, chained(0), std::uint8_t(call_result::fax), false, 1'000);
  CHECK(fax.record.record_status == std::uint8_t(record_status::updated));
  CHECK(fax.chain == chain_step::next);
  auto answered = apply_treatment(c, chained(0), std::uint8_t(call_result::answer), false, 1'000);
  CHECK(answered.record.record_status == std::uint8_t(record_status::updated));
  CHECK(answered.chain == chain_step::close);
  // An abandoned answer follows its own treatment (none here: final).
  auto abandoned = apply_treatment(c, chained(0), std::uint8_t(call_result::answer), true, 1'000);
  CHECK(abandoned.chain == chain_step::close);
}

TEST_CASE("records outside a chain never touch one") {
  auto c = with_treatments();
  auto r = chained(0);
  r.chain_id = 0;
  CHECK(apply_treatment(c, r, std::uint8_t(call_result::fax), false, 1).chain == chain_step::none);
  CHECK(apply_treatment(c, r, std::uint8_t(call_result::answer), false, 1).chain == chain_step::none);
}
