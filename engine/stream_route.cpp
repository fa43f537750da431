#include "engine/stream_route.hpp"

#include <charconv>
#include <map>
#include <random>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/redis_link.hpp"

namespace parley::engine {

namespace {

/// Requests appended in one pipeline at most; entries read or claimed at once.
constexpr std::size_t pipeline_max = 256;
/// After Redis failed, requests are refused at once for this long (the built-in router
/// decides) rather than each waiting for a connect.
constexpr auto post_backoff = std::chrono::seconds{1};
/// How long one read blocks: also how long the reader takes to notice it should stop.
constexpr auto read_block = std::chrono::milliseconds{100};
constexpr std::uint64_t dead_letter_max_len = 10'000;

std::string number(std::int64_t v) {
  return std::to_string(v);
}

std::string property_text(const property& p) {
  if (!p.is_number)
    return p.text;
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, p.number).ptr;
  return {buf, end};
}

/// Creates a consumer group at the end of a stream (and the stream); one that exists is fine.
void create_group(runtime::redis_link& redis, const std::string& stream, const std::string& group) {
  auto r = redis.command({"XGROUP", "CREATE", stream, group, "$", "MKSTREAM"});
  if (r.is_error() && r.str.rfind("BUSYGROUP", 0) != 0)
    throw runtime::redis_error("XGROUP CREATE " + stream + " " + group + ": " + r.str);
}

// -- the poster ----------------------------------------------------------------------------

struct poster_state {
  route_stream_setup setup;
  std::uint64_t run = 0;
  std::unique_ptr<runtime::redis_link> redis;
  std::shared_ptr<domain_metrics> metrics;
  bool groups_made = false;
  runtime::redis_commands batch;
  std::vector<caf::typed_response_promise<caf::ok_atom>> waiting;
  std::chrono::steady_clock::time_point retry_at{};
  bool failing = false;
  caf::actor reader;
  static inline const char* name = "route-stream";
};

using poster_self = route_stream_actor::stateful_pointer<poster_state>;

void append_request(poster_state& st, const stream_route_request& r) {
  std::vector<std::pair<std::string_view, std::string>> f;
  f.reserve(14 + r.properties.size());
  f.emplace_back("version", fmt::format("{:016x}.{}", st.run, r.request_id));
  f.emplace_back("iid", std::to_string(r.iid));
  f.emplace_back("tenant", r.tenant);
  f.emplace_back("queue", r.queue);
  f.emplace_back("media", r.media);
  f.emplace_back("priority", number(r.priority));
  f.emplace_back("submitted_ms", number(r.submitted_ms));
  f.emplace_back("waiting_ms", number(std::max<std::int64_t>(0, r.asked_ms - r.submitted_ms)));
  f.emplace_back("asked_ms", number(r.asked_ms));
  f.emplace_back("timeout_ms", number(r.timeout_ms));
  f.emplace_back("ready_count", number(r.ready_count));
  std::string ready;
  for (auto& a : r.ready)
    ready += (ready.empty() ? "" : ",") + a;
  f.emplace_back("ready_agents", std::move(ready));
  std::vector<std::string> keys;  // the property names, kept alive for the words below
  keys.reserve(r.properties.size());
  for (auto& p : r.properties) {
    keys.push_back("prop." + p.key);
    f.emplace_back(keys.back(), property_text(p));
  }
  bool capped = st.setup.max_len > 0;
  st.batch.begin(3 + (capped ? 3 : 0) + 2 * f.size());
  st.batch.word("XADD");
  st.batch.word(to_route_stream(st.setup.prefix, r.tenant));
  if (capped) {
    st.batch.word("MAXLEN");
    st.batch.word("~");
    st.batch.word(st.setup.max_len);
  }
  st.batch.word("*");
  for (auto& [name, value] : f) {
    st.batch.word(name);
    st.batch.word(value);
  }
}

/// Sends the requests gathered so far and answers their routers.
void flush(poster_self self) {
  auto& st = self->state;
  if (st.waiting.empty())
    return;
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  auto cmds = std::move(st.batch);
  st.batch = {};
  try {
    if (!st.groups_made) {
      // The routers' group exists from the start: requests wait for a router that starts
      // later instead of being missed by a group created after them.
      for (auto& t : st.setup.tenants)
        create_group(*st.redis, to_route_stream(st.setup.prefix, t), st.setup.router_group);
      st.groups_made = true;
    }
    st.redis->send(cmds);
    auto replies = st.redis->receive(waiting.size());
    std::uint64_t posted = 0;
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      if (replies[i].is_error()) {
        waiting[i].deliver(caf::make_error(wire::ErrorCode::internal, "XADD: " + replies[i].str));
        st.metrics->stream_post_errors.fetch_add(1, std::memory_order_relaxed);
      } else {
        waiting[i].deliver(caf::ok_atom_v);
        ++posted;
      }
    }
    st.metrics->stream_requests.fetch_add(posted, std::memory_order_relaxed);
    if (st.failing)
      spdlog::info("stream routing: posting requests to Redis {} again", st.redis->where());
    st.failing = false;
  } catch (const runtime::redis_error& e) {
    st.groups_made = false;
    st.retry_at = std::chrono::steady_clock::now() + post_backoff;
    if (!st.failing)
      spdlog::warn("stream routing: {}; the built-in router decides until Redis is back", e.what());
    st.failing = true;
    st.metrics->stream_post_errors.fetch_add(waiting.size(), std::memory_order_relaxed);
    for (auto& rp : waiting)
      rp.deliver(caf::make_error(wire::ErrorCode::internal, e.what()));
  }
}

