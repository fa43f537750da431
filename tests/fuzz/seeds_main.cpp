// Writes the seed corpus: valid frames of every family (the fuzzers mutate from real
// traffic). Usage: parley_fuzz_seeds DIR (writes DIR/frame/*, DIR/wire/*, DIR/config/*).
#include <filesystem>
#include <fstream>
#include <span>
#include <string>

#include "protocol/codec.hpp"

namespace {

using namespace parley;

void put(const std::filesystem::path& p, std::span<const std::uint8_t> bytes) {
  std::ofstream out{p, std::ios::binary};
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void put(const std::filesystem::path& p, const std::string& text) {
  std::ofstream{p} << text;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2)
    return 2;
  std::filesystem::path dir{argv[1]};
  for (auto* sub : {"frame", "wire", "config"})
    std::filesystem::create_directories(dir / sub);
  protocol::encoder enc;
  std::vector<std::pair<std::string, protocol::frame_bytes>> frames;
  frames.emplace_back("register", protocol::to_bytes(enc.register_client(1, "desk", wire::ClientType::agent_desktop, "t")));
  frames.emplace_back("ping", protocol::to_bytes(enc.ping(2, 7)));
  frames.emplace_back("ack", protocol::to_bytes(enc.ack(3)));
  {
    auto& fbb = enc.start();
    frames.emplace_back("submit", protocol::to_bytes(enc.finish(4, wire::CreateSubmitDirect(fbb, "ext-1", "", "voice", "sales", 5))));
  }
  {
    auto& fbb = enc.start();
    frames.emplace_back("login", protocol::to_bytes(enc.finish(5, wire::CreateAgentLoginDirect(fbb, "a1", "p1"))));
  }
  {
    auto& fbb = enc.start();
    frames.emplace_back("ready", protocol::to_bytes(enc.finish(6, wire::CreateAgentReady(fbb))));
  }
  {
    auto& fbb = enc.start();
    frames.emplace_back("accept", protocol::to_bytes(enc.finish(7, wire::CreateAccept(fbb, 1))));
  }
  {
    auto& fbb = enc.start();
    frames.emplace_back("stop", protocol::to_bytes(enc.finish(8, wire::CreateStopProcessingDirect(fbb, 1, "done"))));
  }
  {
    auto& fbb = enc.start();
    frames.emplace_back("snapshot", protocol::to_bytes(enc.finish(9, wire::CreateQueueSnapshotDirect(fbb, "sales", 0, 10))));
  }
  for (auto& [name, bytes] : frames) {
    put(dir / "frame" / name, bytes);
    // wire: byte 0 even = protocol session, byte 1 = client type; then the frames.
    std::vector<std::uint8_t> w{0, 1};
    w.insert(w.end(), bytes.begin(), bytes.end());
    put(dir / "wire" / name, w);
  }
  // Statistics (2060): byte 0 = 2 (the stat port), byte 1 = 4 (stat_client).
  std::vector<std::pair<std::string, protocol::frame_bytes>> stats;
  {
    auto& fbb = enc.start();
    stats.emplace_back("stat_open", protocol::to_bytes(enc.finish(
      10, wire::CreateOpenStatDirect(fbb, wire::StatObjectType::queue, "sales", "service_level",
                                     wire::StatInterval::sliding, 60, 0, 20, "",
                                     wire::StatNotify::periodic, 0, 100))));
  }
  {
    auto& fbb = enc.start();
    stats.emplace_back("stat_peek", protocol::to_bytes(enc.finish(11, wire::CreatePeekStat(fbb, 1))));
  }
  {
    auto& fbb = enc.start();
    stats.emplace_back("stat_reset", protocol::to_bytes(enc.finish(12, wire::CreateResetStat(fbb, 1))));
  }
  {
    auto& fbb = enc.start();
    stats.emplace_back("stat_close", protocol::to_bytes(enc.finish(13, wire::CreateCloseStat(fbb, 1))));
  }
  std::vector<std::uint8_t> stat_all{2, 4};
  for (auto& [name, bytes] : stats) {
    put(dir / "frame" / name, bytes);
    std::vector<std::uint8_t> w{2, 4};
    w.insert(w.end(), bytes.begin(), bytes.end());
    put(dir / "wire" / name, w);
    stat_all.insert(stat_all.end(), bytes.begin(), bytes.end());
  }
  put(dir / "wire" / "stat_sequence", stat_all);
  std::vector<std::uint8_t> all{0, 0};
  for (auto& [name, bytes] : frames)
    all.insert(all.end(), bytes.begin(), bytes.end());
  put(dir / "wire" / "sequence", all);
  put(dir / "wire" / "console", std::string{"\x01\x01status\nshow agents\nhelp trace\ntrace interaction 1\n\nquit\n"});
  put(dir / "config" / "minimal", std::string{"[listen]\ninteraction_port = 7120\n"});
  put(dir / "config" / "domain", std::string{"[routing]\nmedia = [\"voice\"]\n[[queues]]\nname = \"q\"\nskills = { a = 1 }\n[[agent_groups]]\nname = \"g\"\nmembers = [\"*\"]\ncapacity = { voice = 1 }\n"});
  return 0;
}
