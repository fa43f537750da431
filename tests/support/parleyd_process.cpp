#include "support/parleyd_process.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>

#include "support/test_env.hpp"

namespace parley::test {

std::string parleyd_path() {
  return binary_dir() + "/bin/parleyd";
}

parleyd_process::parleyd_process(const std::string& config_file, std::vector<std::string> sets,
                                 const std::string& dir)
  : dir_(dir.empty() ? temp_dir() : dir) {
  std::filesystem::remove(dir_ + "/ports");  // a restart: the old run's ports are not ours
  std::vector<std::string> argv{parleyd_path(), "--config", config_file, "--ports-file",
                                dir_ + "/ports"};
  std::vector<std::string> base{"listen.interaction_port=0", "listen.vq_port=0",
                                "listen.stat_port=0",        "console.port=0",               "metrics.port=0", "http.port=0",
                                "engine.data_dir=" + dir_ + "/var"};
  base.insert(base.end(), sets.begin(), sets.end());
  for (auto& s : base) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  proc_ = std::make_unique<child>(argv, dir_ + "/log");
  bool up = eventually([&] { return !read_file(dir_ + "/ports").empty() || proc_->wait(0ms); }, 10s);
  REQUIRE_MESSAGE(up, "parleyd did not start:\n" << log());
  REQUIRE_MESSAGE(!read_file(dir_ + "/ports").empty(), "parleyd exited:\n" << log());
  std::istringstream in{read_file(dir_ + "/ports")};
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    ports_[line.substr(0, eq)] = static_cast<std::uint16_t>(std::stoi(line.substr(eq + 1)));
  }
}

std::unique_ptr<parleyd_process> parleyd_process::with_toml(const std::string& toml,
                                                            std::vector<std::string> sets,
                                                            const std::string& dir) {
  auto file = temp_dir() + "/parley.toml";
  std::ofstream{file} << toml;
  return std::make_unique<parleyd_process>(file, std::move(sets), dir);
}

std::string parleyd_process::log() const {
  return read_file(dir_ + "/log");
}

std::string parleyd_process::console(const std::string& command) const {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket s{io};
  s.connect({asio::ip::make_address("127.0.0.1"), port("console")});
  asio::write(s, asio::buffer(command + "\nquit\n"));
  std::string all;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(all), ec);  // until the console closes after quit
  auto end = all.find("\n\n");
  return end == std::string::npos ? all : all.substr(0, end + 1);
}

} // namespace parley::test
