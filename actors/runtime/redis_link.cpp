#include "actors/runtime/redis_link.hpp"

#include <charconv>
#include <memory>

#include <hiredis/hiredis.h>

namespace parley::runtime {

namespace {

redis_reply copy(const redisReply* r) {
  redis_reply out;
  switch (r->type) {
    case REDIS_REPLY_STATUS: out.type = redis_reply::kind::status; break;
    case REDIS_REPLY_ERROR: out.type = redis_reply::kind::error; break;
    case REDIS_REPLY_STRING: out.type = redis_reply::kind::string; break;
    case REDIS_REPLY_INTEGER: out.type = redis_reply::kind::integer; break;
    case REDIS_REPLY_ARRAY: out.type = redis_reply::kind::array; break;
    default: out.type = redis_reply::kind::nil; break;
  }
  if (r->str)
    out.str.assign(r->str, r->len);
  out.integer = r->integer;
  for (std::size_t i = 0; i < r->elements; ++i)
    out.elements.push_back(copy(r->element[i]));
  return out;
}

timeval timeval_of(std::chrono::milliseconds d) {
  return {static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>(d.count() % 1000 * 1000)};
}

} // namespace

void redis_commands::begin(std::size_t words) {
  text_ += '*';
  text_ += std::to_string(words);
  text_ += "\r\n";
  ++count_;
}

void redis_commands::word(std::string_view w) {
  word({w});
}

void redis_commands::word(std::uint64_t n) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  word({std::string_view{buf, static_cast<std::size_t>(end - buf)}});
}

void redis_commands::word(std::initializer_list<std::string_view> pieces) {
  std::size_t n = 0;
  for (auto p : pieces)
    n += p.size();
  text_ += '$';
  text_ += std::to_string(n);
  text_ += "\r\n";
  for (auto p : pieces)
    text_ += p;
  text_ += "\r\n";
}

redis_link::redis_link(std::string host, int port, std::chrono::milliseconds timeout)
  : host_(std::move(host)), port_(port), timeout_(timeout) {}

redis_link::~redis_link() {
  disconnect();
}

void redis_link::disconnect() noexcept {
  if (ctx_)
    redisFree(ctx_);
  ctx_ = nullptr;
}

std::string redis_link::where() const {
  return host_ + ":" + std::to_string(port_);
}

void redis_link::fail(const std::string& what) {
  disconnect();
  throw redis_error("Redis " + where() + ": " + what);
}

void redis_link::connect() {
  if (ctx_)
    return;
  auto tv = timeval_of(timeout_);
  ctx_ = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (!ctx_)
    fail("cannot allocate a connection");
  if (ctx_->err)
    fail(ctx_->errstr);
  if (redisSetTimeout(ctx_, tv) != REDIS_OK)
    fail(ctx_->errstr);
}

redis_reply redis_link::command(const std::vector<std::string>& args) {
  return pipeline({args}).front();
}

std::vector<redis_reply> redis_link::pipeline(const std::vector<std::vector<std::string>>& commands) {
  send(commands);
  return receive(commands.size());
}

void redis_link::send(const std::vector<std::vector<std::string>>& commands) {
  connect();
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (auto& args : commands) {
    argv.clear();
    lens.clear();
    for (auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK)
      fail(ctx_->errstr);
  }
  for (int done = 0; !done;)
    if (redisBufferWrite(ctx_, &done) != REDIS_OK)
      fail(ctx_->errstr);
}

void redis_link::send(const redis_commands& commands) {
  connect();
  if (redisAppendFormattedCommand(ctx_, commands.text().data(), commands.text().size()) != REDIS_OK)
    fail(ctx_->errstr);
  for (int done = 0; !done;)
    if (redisBufferWrite(ctx_, &done) != REDIS_OK)
      fail(ctx_->errstr);
}

std::vector<redis_reply> redis_link::receive(std::size_t n) {
  if (!ctx_)
    throw redis_error("Redis " + where() + ": not connected");
  std::vector<redis_reply> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || !raw)
      fail(ctx_->err ? ctx_->errstr : "no reply");
    std::unique_ptr<redisReply, void (*)(void*)> r{static_cast<redisReply*>(raw), freeReplyObject};
    out.push_back(copy(r.get()));
  }
  return out;
}

} // namespace parley::runtime
