#include "support/web_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace parley::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;

nlohmann::json web_reply::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

std::string web_reply::code() const {
  auto j = json();
  if (j.is_object() && j.contains("error") && j["error"].is_object())
    return j["error"].value("code", "");
  return {};
}

web_reply web_client::request(const std::string& method, const std::string& target, const std::string& body,
                              const std::map<std::string, std::string>& headers, bool with_csrf) {
  asio::io_context io;
  boost::beast::tcp_stream s{io};
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  s.expires_after(std::chrono::seconds{30});
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (auto& [k, v] : headers)
    req.set(k, v);
  if (!cookie_.empty())
    req.set(http::field::cookie, "parley_session=" + cookie_);
  if (!csrf_.empty() && with_csrf)
    req.set("X-CSRF-Token", csrf_);
  if (!bearer_.empty())
    req.set(http::field::authorization, "Bearer " + bearer_);
  req.body() = body;
  req.prepare_payload();
  http::write(s, req);
  boost::beast::flat_buffer buf;
  http::response_parser<http::string_body> p;
  p.body_limit(64 << 20);
  http::read(s, buf, p);
  auto& res = p.get();
  web_reply out{static_cast<int>(res.result_int()), res.body(), {}};
  for (auto& f : res) {
    std::string name{f.name_string()};
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& slot = out.headers[name];
    slot += (slot.empty() ? "" : "\n") + std::string{f.value()};
  }
  return out;
}

web_reply web_client::login(const std::string& user, const std::string& password) {
  auto r = post("/api/v1/session", {{"user", user}, {"password", password}});
  if (r.status == 201) {
    auto& set = r.headers["set-cookie"];
    auto b = set.find("parley_session=") + 15;
    cookie_ = set.substr(b, set.find(';', b) - b);
    csrf_ = r.json().value("csrf", "");
  }
  return r;
}

} // namespace parley::test
