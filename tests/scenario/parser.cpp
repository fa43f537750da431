// parser: a .scenario file -> script. Checks everything that can be checked without an
// engine (client names, verbs, arities, enum names, variables bound before use), so a typo
// fails at once with "file:line: why" instead of half-way through a run.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "scenario/scenario.hpp"

namespace parley::scenario {

std::optional<millis> parse_duration(std::string_view w) {
  std::size_t unit = w.size();
  while (unit > 0 && !std::isdigit(static_cast<unsigned char>(w[unit - 1])))
    --unit;
  if (unit == 0)
    return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + unit, n);
  if (ec != std::errc{} || end != w.data() + unit)
    return std::nullopt;
  auto suffix = w.substr(unit);
  if (suffix == "ms")
    return millis(n);
  if (suffix == "s")
    return millis(n * 1000);
  return std::nullopt;
}

std::string rest(const std::vector<std::string>& a, std::size_t from) {
  std::string out;
  for (auto i = from; i < a.size(); ++i)
    out += (out.empty() ? "" : " ") + a[i];
  return out;
}

std::optional<std::pair<std::string, std::string>> split_kv(const std::string& word) {
  auto eq = word.find('=');
  if (eq == std::string::npos || eq == 0)
    return std::nullopt;
  return std::pair{word.substr(0, eq), word.substr(eq + 1)};
}

bool is_literal_id(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const char* mode_name(mode m) noexcept {
  return m == mode::tcp ? "tcp" : "virtual";
}

std::optional<mode> mode_named(std::string_view word) {
  if (word == "tcp")
    return mode::tcp;
  if (word == "virtual")
    return mode::virtual_time;
  return std::nullopt;
}

std::optional<wire::ErrorCode> error_named(std::string_view word) {
  if (word == "none")
    return std::nullopt;
  return enum_named(wire::EnumValuesErrorCode(), wire::EnumNameErrorCode, word);
}

namespace {

const std::set<std::string> reserved{"gateway", "desktop", "reporter", "vq",    "router",
                                     "expect",  "snapshot", "wait",   "advance", "disconnect",
                                     "check",   "nothing", "state",   "agents", "via"};

const std::set<std::string> report_keys{"agent", "queue", "media", "tenant",
                                        "state", "agent_state", "reason"};

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in{line};
  std::vector<std::string> out;
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

/// The line without its comment: '#' at the start or after white space starts one.
std::string strip_comment(const std::string& line) {
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1]))))
      return line.substr(0, i);
  return line;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

struct parser {
  script out;
  std::set<std::string> bound;  // variables bound so far
  std::size_t line = 0;

  [[noreturn]] void fail(const std::string& why) const {
    throw parse_error(out.name + ":" + std::to_string(line) + ": " + why);
  }

  void arity(const step& s, std::size_t lo, std::size_t hi) const {
    if (s.args.size() < lo || s.args.size() > hi)
      fail("'" + s.verb + "' takes " + std::to_string(lo) + (lo == hi ? "" : "..")
           + (lo == hi ? "" : hi == SIZE_MAX ? "n" : std::to_string(hi)) + " argument(s), not "
           + std::to_string(s.args.size()));
  }

  void need_id(const std::string& w) const {
    if (!is_literal_id(w) && !bound.count(w))
      fail("'" + w + "' is not bound by an earlier submit or route_request (nor a literal id)");
  }

  void need_client(const std::string& name) const {
    if (!out.clients.count(name))
      fail("'" + name + "' is not a client declared above (gateway/desktop/reporter/vq/router NAME)");
  }

  void binds(const std::string& w) {
    if (is_literal_id(w) || w.find('=') != std::string::npos || reserved.count(w))
      fail("'" + w + "' cannot be a variable name");
    bound.insert(w);
  }

