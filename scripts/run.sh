#!/usr/bin/env bash
# make run — the newcomer's command: build what changed, make sure there is a
# database, and run `bin/warmline serve --seed-demo` in the foreground.
#
# Without DATABASE_URL it keeps a project-local Postgres cluster under
# .data/postgres (system binaries, 127.0.0.1 only, port WARMLINE_PG_PORT,
# default 54329), starts it, creates the `warmline` database if needed, and
# stops it again when the server stops (Ctrl-C). The data survives: the next
# `make run` reuses the cluster. With DATABASE_URL set, that database is used
# and no Postgres is started.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# Until the server runs, a signal just ends the script (and the EXIT trap,
# set below, stops whatever was started).
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- build

# The Makefile knows what is out of date: npm ci only when node_modules is
# missing or package-lock.json changed, the SPA only when its sources changed,
# and go build relinks only when Go's cache says so. When nothing changed this
# costs well under a second.
"${MAKE:-make}" --no-print-directory build

# ---------------------------------------------------------------- database

PG_STARTED=     # set when this script started the cluster (and so stops it)
PGDATA_DIR=
SERVER_PID=

cleanup() {
  local rc=$?
  set +e
  # Output may be piped to something Ctrl-C already ended (make run | tee):
  # a failed write must not cut the cleanup short.
  trap '' PIPE
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    banner "Stopping bin/warmline"
    stop_pid "$SERVER_PID" 20
  fi
  if [[ -n $PG_STARTED && -f $PGDATA_DIR/postmaster.pid ]]; then
    banner "Stopping Postgres ($PGDATA_DIR)"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null && info "stopped"
  fi
  exit "$rc"
}
trap cleanup EXIT

# pg_root picks the directory that holds the dev cluster. Normally
# .data/postgres in the checkout. As root the server runs as the `postgres`
# user, which needs search (x) permission on every directory above the data
# directory: a checkout under a private home (/root is 0700) does not give it,
# and we do not loosen permissions outside .data. Then the cluster lives in
# /var/lib/warmline-dev/<hash of the checkout path> instead, printed below.
pg_root() {
  if ! is_root; then
    echo "$ROOT/.data/postgres"
    return
  fi
  mkdir -p "$ROOT/.data"
  # .data itself must be searchable by postgres whatever the umask was.
  chmod 755 "$ROOT/.data"
  if runuser -u postgres -- test -x "$ROOT/.data"; then
    echo "$ROOT/.data/postgres"
  else
    echo "/var/lib/warmline-dev/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/postgres"
  fi
}

start_dev_postgres() {
  local root port sockdir version
  root=$(pg_root)
  PGDATA_DIR=$root/data
  [[ $root == "$ROOT/.data/postgres" ]] ||
    warn "the postgres user cannot reach $ROOT, so the dev cluster lives in $root"

  # Use the binaries of the version that made the cluster, when present.
  if [[ -f $PGDATA_DIR/PG_VERSION ]]; then
    version=$(cat "$PGDATA_DIR/PG_VERSION")
    if [[ -x /usr/lib/postgresql/$version/bin/pg_ctl ]]; then
      PGBIN=/usr/lib/postgresql/$version/bin
    fi
  fi
  [[ -n ${PGBIN:-} ]] || ensure_postgres || exit 1

  mkdir -p "$root"
  if is_root; then
    chown postgres: "$root"
  fi
  chmod 700 "$root"

  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
    banner "Creating the dev Postgres cluster in $PGDATA_DIR"
    # Trust authentication: the server listens on 127.0.0.1 only (and a
    # socket in a 0700 directory); it holds demo data for one developer.
    as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -A trust -U warmline -E UTF8 --locale=C.UTF-8 \
      --no-instructions >"$root/initdb.log" 2>&1 || {
      cat "$root/initdb.log" >&2
      die "initdb failed"
    }
  fi

  if as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    # Left running by something else (e.g. a run that was killed with -9):
    # use it, and leave it running as we found it.
    port=$(sed -n 4p "$PGDATA_DIR/postmaster.pid")
    local as=''
    is_root && as='runuser -u postgres -- '
    warn "the dev Postgres was already running (port $port); using it and leaving it running." \
      "Stop it with: ${as}$PGBIN/pg_ctl -D $PGDATA_DIR -m fast stop"
  else
    port=${WARMLINE_PG_PORT:-54329}
    if port_in_use "$port"; then
      die "port $port on 127.0.0.1 is taken by another program; choose another with WARMLINE_PG_PORT=NNNNN make run"
    fi
    # The socket goes next to the data; a Unix socket path is limited to 107
    # bytes, so a very deep checkout gets TCP only.
    sockdir=$root
    if ((${#sockdir} + 20 > 107)); then sockdir=''; fi
    banner "Starting Postgres on 127.0.0.1:$port (data: $PGDATA_DIR)"
    # No fsync=off here: this cluster's data is meant to survive.
    PG_STARTED=1 # before the start, so a Ctrl-C during it still stops it
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$root/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k '$sockdir'" start >/dev/null || {
      tail -n 20 "$root/server.log" >&2
      die "Postgres did not start; its log is $root/server.log"
    }
  fi

  if [[ -z $(psql_url "postgres://warmline@127.0.0.1:$port/postgres?sslmode=disable" \
    "SELECT 1 FROM pg_database WHERE datname = 'warmline'") ]]; then
    psql_url "postgres://warmline@127.0.0.1:$port/postgres?sslmode=disable" "CREATE DATABASE warmline" >/dev/null
    info "created database warmline"
  fi
  export DATABASE_URL="postgres://warmline@127.0.0.1:$port/warmline?sslmode=disable"
}

if [[ -n ${DATABASE_URL:-} ]]; then
  banner "Using DATABASE_URL from the environment (no local Postgres started)"
else
  start_dev_postgres
fi
info "DATABASE_URL=$DATABASE_URL"

# ---------------------------------------------------------------- server

banner "Starting bin/warmline serve --seed-demo (Ctrl-C stops it and the Postgres started above)"
# The server runs in a session of its own (setsid), so a Ctrl-C at the
# terminal reaches only this script, which then asks the server to stop with
# exactly one SIGTERM (a second signal would make it quit without cleaning up)
# and, once it has, stops Postgres.
setsid bin/warmline serve --seed-demo &
SERVER_PID=$!
trap 'kill -TERM "$SERVER_PID" 2>/dev/null || true' INT TERM

status=0
while kill -0 "$SERVER_PID" 2>/dev/null; do
  # wait returns early (>128) when a trapped signal arrives; keep waiting
  # until the server has really exited, then keep its exit status.
  if wait "$SERVER_PID"; then status=0; else status=$?; fi
done
SERVER_PID=
exit "$status"
