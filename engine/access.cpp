#include "engine/access.hpp"

#include <algorithm>
#include <sstream>

namespace parley::engine {

const char* role_name(role r) noexcept {
  switch (r) {
    case role::none: return "none";
    case role::viewer: return "viewer";
    case role::supervisor: return "supervisor";
    case role::operator_: return "operator";
    case role::admin: return "admin";
  }
  return "?";
}

std::optional<role> parse_role(std::string_view name) noexcept {
  for (auto r : {role::viewer, role::supervisor, role::operator_, role::admin})
    if (name == role_name(r))
      return r;
  return std::nullopt;
}

const std::vector<action_rule>& action_rules() {
  // Never destroyed: console and web actors may still run while an embedding program exits.
  static const auto* all = new std::vector<action_rule>{
    {"status", role::viewer},
    {"session", role::viewer},
    {"show", role::viewer},
    {"trace", role::viewer},
    {"tenant.read", role::viewer},
    {"queue.read", role::viewer},
    {"agent.read", role::viewer},
    {"interaction.read", role::viewer},
    {"campaign.read", role::viewer},
    {"campaign.status", role::viewer},
    {"campaign.audit", role::viewer},
    {"campaign.actions", role::viewer},
    {"sequence.read", role::viewer},
    {"sequence.status", role::viewer},
    {"list.read", role::viewer},
    {"dnc.check", role::viewer},
    {"schedule.read", role::viewer},
    {"schedule.status", role::viewer},
    {"pulse.view", role::viewer},
    {"pulse.tabs", role::viewer},
    {"pulse.display", role::supervisor},
    {"pulse.widgets", role::supervisor},
    {"pulse.shared", role::operator_},
    {"campaign.start", role::supervisor},
    {"campaign.stop", role::supervisor},
    {"campaign.pause", role::supervisor},
    {"campaign.resume", role::supervisor},
    {"sequence.start", role::supervisor},
    {"sequence.stop", role::supervisor},
    {"agent.logout", role::supervisor},
    {"set", role::operator_},
    {"list.import", role::operator_},
    {"list.export", role::operator_},
    {"list.delete", role::operator_},
    {"list.create", role::operator_},
    {"mapping.save", role::operator_},
    {"mapping.delete", role::operator_},
    {"dnc.add", role::operator_},
    {"dnc.remove", role::operator_},
    {"dnc.import", role::operator_},
    {"schedule.enable", role::operator_},
    {"schedule.disable", role::operator_},
    {"audit.read", role::operator_},
    {"report.read", role::viewer},
    {"report.rebuild", role::admin},
    {"interaction.stop", role::admin},
    {"queue.clear", role::admin},
    {"drain", role::admin},
    {"undrain", role::admin},
    {"reload", role::admin},
    {"shutdown", role::admin},
    {"debug", role::admin},
    {"config.read", role::admin},
    {"user", role::admin},
    {"user.read", role::admin},
    {"user.change", role::admin},
  };
  return *all;
}

role needed_role(std::string_view action) noexcept {
  for (auto& r : action_rules())
    if (action == r.action)
      return r.needs;
  return role::admin;
}

bool principal::sees(const std::string& tenant) const {
  return all_tenants || std::find(tenants.begin(), tenants.end(), tenant) != tenants.end();
}

principal scoped(std::string name, role r, const std::string& tenants) {
  principal p{std::move(name), r, {}, false};
  std::istringstream in{tenants};
  for (std::string t; std::getline(in, t, ',');) {
    auto b = t.find_first_not_of(" \t"), e = t.find_last_not_of(" \t");
    if (b == std::string::npos)
      continue;
    t = t.substr(b, e - b + 1);
    if (t == "*")
      p.all_tenants = true;
    else
      p.tenants.push_back(t);
  }
  if (p.all_tenants)
    p.tenants.clear();
  return p;
}

} // namespace parley::engine
