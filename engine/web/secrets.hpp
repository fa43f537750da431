// secrets: passwords, API tokens and session ids for the web surface (libsodium).
//
// Passwords are hashed with argon2id (crypto_pwhash_str, libsodium's "interactive" cost:
// 2 passes over 64 MiB, about 0.1 s on one core here) and the resulting string — salt and
// parameters included — is what the database keeps. Tokens and session ids are 32 random
// bytes shown once (base64url); the database keeps their BLAKE2b-256 digest (hex), so a
// stolen database reveals no usable credential. Comparisons run in constant time.
#pragma once

#include <string>

namespace parley::engine::web {

/// libsodium's argon2id string for `password`. Throws std::runtime_error when out of memory.
std::string hash_password(const std::string& password);
/// Does `password` match the stored argon2id string? (Constant time; false for a malformed hash.)
bool password_matches(const std::string& stored_hash, const std::string& password);
/// 32 random bytes as 43 base64url characters: an API token, a session id, a CSRF token.
std::string random_token();
/// The BLAKE2b-256 digest of a token, hex: what the database keeps.
std::string token_digest(const std::string& token);
/// Constant-time equality of two strings (false when the lengths differ).
bool same_text(const std::string& a, const std::string& b);
/// Why `password` is too weak to set, or "" (at least 10 characters, at most 1024).
std::string password_problem(const std::string& password);

} // namespace parley::engine::web
