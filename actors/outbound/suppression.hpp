// suppression: do-not-call lists by phone number, by media (numbers that may not be texted,
// email addresses) or by customer id (no CAF; blocking).
//
// Two implementations behind one interface, chosen at start-up: with a configured Redis
// ([redis] host/port) the entries live in Redis sets, one key per kind
// (`<prefix>phone`, `<prefix>customer`, prefix "parley:dnc:"), so every engine on that
// Redis sees the same list; without Redis they live in process (hash sets) and are written
// through to storage (store::outbound()), loaded again at the next start. Either way one
// thread uses an instance at a time (the compliance actor or an importer, both detached).
//
// Errors: every method throws suppression_error with the backend's reason (Redis down,
// storage failing); nothing is half-applied in process memory when storage refuses.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley::storage {
class store;
}

namespace parley::outbound {

class suppression_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// "phone" (a number no campaign calls or texts), "sms" (a number no SMS campaign texts),
/// "email" (an address no email campaign writes to) or "customer" (every media); anything
/// else is refused (std::invalid_argument).
void check_kind(const std::string& kind);

/// `value` as the list stores an entry of `kind` (E.164 numbers, lower-case addresses) in
/// `out`; else why it is none.
std::string normalize_entry(const std::string& kind, const std::string& value,
                            const std::string& default_prefix, std::string& out);

class suppression_list {
public:
  virtual ~suppression_list() = default;
  /// "redis 127.0.0.1:6379" or "in process (stored in sqlite ...)".
  virtual std::string describe() const = 0;
  /// Adds values of one kind; returns how many were not there yet.
  virtual std::uint64_t add(const std::string& kind, const std::vector<std::string>& values,
                            std::int64_t now_ms) = 0;
  /// Removes one value; false when it was not there.
  virtual bool remove(const std::string& kind, const std::string& value) = 0;
  virtual bool contains(const std::string& kind, const std::string& value) = 0;
  virtual std::uint64_t size(const std::string& kind) = 0;
};

/// In process, persisted through `store` (loaded from it now).
std::unique_ptr<suppression_list> make_memory_suppression(std::shared_ptr<storage::store> store);

/// Redis sets through hiredis; connects now (throws suppression_error when it cannot).
std::unique_ptr<suppression_list> make_redis_suppression(const std::string& host,
                                                         std::uint16_t port,
                                                         std::string prefix = "parley:dnc:");

struct suppression_import {
  std::uint64_t rows = 0;
  std::uint64_t added = 0;     ///< new entries
  std::uint64_t rejected = 0;  ///< bad phone numbers, empty values
  std::vector<std::string> errors;  ///< the first few, "line N: why"
};

/// Imports a CSV of values: the column named `kind`, else the first column; phone numbers
/// are normalized to E.164 (`default_prefix` as in list imports), addresses lower-cased.
suppression_import import_suppression(suppression_list& list, const std::string& kind,
                                      std::istream& in, const std::string& default_prefix,
                                      std::int64_t now_ms);

} // namespace parley::outbound
