// config_describe: what the option table tells about keys — the differences between two
// configs (a reload's diff), which keys a reload applies (the table's `reloadable` column)
// and the listing `parleyd --config-keys` prints.
#include <sstream>

#include "engine/config_entries.hpp"
#include "engine/config_options.hpp"

namespace parley::engine {

using config_detail::options;

namespace {

bool secret_key(const std::string& key) {
  return key.rfind("auth.", 0) == 0 || key == "storage.dsn"
         || (key.rfind("console.", 0) == 0 && key.size() > 6
             && key.compare(key.size() - 6, 6, "_token") == 0);
}

} // namespace

std::vector<std::pair<std::string, std::string>> effective_config(const config& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& o : options()) {
    auto shown = o.show(c);
    if (secret_key(o.key) && !shown.empty() && shown != "\"\"")
      shown = "(secret)";
    out.emplace_back(o.key, std::move(shown));
  }
  return out;
}

bool reloadable_key(const std::string& key) {
  auto* o = config_detail::find_option(key);
  return o && o->reloadable;
}

config with_reloaded(const config& running, const config& next) {
  config out = running;
  for (auto& o : options())
    if (o.reloadable && o.copy)
      o.copy(out, next);
  return out;
}

std::vector<config_change> config_diff(const config& running, const config& next) {
  std::vector<config_change> out;
  for (auto& o : options()) {
    auto before = o.show(running);
    auto after = o.show(next);
    if (before == after)
      continue;
    if (secret_key(o.key))
      before = after = "(secret)";
    out.push_back({o.key, std::move(before), std::move(after), o.reloadable});
  }
  // Not in the option table: compared whole, and never reloadable.
  if (running.domain.queues != next.domain.queues)
    out.push_back({"queues", "[[queues]]", "[[queues]]", false});
  if (running.domain.groups != next.domain.groups)
    out.push_back({"agent_groups", "[[agent_groups]]", "[[agent_groups]]", false});
  if (running.domain.outbound.campaigns != next.domain.outbound.campaigns)
    out.push_back({"campaigns", "[[campaigns]]", "[[campaigns]]", false});
  if (running.domain.outbound.schedule != next.domain.outbound.schedule)
    out.push_back({"schedule", "[[schedule]]", "[[schedule]]", false});
  if (running.domain.outbound.sequences != next.domain.outbound.sequences)
    out.push_back({"sequences", "[[sequences]]", "[[sequences]]", false});
  return out;
}

std::string describe_config() {
  config defaults;
  std::ostringstream out;
  out << "# Every key parleyd reads: KEY = DEFAULT    # [reload|restart] meaning\n"
         "# [reload]: SIGHUP (or the console's reload) applies a new value to the running\n"
         "# engine. [restart]: only a restart does; a reload that changes one applies nothing.\n";
  for (auto& o : options())
    out << o.key << " = " << o.show(defaults) << "    # [" << (o.reloadable ? "reload" : "restart")
        << "] " << o.help << "\n";
  for (auto& t : config_detail::entry_tables()) {
    out << "\n[[" << t.name << "]]    # [restart] " << t.help << "\n";
    for (auto& k : t.keys)
      out << k.key << " = " << k.default_text << "    # " << k.help << "\n";
  }
  return out.str();
}

} // namespace parley::engine
