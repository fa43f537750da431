#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for the tests, on loopback, in a temporary directory.
#   source scripts/services.sh; services_start DIR   -> exports PARLEY_TEST_PG_DSN (password
#       auth), PARLEY_TEST_PG_START / _STOP (scripts that start and stop that server, for the
#       outage tests), PARLEY_TEST_REDIS_PORT, PARLEY_REQUIRE_SERVICES=1 (tests must not skip)
#   services_stop DIR                                 -> stops both (quietly; safe to call twice)
# initdb refuses to run as root, so as root the cluster runs as Debian's `postgres` user.

pg_bin() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  echo "/usr/lib/postgresql/$v/bin"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

services_start() {
  local dir=$1 bin pg_port redis_port
  bin=$(pg_bin)
  mkdir -p "$dir/pg" "$dir/redis"
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/pg"; fi
  pg_port=$(free_port)
  # Password authentication (scram), so the tests can check that a wrong password is refused.
  local password="parley-test-$RANDOM$RANDOM"
  echo "$password" >"$dir/pg/pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/pg/pwfile"; fi
  as_pg "$bin/initdb" -D "$dir/pg/data" -A scram-sha-256 -U parley --pwfile="$dir/pg/pwfile" \
    --no-sync >"$dir/pg/initdb.log" 2>&1 || { cat "$dir/pg/initdb.log"; return 1; }
  # The outage tests stop and start the server with these two scripts.
  local ctl="$bin/pg_ctl -D $dir/pg/data"
  local run_as=""
  if [ "$(id -u)" -eq 0 ]; then run_as="runuser -u postgres --"; fi
  printf '#!/usr/bin/env bash\n%s %s -l %s -w -o "-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null\n' \
    "$run_as" "$ctl" "$dir/pg/log" "$pg_port" "$dir/pg" >"$dir/pg/start.sh"
  printf '#!/usr/bin/env bash\n%s %s -m fast -w stop >/dev/null\n' "$run_as" "$ctl" >"$dir/pg/stop.sh"
  chmod +x "$dir/pg/start.sh" "$dir/pg/stop.sh"
  bash "$dir/pg/start.sh" || { cat "$dir/pg/log"; return 1; }
  PGPASSWORD="$password" "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U parley parley_test
  export PARLEY_TEST_PG_DSN="host=127.0.0.1 port=$pg_port user=parley password=$password dbname=parley_test"
  export PARLEY_TEST_PG_BIN="$bin" PARLEY_TEST_PG_DATA="$dir/pg/data"
  export PARLEY_TEST_PG_START="$dir/pg/start.sh" PARLEY_TEST_PG_STOP="$dir/pg/stop.sh"
  export PARLEY_REQUIRE_SERVICES=1

  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --daemonize yes \
    --save '' --appendonly no --pidfile "$dir/redis/pid" --logfile "$dir/redis/log"
  for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export PARLEY_TEST_REDIS_PORT=$redis_port
  echo "services: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port ($dir)"
}

services_stop() {
  local dir=$1
  if [ -n "${PARLEY_TEST_REDIS_PORT:-}" ]; then
    redis-cli -p "$PARLEY_TEST_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
  if [ -d "$dir/pg/data" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
