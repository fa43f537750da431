// campaign_status: asks every campaign for its status at once, for everyone who shows
// campaigns — the console's `show campaigns`, GetCampaigns on 7120 and /metrics — so the
// three read them one way. Include it from .cpp files that include caf/all.hpp (the
// requests are made through the caller's actor).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/types.hpp"

namespace parley::engine {

/// Every campaign's answer, by name: its status, or the error its request ended with.
struct campaign_answers {
  std::map<std::string, outbound::campaign_view> views;
  std::map<std::string, caf::error> errors;
};

/// Sends (campaign_atom, get_atom) — the status — to every campaign of `dom` from `self` (any actor that
/// can request: event-based, stateful or typed) and calls `done` once, with every answer,
/// when the last one is in — at once when there are no campaigns.
template <class Self>
void gather_campaigns(Self self, const domain_handles& dom, caf::timespan limit,
                      std::function<void(campaign_answers)> done) {
  if (dom.campaigns.empty()) {
    done({});
    return;
  }
  auto got = std::make_shared<campaign_answers>();
  auto left = std::make_shared<std::size_t>(dom.campaigns.size());
  auto finish = [got, left, done] {
    if (--*left == 0)
      done(std::move(*got));
  };
  for (auto& [name, c] : dom.campaigns) {
    auto n = name;
    self->request(c, limit, campaign_atom_v, caf::get_atom_v)
        .then(
            [=](const outbound::campaign_view& v) {
              got->views[n] = v;
              finish();
            },
            [=](caf::error& e) {
              got->errors[n] = std::move(e);
              finish();
            });
  }
}

} // namespace parley::engine
