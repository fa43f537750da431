#include "actors/outbound/import_guard.hpp"

#include <memory>
#include <vector>

#include <openssl/evp.h>

namespace parley::outbound {

std::string content_digest(std::istream& in, std::string& hex) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return "SHA-256 is not available (OpenSSL)";
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0)
      EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad())
    return "the file could not be read to its end";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &n);
  static const char* digits = "0123456789abcdef";
  hex.clear();
  for (unsigned i = 0; i < n; ++i) {
    hex += digits[md[i] >> 4];
    hex += digits[md[i] & 0xf];
  }
  in.clear();
  in.seekg(0);
  if (!in)
    return "the input cannot be read twice (it is fingerprinted before it is imported)";
  return {};
}

bool phone_set::insert(const std::string& phone) {
  bool e164 = phone.size() >= 9 && phone.size() <= 16 && phone[0] == '+' && phone[1] != '0';
  std::uint64_t n = 0;
  for (std::size_t i = 1; e164 && i < phone.size(); ++i) {
    e164 = phone[i] >= '0' && phone[i] <= '9';
    n = n * 10 + static_cast<std::uint64_t>(phone[i] - '0');
  }
  return e164 ? numbers_.insert(n).second : other_.insert(phone).second;
}

} // namespace parley::outbound