// -- the reader ----------------------------------------------------------------------------

struct instruction_entry {
  std::string stream;
  std::string tenant;
  std::string id;
  std::vector<std::string> fields;
};

struct reader_state {
  route_stream_setup setup;
  std::uint64_t run = 0;
  domain_ptr dom;
  std::unique_ptr<runtime::redis_link> redis;
  std::vector<std::string> streams;                   ///< instructions, one per tenant
  std::map<std::string, std::string> cursors;        ///< XAUTOCLAIM's, per stream
  bool connected = false;
  bool own_pending = true;  ///< this consumer's pending entries are read first (after a connect)
  std::chrono::steady_clock::time_point next_claim{};
  bool failing = false;
  static inline const char* name = "route-stream-reader";
};

using reader_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>>;
using reader_self = reader_actor::stateful_pointer<reader_state>;

/// Appends the entries of an [[id, [field, value, ...]], ...] reply.
void collect(const runtime::redis_reply& list, const std::string& stream, const std::string& tenant,
             std::vector<instruction_entry>& out) {
  for (auto& e : list.elements) {
    if (e.elements.size() != 2)
      continue;
    instruction_entry x{stream, tenant, e.elements[0].str, {}};
    for (auto& f : e.elements[1].elements)  // a deleted entry still pending has nil fields
      x.fields.push_back(f.str);
    out.push_back(std::move(x));
  }
}

