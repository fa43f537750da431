// import_guard: the two checks that keep a contact list from filling up with the same
// contacts twice (no CAF). `content_digest` fingerprints an import's file (SHA-256 of its
// bytes, OpenSSL EVP) for the duplicate-file rule; `phone_set` is the set of numbers a list
// already holds, for `--dedupe`. Used by import_csv (list_import.hpp) on the import job's
// thread; nothing here blocks on anything but the stream it is given.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <unordered_set>

namespace parley::outbound {

/// Reads `in` to its end and stores the SHA-256 of its bytes in `hex` (lower case), then
/// rewinds it to the start. Returns "" or why not (a read error, a stream that cannot be
/// rewound).
std::string content_digest(std::istream& in, std::string& hex);

/// A set of phone numbers as stored (E.164, "+" and 8..15 digits), one 64-bit number each
/// — a million take about 40 MB and a lookup costs a hash of an integer.
class phone_set {
public:
  /// True when `phone` was not in the set (and now is).
  bool insert(const std::string& phone);
  std::size_t size() const { return numbers_.size() + other_.size(); }
  void reserve(std::size_t n) { numbers_.reserve(n); }

private:
  std::unordered_set<std::uint64_t> numbers_;  ///< E.164 digits: unique, none starts with 0
  std::unordered_set<std::string> other_;      ///< anything else stored (none expected)
};

} // namespace parley::outbound
