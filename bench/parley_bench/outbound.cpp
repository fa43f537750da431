#include "bench/parley_bench/outbound.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <poll.h>

#include "bench/parley_bench/scenarios.hpp"

namespace parley::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

tcp::socket connect_to(asio::io_context& io, const std::string& host, std::uint16_t port) {
  tcp::socket s{io};
  boost::system::error_code ec;
  s.connect({asio::ip::make_address(host, ec), port}, ec);
  if (ec)
    throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port) + ": "
                             + ec.message());
  return s;
}

/// Appends what the socket has within `until` to `buf`; false on timeout or end of stream.
bool read_more(tcp::socket& s, std::string& buf, steady::time_point until) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - steady::now()).count();
  if (left <= 0)
    return false;
  pollfd p{s.native_handle(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left)) <= 0)
    return false;
  char tmp[65536];
  boost::system::error_code ec;
  auto n = s.read_some(asio::buffer(tmp), ec);
  if (ec)
    return false;
  buf.append(tmp, n);
  return true;
}

std::uint64_t field_u64(const std::string& line, const std::string& key, bool& found) {
  auto at = line.find(" " + key + "=");
  if (at == std::string::npos) {
    found = false;
    return 0;
  }
  return std::stoull(line.substr(at + key.size() + 2));
}

} // namespace

// -- console_link ---------------------------------------------------------------------------

struct console_link::impl {
  asio::io_context io;
  tcp::socket sock;
  std::string buf;
  impl(const std::string& host, std::uint16_t port) : sock(connect_to(io, host, port)) {}
};

console_link::console_link(const std::string& host, std::uint16_t port)
  : p_(std::make_unique<impl>(host, port)) {}

console_link::~console_link() = default;

std::string console_link::ask(const std::string& line, std::chrono::milliseconds limit) {
  boost::system::error_code ec;
  asio::write(p_->sock, asio::buffer(line + "\n"), ec);
  if (ec)
    throw std::runtime_error("console: cannot send \"" + line + "\": " + ec.message());
  auto until = steady::now() + limit;
  for (;;) {
    // Every answer ends with an empty line; progress lines of a long job come before it.
    if (auto pos = p_->buf.find("\n\n"); pos != std::string::npos) {
      auto out = p_->buf.substr(0, pos + 1);
      p_->buf.erase(0, pos + 2);
      return out;
    }
    if (p_->buf == "\n") {
      p_->buf.clear();
      return {};
    }
    if (!read_more(p_->sock, p_->buf, until))
      throw std::runtime_error("console: no complete answer to \"" + line + "\" within "
                               + std::to_string(limit.count()) + " ms (got \"" + p_->buf + "\")");
  }
}

// -- campaign status ------------------------------------------------------------------------

campaign_status parse_campaign_status(const std::string& line) {
  if (line.rfind("campaign ", 0) != 0)
    throw std::runtime_error("not a campaign status: " + line);
  campaign_status s;
  std::istringstream words{line};
  std::string w, name;
  words >> w >> name >> s.state;
  bool ok = true;
  s.dialed = field_u64(line, "dialed", ok);
  s.answered = field_u64(line, "answered", ok);
  s.abandoned = field_u64(line, "abandoned", ok);
  s.denied = field_u64(line, "denied", ok);
  s.in_flight = field_u64(line, "in_flight", ok);
  s.buffered = field_u64(line, "buffered", ok);
  if (auto at = line.find(" agents="); at != std::string::npos) {
    auto v = line.substr(at + 8);
    s.ready_agents = std::stoull(v);
    if (auto slash = v.find('/'); slash != std::string::npos)
      s.agents = std::stoull(v.substr(slash + 1));
  }
  if (auto at = line.find(" abandon_rate="); at != std::string::npos)
    s.abandon_rate = std::stod(line.substr(at + 14)) / 100;
  if (!ok)
    throw std::runtime_error("campaign status without the expected fields: " + line);
  return s;
}

campaign_status campaign_status_of(console_link& con, const std::string& campaign) {
  return parse_campaign_status(con.ask("campaign status " + campaign));
}

// -- contact lists --------------------------------------------------------------------------