/// The next entries to handle: this consumer's own pending ones first, then those another
/// consumer left pending, then new ones (blocking a moment when there are none).
std::vector<instruction_entry> next_entries(reader_state& st) {
  auto& redis = *st.redis;
  auto& tenants = st.setup.tenants;
  if (!st.connected) {
    for (auto& s : st.streams)
      create_group(redis, s, instructions_group);
    st.connected = true;
    st.own_pending = true;
  }
  std::vector<instruction_entry> out;
  auto read = [&](const char* from, bool block) {
    std::vector<std::string> cmd{"XREADGROUP", "GROUP", instructions_group, st.setup.consumer, "COUNT",
                                 std::to_string(pipeline_max)};
    if (block) {
      cmd.push_back("BLOCK");
      cmd.push_back(std::to_string(read_block.count()));
    }
    cmd.push_back("STREAMS");
    cmd.insert(cmd.end(), st.streams.begin(), st.streams.end());
    cmd.insert(cmd.end(), st.streams.size(), from);
    auto r = redis.command(cmd);
    if (r.is_error())
      throw runtime::redis_error("XREADGROUP: " + r.str);
    for (auto& s : r.elements)  // [[stream, entries], ...]; nil when nothing came
      if (s.elements.size() == 2)
        for (std::size_t i = 0; i < st.streams.size(); ++i)
          if (st.streams[i] == s.elements[0].str)
            collect(s.elements[1], st.streams[i], tenants[i], out);
  };
  if (st.own_pending) {
    read("0", false);
    if (!out.empty())
      return out;
    st.own_pending = false;
  }
  if (auto now = std::chrono::steady_clock::now(); now >= st.next_claim) {
    st.next_claim = now + st.setup.claim_idle / 2;
    for (std::size_t i = 0; i < st.streams.size(); ++i) {
      auto& cursor = st.cursors[st.streams[i]];
      auto r = redis.command({"XAUTOCLAIM", st.streams[i], instructions_group, st.setup.consumer,
                              std::to_string(st.setup.claim_idle.count()), cursor.empty() ? "0-0" : cursor,
                              "COUNT", std::to_string(pipeline_max)});
      if (r.is_error() || r.elements.size() < 2)
        throw runtime::redis_error("XAUTOCLAIM " + st.streams[i] + ": " + r.str);
      cursor = r.elements[0].str;
      auto before = out.size();
      collect(r.elements[1], st.streams[i], tenants[i], out);
      if (r.elements.size() > 2)  // deleted while pending: nothing to apply, only to acknowledge
        for (auto& id : r.elements[2].elements)
          out.push_back({st.streams[i], tenants[i], id.str, {}});
      if (out.size() > before) {
        st.dom->metrics->stream_claimed.fetch_add(out.size() - before, std::memory_order_relaxed);
        spdlog::info("stream routing: claimed {} instruction(s) another consumer left pending in {}",
                     out.size() - before, st.streams[i]);
        st.next_claim = now;  // there may be more
      }
    }
    if (!out.empty())
      return out;
  }
  read(">", true);
  return out;
}

void acknowledge(reader_state& st, const std::vector<instruction_entry>& entries,
                 const std::vector<std::string>& dead) {
  runtime::redis_commands cmds;
  std::map<std::string, std::vector<const std::string*>> ids;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& e = entries[i];
    ids[e.stream].push_back(&e.id);
    if (dead[i].empty())
      continue;
    // The dead letter keeps the fields as they came, the reason and where it was.
    cmds.begin(10 + e.fields.size() + (e.fields.size() % 2));
    cmds.word("XADD");
    cmds.word(dead_letter_stream(st.setup.prefix, e.tenant));
    cmds.word("MAXLEN");
    cmds.word("~");
    cmds.word(dead_letter_max_len);
    cmds.word("*");
    cmds.word("error");
    cmds.word(dead[i]);
    cmds.word("source_id");
    cmds.word(e.id);
    for (auto& f : e.fields)
      cmds.word(f);
    if (e.fields.size() % 2)
      cmds.word("");
  }
  for (auto& [stream, list] : ids) {
    cmds.begin(3 + list.size());
    cmds.word("XACK");
    cmds.word(stream);
    cmds.word(instructions_group);
    for (auto* id : list)
      cmds.word(*id);
  }
  st.redis->send(cmds);
  for (auto& r : st.redis->receive(cmds.count()))
    if (r.is_error())
      throw runtime::redis_error("acknowledging instructions: " + r.str);
}

void failed(reader_self self, const std::exception& e) {
  auto& st = self->state;
  st.redis->disconnect();
  st.connected = false;
  st.dom->metrics->stream_read_errors.fetch_add(1, std::memory_order_relaxed);
  if (!st.failing)
    spdlog::warn("stream routing: {}; reading instructions again when Redis is back", e.what());
  st.failing = true;
  self->delayed_send(self, std::chrono::milliseconds{500}, caf::tick_atom_v);
}

