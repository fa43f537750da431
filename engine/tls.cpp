#include "engine/tls.hpp"

#include <fstream>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace parley::engine {

namespace ssl = boost::asio::ssl;

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& file, const std::string& why) {
  throw std::runtime_error("TLS: " + key + " \"" + file + "\": " + why);
}

void check_readable(const std::string& key, const std::string& file) {
  std::ifstream in{file};
  if (!in)
    fail(key, file, "cannot read the file");
}

/// OpenSSL's reason for the last failure, when it has one.
std::string reason(const boost::system::error_code& ec) {
  auto text = ec.message();
  return text.empty() ? "not usable" : text;
}

} // namespace

std::unique_ptr<ssl::context> make_server_tls(const tls_config& cfg) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                   | ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1
                   | ssl::context::single_dh_use);
  auto* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, cfg.min_version == tls_version::v1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
  boost::system::error_code ec;
  check_readable("tls.cert_file", cfg.cert_file);
  ctx->use_certificate_chain_file(cfg.cert_file, ec);
  if (ec)
    fail("tls.cert_file", cfg.cert_file, "not a PEM certificate: " + reason(ec));
  check_readable("tls.key_file", cfg.key_file);
  ctx->use_private_key_file(cfg.key_file, ssl::context::pem, ec);
  if (ec && reason(ec).find("mismatch") != std::string::npos)  // OpenSSL checks the pair here
    fail("tls.key_file", cfg.key_file, "does not match the certificate in " + cfg.cert_file);
  if (ec)
    fail("tls.key_file", cfg.key_file, "not a PEM private key: " + reason(ec));
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    fail("tls.key_file", cfg.key_file, "does not match the certificate in " + cfg.cert_file);
  }
  if (!cfg.ca_file.empty()) {
    check_readable("tls.ca_file", cfg.ca_file);
    ctx->load_verify_file(cfg.ca_file, ec);
    if (ec)
      fail("tls.ca_file", cfg.ca_file, "not PEM CA certificates: " + reason(ec));
    // Ask for a client certificate; without require_client_cert one is optional (but
    // verified when given).
    auto mode = ssl::verify_peer;
    if (cfg.require_client_cert)
      mode |= ssl::verify_fail_if_no_peer_cert;
    ctx->set_verify_mode(mode);
    // OpenSSL refuses resumed sessions with client verification unless this is set.
    static const unsigned char id[] = "parley";
    SSL_CTX_set_session_id_context(native, id, sizeof id - 1);
  }
  return ctx;
}

} // namespace parley::engine
