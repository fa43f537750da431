// campaign_config: outbound campaigns, the simulated telephony gateway and the job scheduler
// as configured ([[campaigns]], [outbound.gateway], [[schedule]]; docs/outbound.md). Parsed
// and validated by engine/config.cpp and shared read-only through domain_config.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/outbound/compliance.hpp"
#include "actors/outbound/pacing.hpp"

namespace parley::outbound {
const char* to_name(dial_mode m);
}

namespace parley {

using outbound::dial_mode;

/// A treatment's action: dial the same number again later, go on with the next number of
/// the record's chain, or stop (the record is final).
enum class treatment_action { retry, next, final };

/// What a campaign does with a call the gateway says a machine answered (`answering_machine`).
enum class machine_policy {
  drop,       ///< hang up; the record's result is answering_machine (the default)
  agent,      ///< pass it to an agent (to leave a message), never counted as abandoned
  no_answer,  ///< hang up and treat it as no answer (its result and treatment)
};

const char* to_string(machine_policy p) noexcept;  ///< "drop", "agent", "no_answer"

/// What a [[schedule]] entry does: control its campaign, import a list, or run retention
/// (docs/reporting.md "Retention").
enum class schedule_action { start, stop, pause, resume, import, retention };

const char* to_string(treatment_action a) noexcept;  ///< "retry", "next", "final"
/// "start", "stop", "pause", "resume", "import", "retention" (the campaign operations' own words).
const char* to_string(schedule_action a) noexcept;

/// What a campaign does with a record after a call result.
struct treatment {
  std::uint8_t result = 0;         ///< storage::call_result; 255: an abandoned answer
  treatment_action action = treatment_action::final;
  std::chrono::minutes after{0};   ///< retry: not before this much later
  std::uint32_t max_attempts = 0;  ///< retry: the record's attempts cap (then final)

