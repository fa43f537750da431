// campaign_status: asks every campaign (or campaign sequence) for its status at once, for
// everyone who shows them — the console's `show campaigns|sequences`, GetCampaigns on 7120
// and /metrics — so they read them one way. Include it from .cpp files that include caf/all.hpp (the
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

/// Every campaign's (or sequence's) answer, by name: its status, or the error its request
/// ended with.
template <class View>
struct view_answers {
  std::map<std::string, View> views;
  std::map<std::string, caf::error> errors;
};

using campaign_answers = view_answers<outbound::campaign_view>;
using sequence_answers = view_answers<outbound::sequence_view>;

/// Sends `msg...` to every actor of `actors` (name -> handle) from `self` (any actor that
/// can request: event-based, stateful or typed) and calls `done` once, with every answer,
/// when the last one is in — at once when there are none.
template <class View, class Self, class Map, class... Ts>
void gather_views(Self self, const Map& actors, caf::timespan limit,
                  std::function<void(view_answers<View>)> done, Ts... msg) {
  if (actors.empty()) {
    done({});
    return;
  }
  auto got = std::make_shared<view_answers<View>>();
  auto left = std::make_shared<std::size_t>(actors.size());
  auto finish = [got, left, done] {
    if (--*left == 0)
      done(std::move(*got));
  };
  for (auto& [name, a] : actors) {
    auto n = name;
    self->request(a, limit, msg...)
        .then(
            [=](const View& v) {
              got->views[n] = v;
              finish();
            },
            [=](caf::error& e) {
              got->errors[n] = std::move(e);
              finish();
            });
  }
}

/// Every campaign's status ((campaign_atom, get_atom)).
template <class Self>
void gather_campaigns(Self self, const domain_handles& dom, caf::timespan limit,
                      std::function<void(campaign_answers)> done) {
  gather_views<outbound::campaign_view>(self, dom.campaigns, limit, std::move(done),
                                        campaign_atom_v, caf::get_atom_v);
}

/// Every campaign sequence's status ((sequence_atom, get_atom)).
template <class Self>
void gather_sequences(Self self, const domain_handles& dom, caf::timespan limit,
                      std::function<void(sequence_answers)> done) {
  gather_views<outbound::sequence_view>(self, dom.sequences, limit, std::move(done),
                                        sequence_atom_v, caf::get_atom_v);
}

} // namespace parley::engine
