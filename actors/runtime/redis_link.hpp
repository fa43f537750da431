// redis_link: one blocking Redis connection (hiredis) for a detached actor or a tool. It
// connects when first used (timeouts of its own for the connect and every reply), sends one
// command or a pipeline of them, and drops the connection on any I/O error so that the next
// call connects again. Replies are copied out (redis_reply): callers never hold hiredis
// memory. An error *reply* (e.g. a refused XADD id) is a reply; a lost connection throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace parley::runtime {

struct redis_reply {
  enum class kind { nil, status, error, string, integer, array };
  kind type = kind::nil;
  std::string str;            ///< status, error and string replies
  long long integer = 0;
  std::vector<redis_reply> elements;

  bool is_error() const noexcept { return type == kind::error; }
};

/// Commands in Redis's wire format (RESP), written into one buffer as they are built — no
/// string per word — for pipelines of many commands.
class redis_commands {
public:
  /// Starts a command of `words` words (the name included); exactly that many follow.
  void begin(std::size_t words);
  void word(std::string_view w);
  void word(std::uint64_t n);
  /// One word made of several pieces.
  void word(std::initializer_list<std::string_view> pieces);
  std::size_t count() const noexcept { return count_; }
  const std::string& text() const noexcept { return text_; }

private:
  std::string text_;
  std::size_t count_ = 0;
};

/// Redis could not be reached or the connection broke (then it is closed).
struct redis_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class redis_link {
public:
  redis_link(std::string host, int port, std::chrono::milliseconds timeout = std::chrono::seconds{1});
  ~redis_link();
  redis_link(const redis_link&) = delete;
  redis_link& operator=(const redis_link&) = delete;

  /// One command; throws redis_error when Redis cannot be reached or the link breaks.
  redis_reply command(const std::vector<std::string>& args);
  /// Several commands sent at once, their replies in order; throws like command().
  std::vector<redis_reply> pipeline(const std::vector<std::vector<std::string>>& commands);
  /// The two halves of pipeline(), for a caller with work to do while Redis runs the
  /// commands: send() writes them all; receive(n) reads the next n replies.
  void send(const std::vector<std::vector<std::string>>& commands);
  void send(const redis_commands& commands);
  std::vector<redis_reply> receive(std::size_t n);

  bool connected() const noexcept { return ctx_ != nullptr; }
  void disconnect() noexcept;
  /// "host:port", for messages.
  std::string where() const;

private:
  void connect();
  [[noreturn]] void fail(const std::string& what);

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  redisContext* ctx_ = nullptr;
};

} // namespace parley::runtime