/// Hands the instructions to their routers and acknowledges them all once each is settled.
void apply(reader_self self, std::vector<instruction_entry> entries) {
  auto& st = self->state;
  auto& m = st.dom->metrics->stream_instructions;
  auto shared = std::make_shared<std::vector<instruction_entry>>(std::move(entries));
  auto dead = std::make_shared<std::vector<std::string>>(shared->size());
  auto left = std::make_shared<std::size_t>(1);  // one for this loop
  auto done = [=] {
    if (--*left > 0)
      return;
    try {
      acknowledge(self->state, *shared, *dead);
      self->send(self, caf::tick_atom_v);
    } catch (const std::exception& e) {
      failed(self, e);  // unacknowledged: read again as this consumer's own pending entries
    }
  };
  auto timeout = st.dom->cfg->request_timeout;
  for (std::size_t i = 0; i < shared->size(); ++i) {
    auto& e = (*shared)[i];
    if (e.fields.empty())
      continue;  // deleted before it was handled
    route_instruction in;
    bool stale = false;
    auto why = parse_instruction(e.fields, st.run, in, stale);
    auto router = st.dom->router(e.tenant);
    auto index = router_index_of(in.request_id);
    if (why.empty() && (index >= st.dom->routers_by_index.size() || st.dom->routers_by_index[index] != router))
      stale = true;  // a request of another tenant's router
    if (stale) {
      m[4].fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (!why.empty()) {
      (*dead)[i] = why;
      m[6].fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("stream routing: instruction {} in {} is malformed ({}); moved to {}", e.id, e.stream, why,
                   dead_letter_stream(st.setup.prefix, e.tenant));
      continue;
    }
    ++*left;
    auto what = static_cast<std::size_t>(in.what);
    self->request(router, timeout, instruct_atom_v, in)
      .then(
        [=](instruction_outcome o, const std::string& detail) {
          auto& m = self->state.dom->metrics->stream_instructions;
          if (o == instruction_outcome::applied) {
            m[what].fetch_add(1, std::memory_order_relaxed);
          } else {
            m[o == instruction_outcome::stale ? 4 : 5].fetch_add(1, std::memory_order_relaxed);
            spdlog::debug("stream routing: instruction {}: {}", (*shared)[i].id, detail);
          }
          done();
        },
        [=](caf::error& err) {
          // The router did not answer: acknowledged all the same (at most once); the
          // request's timeout lets the built-in router decide.
          spdlog::warn("stream routing: instruction {} not settled: {}", (*shared)[i].id, describe(err));
          self->state.dom->metrics->stream_instructions[5].fetch_add(1, std::memory_order_relaxed);
          done();
        });
  }
  done();
}

reader_actor::behavior_type reader(reader_self self, route_stream_setup setup, std::uint64_t run,
                                   domain_ptr dom) {
  auto& st = self->state;
  st.redis = std::make_unique<runtime::redis_link>(setup.redis_host, setup.redis_port,
                                                   read_block + std::chrono::seconds{1});
  for (auto& t : setup.tenants)
    st.streams.push_back(instructions_stream(setup.prefix, t));
  st.setup = std::move(setup);
  st.run = run;
  st.dom = std::move(dom);
  self->send(self, caf::tick_atom_v);
  return {
    [=](caf::tick_atom) {
      auto& st = self->state;
      std::vector<instruction_entry> entries;
      try {
        entries = next_entries(st);
        if (st.failing)
          spdlog::info("stream routing: reading instructions from Redis {} again", st.redis->where());
        st.failing = false;
      } catch (const std::exception& e) {
        failed(self, e);
        return;
      }
      if (entries.empty())
        self->send(self, caf::tick_atom_v);
      else
        apply(self, std::move(entries));
    },
  };
}

route_stream_actor::behavior_type poster(poster_self self, route_stream_setup setup) {
  auto& st = self->state;
  st.redis = std::make_unique<runtime::redis_link>(setup.redis_host, setup.redis_port);
  st.setup = std::move(setup);
  std::random_device rd;
  st.run = (std::uint64_t{rd()} << 32) | rd();
  return {
    [=](init_atom, const domain_ptr& dom) {
      auto& st = self->state;
      st.metrics = dom->metrics;
      st.reader = caf::actor_cast<caf::actor>(
        self->home_system().spawn<caf::detached>(reader, st.setup, st.run, dom));
      self->link_to(st.reader);  // they stop together
    },
    [=](route_atom, const stream_route_request& r) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (std::chrono::steady_clock::now() < st.retry_at) {
        st.metrics->stream_post_errors.fetch_add(1, std::memory_order_relaxed);
        return caf::make_error(wire::ErrorCode::internal, "Redis is unreachable");
      }
      append_request(st, r);
      auto rp = self->make_response_promise<caf::ok_atom>();
      st.waiting.push_back(rp);
      // The requests that arrived together go in one pipeline.
      if (self->mailbox().empty() || st.waiting.size() >= pipeline_max)
        flush(self);
      return rp;
    },
  };
}

