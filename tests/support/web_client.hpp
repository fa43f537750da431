// web_client: a blocking HTTP/1.1 client for the web API tests (Boost.Beast), one connection
// per request. It keeps a browser's session cookie and CSRF token after login(), or sends a
// bearer token; JSON in, JSON out.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace parley::test {

struct web_reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names; repeated ones joined by "\n"
  nlohmann::json json() const;
  /// The error code of the API's error shape ("" when not an error body).
  std::string code() const;
};

class web_client {
public:
  explicit web_client(std::uint16_t port) : port_(port) {}

  /// Any request; `headers` are sent as given, plus the session cookie, the CSRF token
  /// (with_csrf) or the bearer token this client holds.
  web_reply request(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {}, bool with_csrf = true);
  web_reply get(const std::string& target) { return request("GET", target); }
  web_reply post(const std::string& target, const nlohmann::json& body = nlohmann::json::object()) {
    return request("POST", target, body.dump(), {{"Content-Type", "application/json"}});
  }

  /// POST /api/v1/session: keeps the cookie and the CSRF token; the reply.
  web_reply login(const std::string& user, const std::string& password);
  void use_token(const std::string& token) { bearer_ = token; }
  const std::string& cookie() const { return cookie_; }
  const std::string& csrf() const { return csrf_; }

private:
  std::uint16_t port_;
  std::string cookie_, csrf_, bearer_;
};

} // namespace parley::test
