// test_pki: throwaway certificates for TLS tests, made at test time with the openssl CLI in
// a fresh temporary directory (no private key is ever committed). Two CAs: `ca` signs the
// engine's certificate (CN localhost, SAN 127.0.0.1 and localhost) and a client
// certificate; `other_ca` signs nothing the engine uses, for clients that must not trust it.
#pragma once

#include <string>

namespace parley::test {

struct test_pki {
  std::string dir;
  std::string ca, other_ca;
  std::string server_cert, server_key;
  std::string client_cert, client_key;  ///< signed by `ca`, for mutual TLS
  std::string stranger_cert, stranger_key;  ///< signed by `other_ca`
};

/// Makes the files (REQUIREs that openssl succeeds). A few hundred milliseconds.
test_pki make_test_pki();

} // namespace parley::test