/// The value of field `name` in (name, value, ...), or nullptr.
const std::string* field(const std::vector<std::string>& fields, std::string_view name) {
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
    if (fields[i] == name)
      return &fields[i + 1];
  return nullptr;
}

bool parse_number(const std::string& text, std::uint64_t& out, int base = 10) {
  auto end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out, base);
  return ec == std::errc{} && p == end && !text.empty();
}

} // namespace

std::string to_route_stream(const std::string& prefix, const std::string& tenant) {
  return prefix + tenant + ":to-route";
}

std::string instructions_stream(const std::string& prefix, const std::string& tenant) {
  return prefix + tenant + ":instructions";
}

std::string dead_letter_stream(const std::string& prefix, const std::string& tenant) {
  return prefix + tenant + ":instructions:dead";
}

std::string parse_instruction(const std::vector<std::string>& fields, std::uint64_t run,
                              route_instruction& out, bool& stale) {
  stale = false;
  auto* version = field(fields, "version");
  auto* iid = field(fields, "iid");
  auto* action = field(fields, "action");
  if (!version || !iid || !action)
    return "needs the fields version, iid and action";
  auto dot = version->find('.');
  std::uint64_t of_run = 0;
  if (dot == std::string::npos || !parse_number(version->substr(0, dot), of_run, 16)
      || !parse_number(version->substr(dot + 1), out.request_id))
    return "version \"" + *version + "\" is not one of a routing request";
  if (!parse_number(*iid, out.iid))
    return "iid \"" + *iid + "\" is not an interaction id";
  auto target = [&](const char* name) -> const std::string* {
    auto* v = field(fields, name);
    return v && !v->empty() ? v : nullptr;
  };
  if (*action == "route") {
    out.what = route_instruction::action::route;
    auto* agent = target("agent");
    if (!agent)
      return "action route needs an agent";
    out.target = *agent;
  } else if (*action == "queue") {
    out.what = route_instruction::action::queue;
    auto* queue = target("queue");
    if (!queue)
      return "action queue needs a queue";
    out.target = *queue;
  } else if (*action == "wait") {
    out.what = route_instruction::action::wait;
  } else if (*action == "stop") {
    out.what = route_instruction::action::stop;
    auto* reason = field(fields, "reason");
    out.target = reason ? *reason : std::string{};
  } else {
    return "action \"" + *action + "\" is not route, queue, wait or stop";
  }
  stale = of_run != run;
  return {};
}

route_stream_actor spawn_route_stream(caf::actor_system& sys, route_stream_setup setup) {
  return sys.spawn<caf::detached>(poster, std::move(setup));
}

} // namespace parley::engine