void write_contact_list(const std::string& dir, const std::string& file, std::uint64_t rows,
                        std::uint64_t first, bool email) {
  std::filesystem::create_directories(dir);
  std::ofstream out{std::filesystem::path{dir} / file, std::ios::binary};
  if (!out)
    throw std::runtime_error("cannot write " + dir + "/" + file);
  out << (email ? "phone,tz,customer,email\n" : "phone,tz,customer\n");
  char line[96];
  for (std::uint64_t i = first; i < first + rows; ++i) {
    auto id = static_cast<unsigned long long>(i);
    auto n = email ? std::snprintf(line, sizeof line, "+1555%08llu,UTC,c%llu,c%llu@example.com\n",
                                   id % 100'000'000, id, id)
                   : std::snprintf(line, sizeof line, "+1555%08llu,UTC,c%llu\n", id % 100'000'000, id);
    out.write(line, n);
  }
  if (!out.flush())
    throw std::runtime_error("cannot write " + dir + "/" + file);
}

std::uint64_t import_list(console_link& con, const std::string& name, const std::string& file,
                          std::uint64_t rows, std::chrono::milliseconds limit) {
  auto answer = con.ask("list import " + name + " " + file, limit);
  // "list NAME (new): R row(s) read, I imported, X rejected"
  auto at = answer.rfind(" row(s) read, ");  // after the progress lines
  if (answer.rfind("error", 0) == 0 || at == std::string::npos)
    throw std::runtime_error("list import " + name + ": " + answer);
  auto imported = std::stoull(answer.substr(at + 14));
  if (imported != rows)
    throw std::runtime_error("list import " + name + ": " + std::to_string(imported) + " of "
                             + std::to_string(rows) + " rows imported: " + answer);
  return imported;
}

// -- /metrics -------------------------------------------------------------------------------

double metric_sum(const std::string& host, std::uint16_t port, const std::string& name) {
  asio::io_context io;
  auto s = connect_to(io, host, port);
  boost::system::error_code ec;
  asio::write(s, asio::buffer("GET /metrics HTTP/1.1\r\nHost: " + host
                              + "\r\nConnection: close\r\n\r\n"),
              ec);
  if (ec)
    throw std::runtime_error("/metrics: " + ec.message());
  std::string body;
  auto until = steady::now() + std::chrono::seconds{10};
  while (read_more(s, body, until)) {
  }
  if (body.find("HTTP/1.1 200") != 0 && body.find("HTTP/1.0 200") != 0)
    throw std::runtime_error("/metrics did not answer 200: " + body.substr(0, 80));
  std::istringstream lines{body};
  double sum = 0;
  bool found = false;
  for (std::string l; std::getline(lines, l);) {
    if (l.size() <= name.size() || l.compare(0, name.size(), name) != 0)
      continue;
    auto next = l[name.size()];
    if (next != ' ' && next != '{')
      continue;  // another family whose name starts the same
    auto space = l.rfind(' ');
    sum += std::stod(l.substr(space + 1));
    found = true;
  }
  return found ? sum : std::nan("");
}

// -- TOML -----------------------------------------------------------------------------------

std::string gateway_toml(const gateway_mix& g) {
  // TOML floats need their decimal point.
  auto real = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return std::string{buf};
  };
  std::ostringstream t;
  t << "[outbound.gateway]\nseed = " << g.seed << "\nanswer = " << real(g.answer)
    << "\nbusy = " << real(g.busy) << "\nno_answer = " << real(g.no_answer)
    << "\nmachine = " << real(g.machine) << "\nfax = 0.0\nsit = 0.0\ndropped = 0.0\nring_mean_ms = "
    << g.ring_mean_ms
    << "\nno_answer_after_ms = " << g.no_answer_after_ms << "\ntalk_mean_ms = " << g.talk_mean_ms
    << "\nmax_lines = " << g.max_lines << "\n";
  return t.str();
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s)
    out += (c == '"' || c == '\\') ? std::string{'\\', c} : std::string{c};
  return out + "\"";
}

std::string predictive_campaign_toml(const std::string& name, const std::string& list,
                                     const std::string& queue, const std::string& extra) {
  return "\n[[campaigns]]\nname = " + toml_string(name) + "\nlists = [" + toml_string(list)
         + "]\nmode = \"predictive\"\nqueue = " + toml_string(queue)
         + "\nwindow = \"00:00-24:00\"\n" + extra;
}

} // namespace parley::bench
