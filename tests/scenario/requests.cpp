// requests: the wire message each request step sends, and the answers it may get.
#include <charconv>
#include <cctype>

#include "scenario/scenario.hpp"

namespace parley::scenario {

namespace {

using fbb = flatbuffers::FlatBufferBuilder;
using M = wire::Message;
using kvs = std::vector<std::pair<std::string, std::string>>;

/// A request builder from a function that creates the message in a FlatBufferBuilder.
template <class F>
client::client::build_fn msg(F f) {
  return [f = std::move(f)](protocol::encoder& e, std::uint64_t ref) {
    auto& b = e.start();
    return e.finish(ref, f(b));
  };
}

std::optional<double> number(const std::string& s) {
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.'))
    return std::nullopt;
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return d;
}

/// Properties: a number when the value parses as one, text otherwise.
std::vector<flatbuffers::Offset<wire::Property>> properties(fbb& b, const kvs& kv) {
  std::vector<flatbuffers::Offset<wire::Property>> out;
  for (auto& [k, v] : kv) {
    if (auto n = number(v))
      out.push_back(wire::CreatePropertyDirect(b, k.c_str(), nullptr, *n, true));
    else
      out.push_back(wire::CreatePropertyDirect(b, k.c_str(), v.c_str()));
  }
  return out;
}

std::vector<flatbuffers::Offset<flatbuffers::String>> strings(fbb& b, const std::vector<std::string>& xs) {
  std::vector<flatbuffers::Offset<flatbuffers::String>> out;
  for (auto& x : xs)
    out.push_back(b.CreateString(x));
  return out;
}

const char* or_null(const std::string& s) {
  return s.empty() ? nullptr : s.c_str();
}

request_msg submit(const step& st) {
  std::string queue, media, ext, tenant;
  std::int32_t priority = 0;
  kvs props;
  for (std::size_t i = 1; i < st.args.size(); ++i) {
    auto [k, val] = *split_kv(st.args[i]);
    if (k == "queue")
      queue = val;
    else if (k == "media")
      media = val;
    else if (k == "ext")
      ext = val;
    else if (k == "tenant")
      tenant = val;
    else if (k == "priority" && number(val))
      priority = static_cast<std::int32_t>(*number(val));
    else
      props.emplace_back(k, val);
  }
  return {msg([=](fbb& b) {
            auto ps = properties(b, props);
            return wire::CreateSubmitDirect(b, or_null(ext), or_null(tenant), media.c_str(),
                                            queue.c_str(), priority, props.empty() ? nullptr : &ps);
          }),
          {M::Submitted}};
}

request_msg change_properties(const step& st, std::uint64_t iid) {
  kvs set;
  std::vector<std::string> remove;
  bool setting = true;
  for (std::size_t i = 1; i < st.args.size(); ++i) {
    if (st.args[i] == "set" || st.args[i] == "remove")
      setting = st.args[i] == "set";
    else if (setting)
      set.push_back(*split_kv(st.args[i]));
    else
      remove.push_back(st.args[i]);
  }
  return {msg([=](fbb& b) {
            auto s = properties(b, set);
            auto r = strings(b, remove);
            return wire::CreateChangePropertiesDirect(b, iid, set.empty() ? nullptr : &s,
                                                      remove.empty() ? nullptr : &r);
          }),
          {M::Ack}};
}

} // namespace

request_msg build_request(const step& st, const vars& v) {
  const auto& a = st.args;
  const auto& verb = st.verb;
  auto without_id = verb == "login" || verb == "ready" || verb == "not_ready" || verb == "acw"
                    || verb == "logout" || verb == "submit";
  std::uint64_t iid = 0;
  if (!without_id) {
    try {
      iid = resolve(v, a[0]);
    } catch (const std::out_of_range&) {
      throw std::runtime_error("'" + a[0] + "' has no value (its binding step did not bind it)");
    }
  }
  auto reason = rest(a, 1);
  auto second = a.size() > 1 ? a[1] : std::string{};
  if (verb == "login")
    return {msg([agent = a[0], second](fbb& b) {
              return wire::CreateAgentLoginDirect(b, agent.c_str(), or_null(second));
            }),
            {M::AgentStatus}};
  if (verb == "ready")
    return {msg([](fbb& b) { return wire::CreateAgentReady(b); }), {M::AgentStatus}};
  if (verb == "not_ready")
    return {msg([why = rest(a, 0)](fbb& b) { return wire::CreateAgentNotReadyDirect(b, or_null(why)); }),
            {M::AgentStatus}};
  if (verb == "acw")
    return {msg([](fbb& b) { return wire::CreateAgentAfterCallWork(b); }), {M::AgentStatus}};
  if (verb == "logout")
    return {msg([](fbb& b) { return wire::CreateAgentLogout(b); }), {M::Ack, M::AgentStatus}};
  if (verb == "submit")
    return submit(st);
  if (verb == "accept")
    return {msg([=](fbb& b) { return wire::CreateAccept(b, iid); }), {M::Ack}};
  if (verb == "reject")
    return {msg([=](fbb& b) { return wire::CreateRejectDirect(b, iid, or_null(reason)); }), {M::Ack}};
  if (verb == "transfer") {
    auto [key, target] = *split_kv(a[1]);
    auto agent = key == "agent" ? target : std::string{};
    auto queue = key == "queue" ? target : std::string{};
    return {msg([=](fbb& b) {
              return wire::CreateTransferDirect(b, iid, or_null(agent), or_null(queue));
            }),
            {M::Ack}};
  }
  if (verb == "conference")
    return {msg([=](fbb& b) { return wire::CreateConferenceDirect(b, iid, second.c_str()); }), {M::Ack}};
  if (verb == "leave")
    return {msg([=](fbb& b) { return wire::CreateLeaveConference(b, iid); }), {M::Ack}};
  if (verb == "hold")
    return {msg([=](fbb& b) { return wire::CreateHold(b, iid); }), {M::Ack}};
  if (verb == "resume")
    return {msg([=](fbb& b) { return wire::CreateResume(b, iid); }), {M::Ack}};
  if (verb == "park")
    return {msg([=](fbb& b) { return wire::CreateParkDirect(b, iid, or_null(second)); }), {M::Ack}};
  if (verb == "pull")
    return {msg([=](fbb& b) { return wire::CreatePull(b, iid); }), {M::Ack}};
  if (verb == "stop")
    return {msg([=](fbb& b) { return wire::CreateStopProcessingDirect(b, iid, or_null(reason)); }),
            {M::Ack}};
  if (verb == "place")
    return {msg([=](fbb& b) { return wire::CreatePlaceInQueueDirect(b, iid, second.c_str()); }),
            {M::Ack}};
  if (verb == "get")
    return {msg([=](fbb& b) { return wire::CreateGetInteraction(b, iid); }), {M::InteractionData}};
  if (verb == "props")
    return change_properties(st, iid);
  if (verb == "route")
    return {msg([=](fbb& b) { return wire::CreateRouteToDirect(b, iid, second.c_str()); }), {M::Ack}};
  throw std::runtime_error("unknown request '" + verb + "'");
}

request_msg build_snapshot(const step& st) {
  auto queue = st.args[0];
  auto offset = static_cast<std::uint32_t>(std::stoul(st.args[1]));
  auto limit = static_cast<std::uint32_t>(std::stoul(st.args[2]));
  return {msg([=](fbb& b) { return wire::CreateQueueSnapshotDirect(b, queue.c_str(), offset, limit); }),
          {M::QueueSnapshotData}};
}

request_msg build_subscription(const step& st) {
  auto queues = st.args;
  if (st.type == client_kind::reporter)
    return {msg([](fbb& b) { return wire::CreateSubscribeReporting(b); }), {M::Ack}};
  if (st.type == client_kind::vq)
    return {msg([queues](fbb& b) {
              auto qs = strings(b, queues);
              return wire::CreateVqSubscribeDirect(b, queues.empty() ? nullptr : &qs);
            }),
            {M::Ack}};
  return {msg([queues](fbb& b) {
            auto qs = strings(b, queues);
            return wire::CreateRegisterRouterDirect(b, &qs);
          }),
          {M::Ack}};
}

} // namespace parley::scenario