  void suffix_error(std::vector<std::string>& w, step& s) {
    auto arrow = std::find(w.begin(), w.end(), "->");
    if (arrow == w.end())
      return;
    std::vector<std::string> tail(arrow + 1, w.end());
    w.erase(arrow, w.end());
    if (tail.empty() || tail[0] != "error" || tail.size() > 2)
      fail("expected '-> error [CODE|CODE...]' at the end of the step");
    s.want_error = true;
    if (tail.size() == 2) {
      std::string codes = tail[1];
      for (std::size_t b = 0; b <= codes.size();) {
        auto e = std::min(codes.find('|', b), codes.size());
        auto name = codes.substr(b, e - b);
        auto code = error_named(name);
        if (!code)
          fail("'" + name + "' is not a wire::ErrorCode name");
        s.errors.push_back(*code);
        b = e + 1;
      }
    }
  }

  /// Strips a trailing `<keyword> <duration>` into s.timeout.
  void suffix_time(std::vector<std::string>& w, step& s, const char* keyword) {
    if (w.size() >= 2 && w[w.size() - 2] == keyword) {
      auto d = parse_duration(w.back());
      if (!d)
        fail("'" + w.back() + "' is not a duration (like 300ms or 2s)");
      s.timeout = *d;
      w.resize(w.size() - 2);
    }
  }

  void declare(const std::vector<std::string>& w, step& s) {
    static const std::map<std::string, client_kind> kinds{
      {"gateway", client_kind::gateway}, {"desktop", client_kind::desktop},
      {"reporter", client_kind::reporter}, {"vq", client_kind::vq}, {"router", client_kind::router}};
    s.kind = op::declare;
    s.type = kinds.at(w[0]);
    if (w.size() < 2)
      fail("'" + w[0] + "' needs a client name");
    s.client = w[1];
    s.args.assign(w.begin() + 2, w.end());
    if (reserved.count(s.client) || is_literal_id(s.client))
      fail("'" + s.client + "' is a reserved word, not a client name");
    if (out.clients.count(s.client))
      fail("client '" + s.client + "' is declared twice");
    if (!s.args.empty() && s.type != client_kind::vq && s.type != client_kind::router)
      fail("only vq and router clients take queue names");
    out.clients[s.client] = s.type;
  }

