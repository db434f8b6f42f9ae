# shellcheck shell=bash
# Helpers shared by scripts/*.sh. Source it; it defines functions only (and
# ROOT, the repository root).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---------------------------------------------------------------- output

if [[ -t 1 ]]; then
  _bold=$'\e[1m' _red=$'\e[31m' _green=$'\e[32m' _yellow=$'\e[33m' _reset=$'\e[0m'
else
  _bold='' _red='' _green='' _yellow='' _reset=''
fi

banner() { printf '\n%s==> %s%s\n' "$_bold" "$*" "$_reset"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$_yellow" "$_reset" "$*" >&2; }
die() {
  printf '%serror:%s %s\n' "$_red" "$_reset" "$*" >&2
  exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------- packages

_apt_updated=
# apt_install PKG... installs Debian packages. apt-get update runs once, and
# only when something is to be installed. Not root: print the command, fail.
apt_install() {
  (($# > 0)) || return 0
  if ! is_root; then
    printf '%serror:%s missing packages: %s. Install them with:\n\n    sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n\n' \
      "$_red" "$_reset" "$*" "$*" >&2
    return 1
  fi
  banner "Installing missing Debian packages: $*"
  if [[ -z $_apt_updated ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# pg_bindir prints the directory that holds the PostgreSQL *server* binaries
# (initdb, pg_ctl), or nothing. pg_config alone is not proof: a machine with
# only the client package has pg_config and psql but no initdb.
pg_bindir() {
  local d
  if command -v pg_config >/dev/null; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return
    fi
  fi
  # Newest installed version first.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -rn); do
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return
    fi
  done
}

# ensure_postgres sets PGBIN, installing Debian's postgresql when missing.
ensure_postgres() {
  PGBIN=$(pg_bindir)
  if [[ -z $PGBIN ]]; then
    apt_install postgresql || return 1
    PGBIN=$(pg_bindir)
    [[ -n $PGBIN ]] || die "postgresql installed but initdb/pg_ctl not found"
  fi
}

# as_pg CMD... runs a Postgres server command. Postgres refuses to run as
# root, so as root it runs as the postgres user (created by Debian's package).
# It starts from / because postgres may not be allowed into the current
# directory (every path handed to it is absolute).
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# ---------------------------------------------------------------- ports, processes

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints a port nothing listens on. It stays below Linux's ephemeral
# range (32768+) so an outgoing connection cannot be holding it.
free_port() {
  local p i
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 12000))
    port_in_use "$p" || {
      echo "$p"
      return 0
    }
  done
  return 1
}

# Phone e2e (issue 3): the gateway needs a SIP port (UDP) and an RTP port
# range, so ports are checked over UDP too.
# ports_in_use prints every local port with a TCP or UDP socket on it (ss
# from iproute2; without ss it prints nothing and only the bind can tell).
ports_in_use() {
  command -v ss >/dev/null || return 0
  ss -Htuan 2>/dev/null | awk '{ n = split($5, a, ":"); print a[n] }' | sort -un
}

# free_port_range COUNT prints the first of COUNT consecutive ports on which
# nothing holds a TCP or UDP socket, below the ephemeral range like free_port.
free_port_range() {
  local count=$1 used base i
  used=$(ports_in_use)
  for ((i = 0; i < 100; i++)); do
    base=$((20000 + RANDOM % (12000 - count)))
    if ! awk -v lo="$base" -v hi="$((base + count - 1))" '$1 >= lo && $1 <= hi { f = 1 } END { exit !f }' <<<"$used" &&
      ! port_in_use "$base"; then
      echo "$base"
      return 0
    fi
  done
  return 1
}

# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (default 15) for it to
# exit, then SIGKILL. Quiet if it is already gone.
stop_pid() {
  local pid=$1 limit=${2:-15} i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "process $pid did not stop after ${limit}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# session_pids SID prints the ids of the live processes in session SID
# (zombies, already dead and waiting to be reaped, are left out).
session_pids() { ps -o pid=,stat= -s "$1" 2>/dev/null | awk '$2 !~ /^Z/ { printf "%s ", $1 }' || true; }

# stop_session SID [SECONDS]: ends every process in session SID, one that a
# script created with setsid (a server, or Playwright with its Chromium
# children): SIGTERM, up to SECONDS (default 10) to exit, then SIGKILL. Only
# processes of that session are touched.
stop_session() {
  local sid=$1 limit=${2:-10} pids i
  [[ -n $sid ]] || return 0
  pids=$(session_pids "$sid")
  [[ -n ${pids// /} ]] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do
    pids=$(session_pids "$sid")
    [[ -n ${pids// /} ]] || return 0
    sleep 0.1
  done
  warn "killing processes still running in session $sid after ${limit}s: $pids"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}

# Processes that escape their session -- Playwright starts Chromium detached,
# in a session of its own -- are found by a mark in their environment:
# mark_run exports WARMLINE_RUN_MARK, which every process started afterwards
# inherits, and stop_marked ends the ones still alive. Nothing unmarked is
# touched.
mark_run() { export WARMLINE_RUN_MARK="$1-$$-$(date +%s%N)"; }

# marked_pids prints the live processes (other than this shell) that carry
# this run's mark.
marked_pids() {
  [[ -n ${WARMLINE_RUN_MARK:-} ]] || return 0
  local f pid
  # One grep for all of /proc; the grep itself carries the mark too, and is
  # gone by the time anything is signalled.
  for f in $(grep -lzxF "WARMLINE_RUN_MARK=$WARMLINE_RUN_MARK" /proc/[0-9]*/environ 2>/dev/null); do
    pid=${f#/proc/}
    pid=${pid%/environ}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    [[ $(ps -o stat= -p "$pid" 2>/dev/null) == Z* ]] && continue
    kill -0 "$pid" 2>/dev/null && printf '%s ' "$pid"
  done
  return 0
}

# stop_marked [SECONDS]: SIGTERM to every marked process left, SIGKILL to
# those still there after SECONDS (default 5).
stop_marked() {
  local limit=${1:-5} pids i
  pids=$(marked_pids)
  [[ -n ${pids// /} ]] || return 0
  info "stopping leftover processes of this run: $pids"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do
    pids=$(marked_pids)
    [[ -n ${pids// /} ]] || return 0
    sleep 0.1
  done
  warn "killing leftover processes after ${limit}s: $pids"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}

# wait_http URL SECONDS [PID]: wait for URL to answer 2xx. Fails early if PID
# (the server being waited for) exits.
wait_http() {
  local url=$1 limit=$2 pid=${3:-} i
  for ((i = 0; i < limit * 5; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------- throw-away Postgres

# pg_throwaway_start [durable] starts a Postgres for tests in a fresh mktemp
# directory on a free 127.0.0.1 port, and exports DATABASE_URL (superuser
# `warmline`, trust auth, database `postgres`). fsync and friends are off: the
# data is thrown away, so crash safety buys nothing and costs time -- except
# with `durable` (benchmarks), where write timings must be the real ones.
# Stop it with pg_throwaway_stop (put that in an EXIT trap).
PG_TMP=
PG_PORT=
pg_throwaway_start() {
  local speed='-c fsync=off -c synchronous_commit=off -c full_page_writes=off'
  [[ ${1:-} != durable ]] || speed=''
  ensure_postgres || return 1
  PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/warmline-pg.XXXXXX")
  # As root the server runs as postgres, which must own the directory.
  is_root && chown postgres: "$PG_TMP"
  as_pg "$PGBIN/initdb" -D "$PG_TMP/data" -A trust -U warmline -E UTF8 --locale=C.UTF-8 \
    --no-sync --no-instructions >"$PG_TMP/initdb.log" 2>&1 || {
    cat "$PG_TMP/initdb.log" >&2
    return 1
  }
  local try
  for try in 1 2 3; do
    PG_PORT=$(free_port) || return 1
    if as_pg "$PGBIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k '$PG_TMP' -c max_connections=300 $speed" \
      start >/dev/null; then
      export DATABASE_URL="postgres://warmline@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
      info "throw-away Postgres on 127.0.0.1:$PG_PORT (data in $PG_TMP)"
      return 0
    fi
    # Most likely another process took the port between the check and the start.
    warn "Postgres did not start on port $PG_PORT (try $try); log:"
    tail -n 5 "$PG_TMP/server.log" >&2 || true
  done
  return 1
}

pg_throwaway_stop() {
  [[ -n $PG_TMP && -d $PG_TMP ]] || return 0
  if [[ -f $PG_TMP/data/postmaster.pid ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_TMP"
  PG_TMP=
}

# psql_url URL SQL: run one statement, print the unaligned result.
psql_url() { "$PGBIN/psql" "$1" -X -q -v ON_ERROR_STOP=1 -tAc "$2"; }

# ---------------------------------------------------------------- steps

# run_step NAME CMD...: runs CMD under a banner, in a subshell with `set -e`
# (a step stops at its first failing command), records pass/fail and time.
# It never exits: every step runs, and print_summary says how it went.
STEP_NAMES=() STEP_RESULTS=() STEP_TIMES=()
run_step() {
  local name=$1 start rc
  shift
  banner "$name"
  start=$SECONDS
  set +e
  (
    set -e
    "$@"
  )
  rc=$?
  set -e
  STEP_NAMES+=("$name")
  STEP_TIMES+=("$((SECONDS - start))s")
  if ((rc == 0)); then
    STEP_RESULTS+=(PASS)
  else
    STEP_RESULTS+=(FAIL)
    printf '%sFAILED:%s %s (exit %d)\n' "$_red" "$_reset" "$name" "$rc" >&2
  fi
  return 0
}

# skip_step NAME REASON records a step that could not run.
skip_step() {
  banner "$1"
  info "skipped: $2"
  STEP_NAMES+=("$1")
  STEP_RESULTS+=(SKIP)
  STEP_TIMES+=("-")
}

step_passed() { # step_passed NAME
  local i
  for i in "${!STEP_NAMES[@]}"; do
    [[ ${STEP_NAMES[$i]} == "$1" ]] && [[ ${STEP_RESULTS[$i]} == PASS ]] && return 0
  done
  return 1
}

# print_summary TITLE: a line per step, then a count; returns 1 if any step
# failed or was skipped.
print_summary() {
  local i passed=0 failed=0 skipped=0 colour
  banner "$1 summary"
  for i in "${!STEP_NAMES[@]}"; do
    case ${STEP_RESULTS[$i]} in
      PASS) colour=$_green passed=$((passed + 1)) ;;
      FAIL) colour=$_red failed=$((failed + 1)) ;;
      *) colour=$_yellow skipped=$((skipped + 1)) ;;
    esac
    printf '    %s%-4s%s  %-40s %6s\n' "$colour" "${STEP_RESULTS[$i]}" "$_reset" "${STEP_NAMES[$i]}" "${STEP_TIMES[$i]}"
  done
  if ((skipped > 0)); then
    printf 'steps: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
  else
    printf 'steps: %d passed, %d failed\n' "$passed" "$failed"
  fi
  ((failed == 0 && skipped == 0))
}

# ---------------------------------------------------------------- checks shared by test and lint

# gofmt_check lists Go files that gofmt would change, and fails if any.
# Files come from git (tracked, plus untracked ones not ignored), so nothing
# under node_modules or other ignored folders is looked at.
gofmt_check() {
  local files bad
  cd "$ROOT"
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files --cached --others --exclude-standard -- '*.go' | while read -r f; do if [[ -f $f ]]; then echo "$f"; fi; done)
  else
    files=$(find . -name node_modules -prune -o -name '*.go' -type f -print)
  fi
  [[ -n $files ]] || return 0
  # shellcheck disable=SC2086
  bad=$(gofmt -l $files)
  if [[ -n $bad ]]; then
    echo "gofmt would change these files (run: gofmt -w <file>):" >&2
    echo "$bad" | sed 's/^/    /' >&2
    return 1
  fi
  echo "all Go files are gofmt-clean"
}
