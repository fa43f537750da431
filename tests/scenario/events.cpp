// events: matching received events against `expect <client> <event> ...` steps, and
// describing messages for failure reports.
//
// The rule (tests/scenarios/README.md): an event of another type, or about another
// interaction, is skipped (dropped); an event of the expected type about the expected
// interaction must match in every detail the step gives, otherwise the step fails. Patterns
// without an interaction (agent_state, report without ID) skip whatever does not match.
#include <sstream>

#include "scenario/scenario.hpp"

namespace parley::scenario {

namespace {

std::string str(const flatbuffers::String* s) {
  return s ? s->str() : std::string{};
}

/// "17" or "17=i1" when a variable holds it.
std::string id_text(std::uint64_t id, const vars& v) {
  std::string out = std::to_string(id);
  for (auto& [name, value] : v)
    if (value == id)
      out += "=" + name;
  return out;
}

std::string list(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* xs) {
  std::string out = "[";
  if (xs)
    for (auto* x : *xs)
      out += (out.size() > 1 ? " " : "") + x->str();
  return out + "]";
}

std::string info_text(const wire::InteractionInfo* i, const vars& v) {
  if (!i)
    return "(no info)";
  std::ostringstream o;
  o << "id " << id_text(i->id(), v) << " state " << wire::EnumNameInteractionState(i->state())
    << " queue " << str(i->queue()) << " media " << str(i->media()) << " priority " << i->priority()
    << " agents " << list(i->agents());
  return o.str();
}

/// Collects differences between what a step wants and what came.
struct diff {
  std::string text;

  void field(const char* name, const std::string& want, const std::string& got) {
    if (want != got)
      text += std::string(text.empty() ? "" : "; ") + name + " is '" + got + "', wanted '" + want + "'";
  }