  void request(step& s) {
    const auto& a = s.args;
    const auto& v = s.verb;
    if (v == "login") {
      arity(s, 1, 2);
    } else if (v == "ready" || v == "acw" || v == "logout") {
      arity(s, 0, 0);
    } else if (v == "not_ready") {
    } else if (v == "submit") {
      arity(s, 1, SIZE_MAX);
      for (std::size_t i = 1; i < a.size(); ++i)
        if (!split_kv(a[i]))
          fail("submit takes key=value words after the variable, not '" + a[i] + "'");
      if (!s.want_error)
        binds(a[0]);
    } else if (v == "accept" || v == "leave" || v == "hold" || v == "resume" || v == "pull"
               || v == "get") {
      arity(s, 1, 1);
      need_id(a[0]);
    } else if (v == "reject" || v == "stop") {
      arity(s, 1, SIZE_MAX);
      need_id(a[0]);
    } else if (v == "transfer") {
      arity(s, 2, 2);
      need_id(a[0]);
      auto kv = split_kv(a[1]);
      if (!kv || (kv->first != "queue" && kv->first != "agent"))
        fail("transfer takes queue=NAME or agent=NAME");
    } else if (v == "conference" || v == "place") {
      arity(s, 2, 2);
      need_id(a[0]);
    } else if (v == "park") {
      arity(s, 1, 2);
      need_id(a[0]);
    } else if (v == "props") {
      arity(s, 2, SIZE_MAX);
      need_id(a[0]);
      std::string mode;
      for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "set" || a[i] == "remove")
          mode = a[i];
        else if (mode.empty())
          fail("props takes 'set k=v ...' and/or 'remove k ...'");
        else if (mode == "set" && !split_kv(a[i]))
          fail("props set takes key=value words, not '" + a[i] + "'");
      }
    } else if (v == "route") {
      arity(s, 2, 2);
      need_id(a[0]);
    } else {
      fail("unknown request '" + v + "'");
    }
  }

  void expect_event(step& s) {
    const auto& a = s.args;
    const auto& v = s.verb;
    if (event_type(v) == wire::Message::NONE)
      fail("unknown event '" + v + "'");
    out.watched.insert(event_type(v));
    if (v == "invite" || v == "props_changed") {
      arity(s, 1, 1);
      need_id(a[0]);
    } else if (v == "revoked" || v == "stopped") {
      arity(s, 1, SIZE_MAX);
      need_id(a[0]);
    } else if (v == "agent_state") {
      arity(s, 1, SIZE_MAX);
      if (!enum_named(wire::EnumValuesAgentState(), wire::EnumNameAgentState, a[0]))
        fail("'" + a[0] + "' is not an agent state (logged_out, not_ready, ready, after_call_work)");
    } else if (v == "party_added" || v == "placed") {
      arity(s, 2, 2);
      need_id(a[0]);
    } else if (v == "party_removed") {
      arity(s, 2, SIZE_MAX);
      need_id(a[0]);
    } else if (v == "taken") {
      arity(s, 2, 3);
      need_id(a[0]);
    } else if (v == "route_request") {
      arity(s, 2, 2);
      need_id(a[1]);
      binds(a[0]);
    } else if (v == "vq") {
      arity(s, 3, 4);
      if (!enum_named(wire::EnumValuesVqEventKind(), wire::EnumNameVqEventKind, a[0]))
        fail("'" + a[0] + "' is not a VqEventKind (entered, diverted, abandoned, cleared)");
      need_id(a[2]);
    } else if (v == "report") {
      arity(s, 1, SIZE_MAX);
      if (!enum_named(wire::EnumValuesReportingKind(), wire::EnumNameReportingKind, a[0]))
        fail("'" + a[0] + "' is not a ReportingKind");
      for (std::size_t i = 1; i < a.size(); ++i) {
        auto kv = split_kv(a[i]);
        if (!kv && i == 1) {
          need_id(a[i]);
        } else if (!kv || !report_keys.count(kv->first)) {
          fail("report takes [ID] then agent= queue= media= tenant= state= agent_state= reason=, not '"
               + a[i] + "'");
        } else if (kv->first == "state"
                   && !enum_named(wire::EnumValuesInteractionState(), wire::EnumNameInteractionState,
                                  kv->second)) {
          fail("'" + kv->second + "' is not an interaction state");
        } else if (kv->first == "agent_state"
                   && !enum_named(wire::EnumValuesAgentState(), wire::EnumNameAgentState, kv->second)) {
          fail("'" + kv->second + "' is not an agent state");
        }
      }
    }
  }

  /// `expect state|agents <id> ... via <client>`
  void expect_info(std::vector<std::string> w, step& s) {
    if (w.size() < 5 || w[w.size() - 2] != "via")
      fail("expected 'expect " + w[1] + " ID ... via CLIENT'");
    s.kind = w[1] == "state" ? op::expect_state : op::expect_agents;
    s.client = w.back();
    need_client(s.client);
    s.args.assign(w.begin() + 2, w.end() - 2);
    need_id(s.args[0]);
    if (s.kind == op::expect_state) {
      if (s.args.size() != 2
          || !enum_named(wire::EnumValuesInteractionState(), wire::EnumNameInteractionState, s.args[1]))
        fail("expected 'expect state ID submitted|queued|offered|handled|parked|stopped via CLIENT'");
      s.verb = s.args[1];
      s.args.resize(1);
    }
  }

  step parse_step(const std::string& text) {
    step s;
    s.line = line;
    s.text = text;
    auto w = words_of(text);
    if (w[0] == "gateway" || w[0] == "desktop" || w[0] == "reporter" || w[0] == "vq"
        || w[0] == "router") {
      declare(w, s);
      return s;
    }
    if (w[0] == "snapshot" || (w[0] != "expect" && w.size() >= 2 && out.clients.count(w[0])))
      suffix_error(w, s);
    if (w[0] == "expect") {
      if (w.size() < 3)
        fail("expect what?");
      if (w[1] == "nothing") {
        s.kind = op::expect_nothing;
        s.timeout = millis{300};
        suffix_time(w, s, "for");
        if (w.size() != 3)
          fail("expected 'expect nothing CLIENT [for T]'");
        s.client = w[2];
        need_client(s.client);
      } else if (w[1] == "state" || w[1] == "agents") {
        expect_info(w, s);
      } else {
        s.kind = op::expect_event;
        suffix_time(w, s, "within");
        s.client = w[1];
        need_client(s.client);
        s.verb = w[2];
        s.args.assign(w.begin() + 3, w.end());
        expect_event(s);
      }
    } else if (w[0] == "snapshot") {
      s.kind = op::snapshot;
      if (w.size() < 5)
        fail("expected 'snapshot CLIENT QUEUE OFFSET LIMIT [expect IDS...]'");
      s.client = w[1];
      need_client(s.client);
      if (!is_literal_id(w[3]) || !is_literal_id(w[4]))
        fail("snapshot offset and limit must be numbers");
      s.args.assign(w.begin() + 2, w.begin() + 5);
      if (w.size() > 5) {
        if (w[5] != "expect")
          fail("expected 'expect' after the snapshot limit");
        s.check_items = true;
        for (std::size_t i = 6; i < w.size(); ++i) {
          need_id(w[i]);
          s.args.push_back(w[i]);
        }
      }
    } else if (w[0] == "wait" || w[0] == "advance") {
      s.kind = op::wait;
      auto d = w.size() == 2 ? parse_duration(w[1]) : std::nullopt;
      if (!d)
        fail("expected '" + w[0] + " DURATION' (like 200ms or 1s)");
      s.timeout = *d;
    } else if (w[0] == "disconnect") {
      s.kind = op::disconnect;
      if (w.size() != 2)
        fail("expected 'disconnect CLIENT'");
      s.client = w[1];
      need_client(s.client);
    } else if (w[0] == "check") {
      if (w.size() != 2 || w[1] != "conservation")
        fail("expected 'check conservation'");
      s.kind = op::conservation;
    } else {
      need_client(w[0]);
      if (w.size() < 2)
        fail("'" + w[0] + "' what? (a request verb is missing)");
      s.kind = op::request;
      s.client = w[0];
      s.verb = w[1];
      s.args.assign(w.begin() + 2, w.end());
      request(s);
    }
    if (s.want_error && s.kind == op::snapshot && s.check_items)
      fail("a snapshot cannot both expect items and an error");
    return s;
  }

  /// `skip tcp|virtual: why this file cannot run in that mode`
  void directive(const std::string& content) {
    auto colon = content.find(':');
    auto name = trim(content.substr(5, colon == std::string::npos ? std::string::npos : colon - 5));
    auto m = mode_named(name);
    if (colon == std::string::npos || !m)
      fail("expected 'skip tcp: WHY' or 'skip virtual: WHY'");
    auto why = trim(content.substr(colon + 1));
    if (why.empty())
      fail("'skip " + name + ":' needs a reason: why can this file not run in that mode?");
    if (!out.skip.emplace(*m, why).second)
      fail("'skip " + name + "' is given twice");
    if (out.skip.size() == 2)
      fail("a scenario skipped in both modes never runs");
  }

  void parse(const std::string& text) {
    enum { before, config, steps } section = before;
    std::vector<std::string> toml(1);
    std::istringstream in{text};
    for (std::string raw; std::getline(in, raw);) {
      ++line;
      toml.emplace_back();
      auto bare = trim(raw);
      if (bare == "steps:" && section != steps) {
        section = steps;
        continue;
      }
      if (section == config) {
        toml.back() = raw;
        continue;
      }
      auto content = trim(strip_comment(raw));
      if (content.empty())
        continue;
      if (content == "config:" && section == before) {
        section = config;
        continue;
      }
      if (section == before && content.rfind("skip ", 0) == 0) {
        directive(content);
        continue;
      }
      if (section == before)
        fail("expected 'config:' or 'steps:' (or a 'skip MODE: why' line) before anything else");
      out.steps.push_back(parse_step(content));
    }
    if (section != steps)
      fail("no 'steps:' line");
    for (std::size_t i = 1; i < toml.size(); ++i)
      out.toml += toml[i] + "\n";
  }
};

} // namespace

script parse(const std::string& text, const std::string& file) {
  parser p;
  p.out.file = file;
  auto slash = file.find_last_of('/');
  p.out.name = slash == std::string::npos ? file : file.substr(slash + 1);
  p.parse(text);
  return std::move(p.out);
}

script parse_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw parse_error(path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

} // namespace parley::scenario
