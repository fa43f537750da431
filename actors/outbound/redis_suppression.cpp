// redis_suppression: do-not-call sets in Redis (hiredis 0.14, synchronous — its user runs
// detached). SADD/SREM/SISMEMBER/SCARD on one key per kind; adds go in pipelined SADDs of
// 1,000 members. A dropped connection is re-established once per call.
#include <hiredis/hiredis.h>

#include "actors/outbound/suppression.hpp"

namespace parley::outbound {

namespace {

using reply_ptr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

class redis_suppression final : public suppression_list {
public:
  redis_suppression(std::string host, std::uint16_t port, std::string prefix)
    : host_(std::move(host)), port_(port), prefix_(std::move(prefix)) {
    connect();
  }

  ~redis_suppression() override {
    if (ctx_)
      redisFree(ctx_);
  }

  std::string describe() const override { return "redis " + host_ + ":" + std::to_string(port_); }

  std::uint64_t add(const std::string& kind, const std::vector<std::string>& values,
                    std::int64_t) override {
    check_kind(kind);
    std::uint64_t added = 0;
    for (std::size_t at = 0; at < values.size(); at += 1000) {
      auto end = std::min(values.size(), at + 1000);
      std::vector<const char*> argv{"SADD", nullptr};
      std::vector<std::size_t> lens{4, 0};
      auto key = prefix_ + kind;
      argv[1] = key.c_str();
      lens[1] = key.size();
      for (auto i = at; i < end; ++i) {
        argv.push_back(values[i].c_str());
        lens.push_back(values[i].size());
      }
      added += static_cast<std::uint64_t>(integer(argv, lens));
    }
    return added;
  }

  bool remove(const std::string& kind, const std::string& value) override {
    check_kind(kind);
    return command("SREM", kind, &value) > 0;
  }

  bool contains(const std::string& kind, const std::string& value) override {
    check_kind(kind);
    return command("SISMEMBER", kind, &value) == 1;
  }

  std::uint64_t size(const std::string& kind) override {
    check_kind(kind);
    return static_cast<std::uint64_t>(command("SCARD", kind, nullptr));
  }

private:
  void connect() {
    if (ctx_)
      redisFree(ctx_);
    timeval timeout{2, 0};
    ctx_ = redisConnectWithTimeout(host_.c_str(), port_, timeout);
    if (!ctx_ || ctx_->err) {
      std::string why = ctx_ ? ctx_->errstr : "out of memory";
      if (ctx_)
        redisFree(ctx_);
      ctx_ = nullptr;
      throw suppression_error("cannot reach Redis at " + host_ + ":" + std::to_string(port_)
                              + ": " + why);
    }
    redisSetTimeout(ctx_, timeout);
  }

  long long command(const char* verb, const std::string& kind, const std::string* value) {
    auto key = prefix_ + kind;
    std::vector<const char*> argv{verb, key.c_str()};
    std::vector<std::size_t> lens{std::char_traits<char>::length(verb), key.size()};
    if (value) {
      argv.push_back(value->c_str());
      lens.push_back(value->size());
    }
    return integer(argv, lens);
  }

  /// Runs one command with an integer reply, reconnecting once after an I/O error.
  long long integer(const std::vector<const char*>& argv, const std::vector<std::size_t>& lens) {
    for (int round = 0;; ++round) {
      if (!ctx_)
        connect();
      reply_ptr r{static_cast<redisReply*>(redisCommandArgv(
                    ctx_, static_cast<int>(argv.size()), const_cast<const char**>(argv.data()),
                    lens.data())),
                  freeReplyObject};
      if (!r) {
        std::string why = ctx_->errstr;
        redisFree(ctx_);
        ctx_ = nullptr;
        if (round == 0)
          continue;
        throw suppression_error("Redis " + host_ + ":" + std::to_string(port_) + ": " + why);
      }
      if (r->type == REDIS_REPLY_INTEGER)
        return r->integer;
      throw suppression_error("Redis " + std::string{argv[0]} + ": "
                              + (r->type == REDIS_REPLY_ERROR ? std::string(r->str, r->len)
                                                              : "unexpected reply"));
    }
  }

  std::string host_;
  std::uint16_t port_;
  std::string prefix_;
  redisContext* ctx_ = nullptr;
};

} // namespace

std::unique_ptr<suppression_list> make_redis_suppression(const std::string& host,
                                                         std::uint16_t port, std::string prefix) {
  return std::make_unique<redis_suppression>(host, port, std::move(prefix));
}

} // namespace parley::outbound
