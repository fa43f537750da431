// parley: the console client (and `parley plan`, the staffing planner: sim/plan_command.hpp).
// Talks the admin console's line protocol (see
// docs/console.md) with line editing, history and tab completion (libedit), or runs
// commands given with -c and exits — for scripts: exit 0 when no answer has a line
// starting with "error: " (the console's error convention), 1 when one does (a refused
// `reload`, a failed `auth` ...), 2 when the console cannot be reached or closes.
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <editline/readline.h>

#include "engine/console/console_actor.hpp"
#include "sim/plan_command.hpp"
#include "protocol/wire.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// An answer is an error when one of its lines starts with "error: " (a job may stream
/// progress lines before it fails).
bool is_error(const std::string& answer) {
  for (std::size_t at = 0; at < answer.size();) {
    if (answer.compare(at, 7, "error: ") == 0)
      return true;
    auto nl = answer.find('\n', at);
    if (nl == std::string::npos)
      break;
    at = nl + 1;
  }
  return false;
}

class console_link {
public:
  console_link(const std::string& host, const std::string& port) : sock_(io_) {
    tcp::resolver r{io_};
    asio::connect(sock_, r.resolve(host, port));
  }

  void send(const std::string& line) { asio::write(sock_, asio::buffer(line + "\n")); }

  /// Reads one answer (up to its empty line), printing it as it arrives; with `stdin_ends`,
  /// a line typed meanwhile is sent (it stops a trace). False when the console closed.
  bool answer(std::string& text, bool stdin_ends) {
    text.clear();
    for (;;) {
      // Complete lines are printed as they come (a trace streams them); an empty line ends
      // the answer.
      for (auto nl = buf_.find('\n'); nl != std::string::npos; nl = buf_.find('\n')) {
        auto line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (line.empty())
          return true;
        std::cout << line << "\n" << std::flush;
        text += line + "\n";
      }
      pollfd fds[2] = {{sock_.native_handle(), POLLIN, 0}, {0, POLLIN, 0}};
      if (::poll(fds, stdin_ends ? 2 : 1, -1) < 0)
        return false;
      if (stdin_ends && (fds[1].revents & POLLIN)) {
        std::string ignored;
        std::getline(std::cin, ignored);
        send("");
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        char tmp[4096];
        boost::system::error_code ec;
        auto n = sock_.read_some(asio::buffer(tmp), ec);
        if (ec)
          return false;
        buf_.append(tmp, n);
      }
    }
  }

private:
  asio::io_context io_;
  tcp::socket sock_;
  std::string buf_;
};

// -- completion ------------------------------------------------------------------------

/// Words that may follow a command word.
std::vector<std::string> followers(const std::string& first) {
  if (first == "show")
    return {"connections", "agents", "queues", "interactions", "stats", "lists", "campaigns",
            "sequences", "gateways"};
  if (first == "trace")
    return {"interaction"};
  if (first == "set")
    return {"log-level"};
  if (first == "agent")
    return {"logout"};
  if (first == "list")
    return {"import", "export", "delete"};
  if (first == "campaign")
    return {"start", "stop", "pause", "resume", "status", "audit", "actions"};
  if (first == "sequence")
    return {"start", "stop", "status"};
  if (first == "dnc")
    return {"add", "remove", "check", "import"};
  if (first == "help") {
    std::vector<std::string> out;
    for (auto& c : parley::engine::console_commands())
      out.push_back(c.name);
    return out;
  }
  return {};
}

std::vector<std::string> candidates;

char* generate(const char* text, int state) {
  static std::size_t next;
  if (state == 0)
    next = 0;
  auto len = std::strlen(text);
  while (next < candidates.size()) {
    auto& c = candidates[next++];
    if (c.compare(0, len, text) == 0)
      return ::strdup(c.c_str());
  }
  return nullptr;
}

char** complete(const char* text, int start, int) {
  auto words = parley::engine::split_words(std::string(rl_line_buffer, start));
  candidates.clear();
  if (words.empty()) {
    for (auto& c : parley::engine::console_commands())
      candidates.push_back(c.name);
  } else if (words.size() == 1) {
    candidates = followers(words[0]);
  }
  return rl_completion_matches(text, generate);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"parley: the Parley admin console client, and the staffing planner (parley plan)"};
  app.footer("Exit status with -c: 0 when every answer succeeded, 1 when one was an error\n"
             "(a line starting with \"error: \"), 2 when the console cannot be reached.\n"
             "Commands: docs/console.md, or `help` at the prompt. parley plan --help: docs/planning.md.");
  std::string host = "127.0.0.1";
  std::string port = "7123";
  std::string token;
  std::vector<std::string> commands;
  bool version = false;
  app.add_option("--host", host, "console address")->capture_default_str();
  app.add_option("-p,--port", port, "console port")->capture_default_str();
  app.add_option("-t,--token", token, "authenticate first (auth TOKEN); or PARLEY_TOKEN")
    ->envname("PARLEY_TOKEN");
  app.add_option("-c,--command", commands, "run this command and exit (repeatable)")
    ->expected(1)
    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--version", version, "print the version and exit");
  parley::sim::plan_command plan;
  auto* plan_cmd = parley::sim::add_plan_command(app, plan);
  CLI11_PARSE(app, argc, argv);
  if (plan_cmd->parsed())
    return parley::sim::run_plan(plan);
  if (version) {
    std::cout << "parley " << PARLEY_VERSION << " (protocol " << parley::protocol::protocol_version
              << ")\n";
    return 0;
  }

  std::unique_ptr<console_link> link;
  try {
    link = std::make_unique<console_link>(host, port);
  } catch (const std::exception& e) {
    std::cerr << "parley: cannot reach the console at " << host << ":" << port << ": " << e.what()
              << "\n";
    return 2;
  }
  std::string text;
  if (!token.empty()) {
    link->send("auth " + token);
    if (!link->answer(text, false))
      return 2;
    if (is_error(text))
      return 1;
  }
  if (!commands.empty()) {
    bool failed = false;
    for (auto& c : commands) {
      link->send(c);
      if (!link->answer(text, false))
        return 2;
      failed |= is_error(text);
    }
    return failed ? 1 : 0;
  }

  // Interactive: line editing, history kept in ~/.parley_history, tab completion.
  std::string history;
  if (const char* home = std::getenv("HOME"))
    history = std::string{home} + "/.parley_history";
  using_history();
  if (!history.empty())
    read_history(history.c_str());
  rl_attempted_completion_function = complete;
  std::cout << "parley console at " << host << ":" << port << " — help lists the commands, "
            << "quit leaves\n";
  while (char* raw = readline("parley> ")) {
    std::string line{raw};
    std::free(raw);
    if (line.empty())
      continue;
    add_history(line.c_str());
    link->send(line);
    bool tracing = line.rfind("trace ", 0) == 0;
    if (!link->answer(text, tracing) || line == "quit")
      break;
  }
  if (!history.empty())
    write_history(history.c_str());
  return 0;
}
