// Reading callgrind's dumps and the committed baseline (guard.hpp).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bench/guard/guard.hpp"

namespace parley::guard {

namespace {

/// "fn=(12) name" or "fn=(12)": the name, remembered by its id.
const std::string& name_of(const std::string& rest, std::map<std::string, std::string>& names) {
  auto close = rest.find(')');
  auto id = rest.substr(0, close + 1);
  if (close + 1 < rest.size())
    names[id] = rest.substr(close + 2);
  return names[id];
}

bool in_storage(const std::string& fn) {
  return fn.rfind("parley::storage::", 0) == 0;
}

} // namespace

std::map<std::string, region_cost> read_dumps(const std::string& dir) {
  // A dump made by CALLGRIND_DUMP_STATS_AT("stop NAME") says so in its header
  // ("desc: Trigger: Client Request: stop NAME") and carries the region's total in
  // "summary:" (or "totals:"); the first (only) event is Ir. The storage share is the
  // inclusive cost of every call from outside parley::storage into it (the call lines:
  // "calls=N ..." and then "POSITION INCLUSIVE_COST").
  std::map<std::string, region_cost> out;
  for (auto& f : std::filesystem::directory_iterator{dir}) {
    if (f.path().filename().string().rfind("callgrind.out", 0) != 0)
      continue;
    std::ifstream in{f.path()};
    std::string line, name;
    std::map<std::string, std::string> fns;
    region_cost cost;
    bool have_total = false, caller_storage = false, callee_storage = false, call_cost = false;
    const std::string trigger = "desc: Trigger: Client Request: stop ";
    while (std::getline(in, line)) {
      if (call_cost) {
        call_cost = false;
        std::istringstream nums{line};
        std::string pos;
        std::uint64_t c = 0;
        if ((nums >> pos >> c) && callee_storage && !caller_storage)
          cost.storage += c;
      } else if (line.rfind("fn=", 0) == 0) {
        caller_storage = in_storage(name_of(line.substr(3), fns));
      } else if (line.rfind("cfn=", 0) == 0) {
        callee_storage = in_storage(name_of(line.substr(4), fns));
      } else if (line.rfind("calls=", 0) == 0) {
        call_cost = true;
      } else if (line.rfind(trigger, 0) == 0) {
        name = line.substr(trigger.size());
      } else if (line.rfind("summary:", 0) == 0 || line.rfind("totals:", 0) == 0) {
        std::istringstream nums{line.substr(line.find(':') + 1)};
        have_total = static_cast<bool>(nums >> cost.total);
      }
    }
    if (name.empty())
      continue;  // the dump at exit, outside every region
    if (!have_total)
      throw std::runtime_error("no total in " + f.path().string());
    if (cost.storage > cost.total)  // a storage call under way when the region started
      throw std::runtime_error("region " + name + ": a storage call spanned its start (" + f.path().string() + ")");
    if (!out.emplace(name, cost).second)
      throw std::runtime_error("two dumps for region " + name + " in " + dir);
  }
  return out;
}

baseline read_baseline(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read the baseline " + path);
  auto j = nlohmann::json::parse(in);
  baseline b;
  b.build = j.at("build").get<std::string>();
  for (auto& [name, f] : j.at("figures").items()) {
    b.per_op[name] = f.at("instructions_per_op").get<double>();
    b.tolerance[name] = f.at("tolerance").get<double>();
    b.ops[name] = f.at("ops").get<std::uint64_t>();
  }
  return b;
}

std::vector<figure> split_storage(const std::vector<figure>& figs) {
  std::vector<figure> out;
  for (auto& f : figs) {
    auto engine = f;
    engine.instructions = f.instructions - f.storage;
    engine.storage = 0;
    auto storage = f;
    storage.name += ".storage";
    storage.op = "inside the storage backends, per " + f.name;
    storage.instructions = f.storage;
    out.push_back(engine);
    out.push_back(storage);
  }
  return out;
}

void write_baseline(const std::string& path, const std::vector<figure>& figs, double tolerance,
                    double storage_tolerance, const std::string& note) {
  nlohmann::ordered_json j;
  j["about"] = "parley-guard: instructions (callgrind Ir, engine side only) per operation over a "
               "fixed workload; NAME counts every instruction outside the storage backends, "
               "NAME.storage those inside them (SQLite: commits depend on timing). A run fails when a "
               "figure grows past instructions_per_op x (1 + tolerance). Rewrite with bench/guard/update-baseline.sh, in the same commit as "
               "the change that moved the figures (docs/benchmarks.md, \"Regression guard\").";
  j["build"] = build_id();
  j["measured"] = note;
  for (auto& f : figs) {
    bool storage = f.name.size() > 8 && f.name.compare(f.name.size() - 8, 8, ".storage") == 0;
    j["figures"][f.name] = {{"instructions_per_op", static_cast<std::uint64_t>(f.per_op() + 0.5)},
                            {"tolerance", storage ? storage_tolerance : tolerance},
                            {"ops", f.ops},
                            {"op", f.op}};
  }
  std::ofstream out{path};
  out << j.dump(2) << "\n";
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

std::string build_id() {
#if defined(__clang__)
  std::string compiler = "clang++ " __clang_version__;
#elif defined(__GNUC__)
  std::string compiler = "g++ " __VERSION__;
#else
  std::string compiler = "unknown compiler";
#endif
  return compiler + " " PARLEY_GUARD_BUILD_TYPE;
}

} // namespace parley::guard
