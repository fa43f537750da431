// backends: internal to storage/ — how each backend builds its outbound half on the
// connection it already holds, its users half, its Pulse half and its reporting half (each borrows it; the
// store owns it).
#pragma once

#include <memory>
#include <string>

#include "storage/outbound_store.hpp"
#include "storage/pulse_store.hpp"
#include "storage/reporting_store.hpp"
#include "storage/user_store.hpp"

struct sqlite3;
struct pg_conn;

namespace parley::storage {

std::unique_ptr<outbound_store> make_sqlite_outbound(sqlite3* db, std::string path);
std::unique_ptr<outbound_store> make_pg_outbound(pg_conn* conn, std::string describe);
std::unique_ptr<user_store> make_sqlite_users(sqlite3* db, std::string path);
std::unique_ptr<user_store> make_pg_users(pg_conn* conn);
std::unique_ptr<pulse_store> make_sqlite_pulse(sqlite3* db, std::string path);
std::unique_ptr<pulse_store> make_pg_pulse(pg_conn* conn);
std::unique_ptr<reporting_store> make_sqlite_reporting(sqlite3* db, std::string path);
std::unique_ptr<reporting_store> make_pg_reporting(pg_conn* conn);

} // namespace parley::storage