  /// A difference is a conflict when the event is about the step's interaction.
  outcome result(bool same_subject) const {
    if (text.empty())
      return {verdict::match, ""};
    return same_subject ? outcome{verdict::conflict, text} : outcome{verdict::skip, ""};
  }
};

} // namespace

std::uint64_t resolve(const vars& v, const std::string& word) {
  if (is_literal_id(word))
    return std::stoull(word);
  return v.at(word);
}

wire::Message event_type(const std::string& e) {
  using M = wire::Message;
  static const std::map<std::string, M> types{
    {"invite", M::Invite},           {"revoked", M::Revoked},
    {"agent_state", M::AgentStateChanged}, {"party_added", M::PartyAdded},
    {"party_removed", M::PartyRemoved}, {"placed", M::PlacedInQueue},
    {"taken", M::TakenFromQueue},    {"stopped", M::ProcessingStopped},
    {"props_changed", M::PropertiesChanged}, {"route_request", M::RouteRequest},
    {"vq", M::VqEvent},              {"report", M::ReportingEvent}};
  auto it = types.find(e);
  return it == types.end() ? M::NONE : it->second;
}

outcome match_event(const step& s, const client::answer& ev, vars& v) {
  const auto& a = s.args;
  const auto& e = s.verb;
  auto id = [&](std::size_t i) { return resolve(v, a[i]); };
  diff d;
  if (e == "invite") {
    auto* m = ev.as<wire::Invite>();
    if (!m || !m->info() || m->info()->id() != id(0))
      return {};
    return d.result(true);
  }
  if (e == "revoked") {
    auto* m = ev.as<wire::Revoked>();
    if (!m || m->interaction_id() != id(0))
      return {};
    if (a.size() > 1)
      d.field("reason", rest(a, 1), str(m->reason()));
    return d.result(true);
  }
  if (e == "agent_state") {
    auto* m = ev.as<wire::AgentStateChanged>();
    if (!m || !m->status())
      return {};
    d.field("state", a[0], wire::EnumNameAgentState(m->status()->state()));
    if (a.size() > 1)
      d.field("reason", rest(a, 1), str(m->status()->reason()));
    return d.result(false);
  }
  if (e == "party_added" || e == "party_removed") {
    std::uint64_t iid = 0;
    std::string agent, reason;
    if (auto* m = ev.as<wire::PartyAdded>(); m && e == "party_added") {
      iid = m->interaction_id();
      agent = str(m->agent());
    } else if (auto* r = ev.as<wire::PartyRemoved>(); r && e == "party_removed") {
      iid = r->interaction_id();
      agent = str(r->agent());
      reason = str(r->reason());
    } else {
      return {};
    }
    if (iid != id(0))
      return {};
    d.field("agent", a[1], agent);
    if (a.size() > 2)
      d.field("reason", rest(a, 2), reason);
    return d.result(true);
  }
  if (e == "placed") {
    auto* m = ev.as<wire::PlacedInQueue>();
    if (!m || m->interaction_id() != id(0))
      return {};
    d.field("queue", a[1], str(m->queue()));
    return d.result(true);
  }
  if (e == "taken") {
    auto* m = ev.as<wire::TakenFromQueue>();
    if (!m || m->interaction_id() != id(0))
      return {};
    d.field("queue", a[1], str(m->queue()));
    if (a.size() > 2)
      d.field("agent", a[2], str(m->agent()));
    return d.result(true);
  }
  if (e == "stopped") {
    auto* m = ev.as<wire::ProcessingStopped>();
    if (!m || m->interaction_id() != id(0))
      return {};
    if (a.size() > 1)
      d.field("reason", rest(a, 1), str(m->reason()));
    return d.result(true);
  }
  if (e == "props_changed") {
    auto* m = ev.as<wire::PropertiesChanged>();
    if (!m || m->interaction_id() != id(0))
      return {};
    return d.result(true);
  }
  if (e == "route_request") {
    auto* m = ev.as<wire::RouteRequest>();
    if (!m || !m->info() || m->info()->id() != id(1))
      return {};
    v[a[0]] = m->request_id();
    return d.result(true);
  }
  if (e == "vq") {
    auto* m = ev.as<wire::VqEvent>();
    if (!m || a[0] != wire::EnumNameVqEventKind(m->kind()) || m->interaction_id() != id(2))
      return {};
    d.field("vq", a[1], str(m->vq()));
    if (a.size() > 3)
      d.field("agent", a[3], str(m->agent()));
    return d.result(true);
  }
  if (e == "report") {
    auto* m = ev.as<wire::ReportingEvent>();
    if (!m || a[0] != wire::EnumNameReportingKind(m->kind()))
      return {};
    std::size_t first = 1;
    bool has_id = a.size() > 1 && !split_kv(a[1]);
    if (has_id) {
      if (m->interaction_id() != id(1))
        return {};
      first = 2;
    }
    for (auto i = first; i < a.size(); ++i) {
      auto [key, want] = *split_kv(a[i]);
      std::string got = key == "agent"         ? str(m->agent())
                        : key == "queue"       ? str(m->queue())
                        : key == "media"       ? str(m->media())
                        : key == "tenant"      ? str(m->tenant())
                        : key == "reason"      ? str(m->reason())
                        : key == "state"       ? wire::EnumNameInteractionState(m->state())
                                               : wire::EnumNameAgentState(m->agent_state());
      d.field(key.c_str(), want, got);
    }
    return d.result(has_id);
  }
  return {verdict::conflict, "unknown event '" + e + "'"};
}

std::string describe(const client::answer& a, const vars& v) {
  if (a.transport() != client::status::ok)
    return "no answer (" + a.error_text() + ")";
  std::ostringstream o;
  auto t = a.type();
  o << wire::EnumNameMessage(t) << "{";
  if (auto* m = a.as<wire::Error>())
    o << wire::EnumNameErrorCode(m->code()) << " '" << str(m->text()) << "'";
  else if (auto* m = a.as<wire::Invite>())
    o << info_text(m->info(), v) << " timeout_ms " << m->timeout_ms();
  else if (auto* m = a.as<wire::Revoked>())
    o << "id " << id_text(m->interaction_id(), v) << " reason '" << str(m->reason()) << "'";
  else if (auto* m = a.as<wire::PartyAdded>())
    o << "id " << id_text(m->interaction_id(), v) << " agent " << str(m->agent());
  else if (auto* m = a.as<wire::PartyRemoved>())
    o << "id " << id_text(m->interaction_id(), v) << " agent " << str(m->agent()) << " reason '"
      << str(m->reason()) << "'";
  else if (auto* m = a.as<wire::PlacedInQueue>())
    o << "id " << id_text(m->interaction_id(), v) << " queue " << str(m->queue());
  else if (auto* m = a.as<wire::TakenFromQueue>())
    o << "id " << id_text(m->interaction_id(), v) << " queue " << str(m->queue()) << " agent "
      << str(m->agent());
  else if (auto* m = a.as<wire::PropertiesChanged>())
    o << "id " << id_text(m->interaction_id(), v);
  else if (auto* m = a.as<wire::ProcessingStopped>())
    o << "id " << id_text(m->interaction_id(), v) << " reason '" << str(m->reason()) << "'";
  else if (auto* m = a.as<wire::AgentStateChanged>(); m && m->status())
    o << str(m->status()->agent()) << " " << wire::EnumNameAgentState(m->status()->state())
      << " reason '" << str(m->status()->reason()) << "'";
  else if (auto* m = a.as<wire::AgentStatus>())
    o << str(m->agent()) << " " << wire::EnumNameAgentState(m->state()) << " reason '"
      << str(m->reason()) << "'";
  else if (auto* m = a.as<wire::ReportingEvent>())
    o << "seq " << m->seq() << " " << wire::EnumNameReportingKind(m->kind()) << " id "
      << id_text(m->interaction_id(), v) << " agent " << str(m->agent()) << " queue "
      << str(m->queue()) << " state " << wire::EnumNameInteractionState(m->state())
      << " agent_state " << wire::EnumNameAgentState(m->agent_state()) << " reason '"
      << str(m->reason()) << "'";
  else if (auto* m = a.as<wire::RouteRequest>())
    o << "request " << m->request_id() << " " << info_text(m->info(), v) << " ready "
      << list(m->ready_agents());
  else if (auto* m = a.as<wire::VqEvent>())
    o << wire::EnumNameVqEventKind(m->kind()) << " vq " << str(m->vq()) << " id "
      << id_text(m->interaction_id(), v) << " agent " << str(m->agent()) << " reason '"
      << str(m->reason()) << "'";
  else if (auto* m = a.as<wire::Submitted>())
    o << "id " << id_text(m->interaction_id(), v) << " existing " << m->existing() << " state "
      << wire::EnumNameInteractionState(m->state());
  else if (auto* m = a.as<wire::InteractionData>())
    o << info_text(m->info(), v);
  else if (auto* m = a.as<wire::QueueSnapshotData>()) {
    o << "queue " << str(m->queue()) << " total " << m->total() << " items [";
    if (m->items())
      for (auto* i : *m->items())
        o << " " << id_text(i->id(), v);
    o << " ]";
  }
  o << "}";
  return o.str();
}

} // namespace parley::scenario