  bool operator==(const treatment&) const = default;
};

/// The pseudo call result of an answered call that found no agent in time.
constexpr std::uint8_t abandoned_result = 255;

struct campaign_config {
  std::string name;
  std::string tenant = "default";
  std::vector<std::string> lists;   ///< contact lists it dials, in this order
  dial_mode mode = dial_mode::progressive;
  std::string queue;                ///< agents eligible for it take the calls; answers wait there
  std::string media = "voice";
  std::string caller_id;            ///< the number its calls present (E.164; "": the trunk's); email: the sender address
  // -- sms and email campaigns (outbound::is_message_media(media)): no agents, no queue --
  std::string message;              ///< the text, {field}s filled in from the record
  std::string subject;              ///< email: the subject, the same way
  double messages_per_second = 10;  ///< how fast it sends (max_in_flight caps what is under way)
  double lines_per_agent = 3.0;     ///< predictive: the most lines per logged-in agent
  double target_abandon = 0.03;     ///< predictive pacing aims under this
  std::chrono::milliseconds abandon_after{2000};  ///< an answer must reach an agent in this
  std::chrono::minutes abandon_window{30 * 24 * 60};  ///< compliance: abandon rate over this
  std::uint32_t lease_chunk = 200;  ///< records leased from storage at a time
  storage::lease_order order = storage::lease_order::schedule;  ///< which due records first
  std::uint32_t max_in_flight = 0;  ///< dials under way at most (0: no cap)
  std::chrono::milliseconds preview_timeout{120'000};  ///< a previewed record goes back after
  /// A personal callback its agent could not take this long after it was due becomes a
  /// campaign callback (any agent) — the customer asked to be called.
  std::chrono::milliseconds personal_grace{30 * 60'000};
  machine_policy answering_machine = machine_policy::drop;
  /// What an agent's desktop may set as a call's disposition (RecordUpdate; "" none).
  std::vector<std::string> dispositions;
  /// 0: a connected call's record is written back when the call ends (desktop actions are
  /// taken while it is up). Otherwise it waits for the agent's RecordProcessed, this long at
  /// most after the call ended (the agent's wrap-up), as OCS desktops work.
  std::chrono::milliseconds record_processed_timeout{0};
  outbound::compliance_rules rules;
  std::vector<treatment> treatments;  ///< defaults filled in by the config reader
  bool autostart = false;

  bool operator==(const campaign_config&) const = default;
  /// The treatment for a result (a "final" one when none is configured).
  treatment treatment_for(std::uint8_t result) const;
};

/// Who places a campaign's calls: the built-in simulated gateway, or dial_gateway clients
/// over 7120 (docs/outbound.md "External dialing gateways").
enum class gateway_kind { simulated, external };

const char* to_string(gateway_kind k) noexcept;  ///< "simulated", "external"

/// The telephony gateway: which kind; for the built-in simulated one its outcome
/// probabilities (normalized), ring and talk times, seeded so that a run can be repeated.
struct gateway_config {
  gateway_kind kind = gateway_kind::simulated;
  std::uint64_t seed = 1;
  double answer = 0.30, busy = 0.10, no_answer = 0.35, machine = 0.12, fax = 0.03, sit = 0.05,
         dropped = 0.05;
  std::chrono::milliseconds ring_mean{8'000};       ///< to answer / machine / busy (uniform 0.25x..1.75x)
  std::chrono::milliseconds no_answer_after{25'000};
  std::chrono::milliseconds talk_mean{120'000};     ///< exponential; the customer hangs up after
  std::uint32_t max_lines = 100'000;                ///< simultaneous calls it accepts
  /// Messages (media sms, email): outcome shares (normalized), after a delay like a ring.
  double delivered = 0.95, undeliverable = 0.04, opted_out = 0.01;
  /// External gateways: a call not answered (nor ended) this long after its dial's
  /// timeout_ms (= no_answer_after) is ended as failed — a gateway that forgot it.
  std::chrono::milliseconds report_grace{30'000};

  bool operator==(const gateway_config&) const = default;
};

/// When a sequence's step hands over to the next (`until`; docs/outbound.md "Campaign
/// sequences"). Every step also hands over at its `until_time`, when it has one.
enum class step_until {
  exhausted,  ///< nothing left to dial: no record ready now or later, nothing held or under way
  idle,       ///< nothing due now: records due later wait for another run
  time,       ///< only at `until_time`
};

const char* to_string(step_until u) noexcept;  ///< "exhausted", "idle", "time"

/// One step of a campaign sequence: a campaign, and when the next step takes over.
struct sequence_step {
  std::string campaign;
  step_until until = step_until::exhausted;
  std::string until_time;  ///< cron in the sequence's zone: hand over then at the latest ("": none)

  bool operator==(const sequence_step&) const = default;
};

/// A campaign sequence ([[sequences]]): its campaigns run one after another, as Outbound
/// Contact Server's campaign sequences do — one step's campaign is stopped when the next
/// one's starts; the sequence is finished when its last step hands over.
struct sequence_config {
  std::string name;
  std::string zone = "UTC";  ///< IANA zone of the steps' until_time
  std::vector<sequence_step> steps;
  bool autostart = false;

  bool operator==(const sequence_config&) const = default;
};

/// A timed job ([[schedule]]): a cron expression in a zone, and what to do.
struct schedule_entry {
  std::string cron;                 ///< "m h dom mon dow"
  std::string zone = "UTC";
  schedule_action action = schedule_action::start;
  std::string campaign;             ///< campaign actions
  std::string sequence;             ///< or a sequence's start and stop
  std::string list;                 ///< import: into this contact list
  std::string file;                 ///< import: this file in outbound.import_dir
  std::string mapping;              ///< import: column mapping (as `list import`)
  bool dedupe = false;              ///< import: skip phones the list has (`list import --dedupe`)

  bool operator==(const schedule_entry&) const = default;
};

struct outbound_domain {
  std::vector<campaign_config> campaigns;
  gateway_config gateway;
  std::vector<schedule_entry> schedule;
  std::vector<sequence_config> sequences;

  const campaign_config* find(const std::string& name) const {
    for (auto& c : campaigns)
      if (c.name == name)
        return &c;
    return nullptr;
  }
  const sequence_config* find_sequence(const std::string& name) const {
    for (auto& q : sequences)
      if (q.name == name)
        return &q;
    return nullptr;
  }
};

} // namespace parley
