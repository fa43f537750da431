// SMS and email helpers (messages.hpp).
#include "actors/outbound/messages.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace parley::outbound {

namespace {

nlohmann::json custom_of(const storage::record_row& r) {
  auto j = nlohmann::json::parse(r.custom.empty() ? "{}" : r.custom, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::string text_of(const nlohmann::json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_null())
    return {};
  return v.dump();
}

} // namespace

std::string parse_email(const std::string& text, std::string& out) {
  auto first = text.find_first_not_of(" \t");
  auto last = text.find_last_not_of(" \t");
  if (first == std::string::npos)
    return "empty";
  auto s = text.substr(first, last - first + 1);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  auto at = s.find('@');
  if (s.size() > 254 || at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos)
    return "\"" + text + "\" is not an email address";
  auto domain = s.substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string::npos || dot == 0 || domain.back() == '.')
    return "\"" + text + "\" is not an email address (its domain has no dot)";
  for (unsigned char c : s)
    if (std::isspace(c) || std::iscntrl(c) || c == ',' || c == ';' || c == '<' || c == '>')
      return "\"" + text + "\" is not an email address";
  out = std::move(s);
  return {};
}

bool email_of(const storage::record_row& r, std::string& out) {
  auto j = custom_of(r);
  auto it = j.find("email");
  return it != j.end() && parse_email(text_of(*it), out).empty();
}

std::string fill_template(const std::string& tmpl, const storage::record_row& r) {
  std::string out;
  nlohmann::json custom;
  bool parsed = false;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
      out += c;  // {{ and }}: a brace
      ++i;
      continue;
    }
    auto close = c == '{' ? tmpl.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += c;
      continue;
    }
    auto name = tmpl.substr(i + 1, close - i - 1);
    i = close;
    if (name == "phone")
      out += r.phone;
    else if (name == "customer_id")
      out += r.customer_id;
    else if (name == "tz")
      out += r.tz;
    else if (name == "record_id")
      out += std::to_string(r.id);
    else {
      if (!parsed) {
        custom = custom_of(r);
        parsed = true;
      }
      if (auto it = custom.find(name); it != custom.end())
        out += text_of(*it);
    }
  }
  return out;
}

} // namespace parley::outbound
