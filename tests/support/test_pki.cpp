#include "support/test_pki.hpp"

#include <fstream>

#include <doctest/doctest.h>

#include "support/child.hpp"

namespace parley::test {

namespace {

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/bin/openssl");
  auto result = run(args);  // no structured binding: clang 14 cannot capture one in INFO
  INFO(result.second);
  REQUIRE(result.first == 0);
}

/// A CA: self-signed, EC P-256 (fast to make).
void make_ca(const std::string& key, const std::string& cert, const std::string& cn) {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + cn});
}

/// A leaf certificate signed by a CA, with the extensions in `ext` (openssl x509 -extfile).
void make_leaf(const std::string& dir, const std::string& stem, const std::string& cn,
               const std::string& ca_cert, const std::string& ca_key, const std::string& ext) {
  auto key = dir + "/" + stem + ".key";
  auto csr = dir + "/" + stem + ".csr";
  auto cert = dir + "/" + stem + ".pem";
  auto ext_file = dir + "/" + stem + ".ext";
  std::ofstream{ext_file} << ext << "\n";
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", key, "-out", csr, "-subj", "/CN=" + cn});
  openssl({"x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial", "-out",
           cert, "-days", "2", "-extfile", ext_file});
}

} // namespace

test_pki make_test_pki() {
  test_pki p;
  p.dir = temp_dir();
  p.ca = p.dir + "/ca.pem";
  p.other_ca = p.dir + "/other-ca.pem";
  make_ca(p.dir + "/ca.key", p.ca, "parley-test-ca");
  make_ca(p.dir + "/other-ca.key", p.other_ca, "parley-other-ca");
  make_leaf(p.dir, "server", "localhost", p.ca, p.dir + "/ca.key",
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
  make_leaf(p.dir, "client", "parley-client", p.ca, p.dir + "/ca.key",
            "extendedKeyUsage=clientAuth");
  make_leaf(p.dir, "stranger", "stranger", p.other_ca, p.dir + "/other-ca.key",
            "extendedKeyUsage=clientAuth");
  p.server_cert = p.dir + "/server.pem";
  p.server_key = p.dir + "/server.key";
  p.client_cert = p.dir + "/client.pem";
  p.client_key = p.dir + "/client.key";
  p.stranger_cert = p.dir + "/stranger.pem";
  p.stranger_key = p.dir + "/stranger.key";
  return p;
}

} // namespace parley::test
