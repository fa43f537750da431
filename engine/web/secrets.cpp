#include "engine/web/secrets.hpp"

#include <sodium.h>

#include <stdexcept>

namespace parley::engine::web {

namespace {

void init() {
  static const bool ready = sodium_init() >= 0;
  if (!ready)
    throw std::runtime_error("libsodium could not be initialized");
}

} // namespace

std::string hash_password(const std::string& password) {
  init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE)
      != 0)
    throw std::runtime_error("argon2id: out of memory");
  return out;
}

bool password_matches(const std::string& stored_hash, const std::string& password) {
  init();
  if (stored_hash.size() >= crypto_pwhash_STRBYTES)
    return false;
  return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

std::string random_token() {
  init();
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string token_digest(const std::string& token) {
  init();
  unsigned char d[crypto_generichash_BYTES];
  crypto_generichash(d, sizeof d, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  char hex[2 * sizeof d + 1];
  sodium_bin2hex(hex, sizeof hex, d, sizeof d);
  return hex;
}

bool same_text(const std::string& a, const std::string& b) {
  init();
  return a.size() == b.size()
         && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

std::string password_problem(const std::string& password) {
  if (password.size() < 10)
    return "a password needs at least 10 characters";
  if (password.size() > 1024)
    return "a password has at most 1024 characters";
  return {};
}

} // namespace parley::engine::web
