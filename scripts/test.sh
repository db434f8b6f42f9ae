#!/usr/bin/env bash
# make test — everything CI checks, from a fresh clone, on a machine where
# nothing is running:
#
#   install what is missing (Debian: postgresql chromium sox curl gcc, and
#   baresip-core sip-tester for the phone specs; npm ci
#   for frontend/ and e2e/, never downloading a browser), start a throw-away
#   Postgres, then: go vet, gofmt check, go test -race (and the media
#   poller's tests without it), frontend typecheck and
#   unit tests, the build (SPA, then bin/warmline), and the Playwright e2e suite
#   against a real `bin/warmline serve --seed-demo`.
#
# Every step runs even when an earlier one failed (e2e needs the build, so it
# is skipped without one); a summary line per step is printed at the end and
# the exit status is non-zero if any step failed. Everything this script
# starts is stopped on exit, whatever the exit.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# Playwright must use Debian's /usr/bin/chromium; nothing may download one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
MAKE=${MAKE:-make}
LOGS=$ROOT/.tmp
mkdir -p "$LOGS"
# Session ids of what runs under setsid (the e2e server, Playwright), kept in
# a file because steps run in subshells and the EXIT trap must find them.
SESSIONS=$(mktemp "${TMPDIR:-/tmp}/warmline-test-sessions.XXXXXX")

# Everything started from here on carries this run's mark (see lib.sh).
mark_run test

# In order: the server and Playwright (gracefully, by session), Postgres,
# then anything of this run still alive (Chromium left by a killed Playwright).
cleanup() {
  local rc=$?
  set +e
  # Output may be piped to something Ctrl-C already ended (make run | tee):
  # a failed write must not cut the cleanup short.
  trap '' PIPE
  while read -r sid; do stop_session "$sid" 15; done <"$SESSIONS"
  rm -f "$SESSIONS"
  pg_throwaway_stop
  stop_marked 5
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS

# ---------------------------------------------------------------- install

install_all() {
  local need=()
  [[ -n $(pg_bindir) ]] || need+=(postgresql)
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
  command -v sox >/dev/null || need+=(sox)
  command -v curl >/dev/null || need+=(curl)
  command -v gcc >/dev/null || need+=(gcc libc6-dev) # go test -race needs cgo
  # Phone e2e (issue 3): baresip is the customer's phone, sipp a SIP peer.
  command -v baresip >/dev/null || need+=(baresip-core)
  command -v sipp >/dev/null || need+=(sip-tester)
  apt_install "${need[@]}"
  local tool
  for tool in go node npm git; do
    command -v "$tool" >/dev/null || die "$tool is not installed (needed: Go 1.26, Node 20 with npm)"
  done
  # npm ci only where node_modules is missing or package-lock.json changed.
  "$MAKE" deps
}

run_step "install missing tools and npm packages" install_all
if ! step_passed "install missing tools and npm packages"; then
  print_summary "make test" || exit 1
fi

banner "Starting a throw-away Postgres"
pg_throwaway_start || die "could not start Postgres"

# ---------------------------------------------------------------- steps

frontend_typecheck() { cd frontend && npm run typecheck; }
# CI=true and no stdin: a unit-test runner must run once, never watch.
frontend_unit() { cd frontend && CI=true npm test </dev/null; }

e2e() {
  local port url log sid
  psql_url "$DATABASE_URL" "CREATE DATABASE e2e" >/dev/null
  port=$(free_port)
  url=http://127.0.0.1:$port
  # Phone e2e (issue 3): the gateway on loopback, exported so that the
  # server and Playwright (whose phone specs dial the gateway) both see it.
  local sip rtp
  sip=$(free_port_range 2) # UDP and TCP on the SIP port, TLS on the next
  rtp=$(free_port_range 200)
  export WARMLINE_SIP_LISTEN=udp:127.0.0.1:$sip WARMLINE_RTP_PORTS=$rtp-$((rtp + 199))
  export WARMLINE_ICE_LOOPBACK=true WARMLINE_DEMO_LINE=true
  info "gateway: SIP $WARMLINE_SIP_LISTEN, RTP $WARMLINE_RTP_PORTS"
  log=$LOGS/e2e-server.log
  info "starting bin/warmline serve --seed-demo on $url (log: ${log#"$ROOT"/})"
  # setsid: its own session, so the EXIT trap can end it and anything it
  # spawned by session id.
  DATABASE_URL="postgres://warmline@127.0.0.1:$PG_PORT/e2e?sslmode=disable" \
    WARMLINE_ADDR=127.0.0.1:$port \
    setsid bin/warmline serve --seed-demo >"$log" 2>&1 &
  sid=$!
  echo "$sid" >>"$SESSIONS"
  if ! wait_http "$url/readyz" 60 "$sid"; then
    echo "bin/warmline did not become ready at $url/readyz within 60 s; its log:" >&2
    tail -n 50 "$log" >&2
    return 1
  fi
  info "server ready"

  (cd e2e && npm run --silent typecheck)
  # Playwright in a session of its own too, so it and its helpers can be
  # ended together (Chromium is detached by Playwright: stop_marked finds it).
  local rc=0
  (cd e2e && WARMLINE_URL=$url exec setsid npx playwright test) &
  local pw=$!
  echo "$pw" >>"$SESSIONS"
  wait "$pw" || rc=$?
  stop_session "$pw" 5

  stop_session "$sid" 15
  if ((rc != 0)); then
    echo "e2e failed: traces and screenshots are in e2e/test-results/ (npx playwright show-trace <trace.zip>); server log: ${log#"$ROOT"/}" >&2
    tail -n 30 "$log" >&2
  fi
  return "$rc"
}

run_step "go vet ./..." go vet ./...
run_step "gofmt check" gofmt_check
run_step "go test -race -count=1 ./..." go test -race -count=1 ./...
# The media poller's cooperation with the garbage collector shows in the
# plain build (what ships), not under -race: run its tests there too.
run_step "go test -count=1 -run TestPoller ./media (plain build)" go test -count=1 -run TestPoller ./media
run_step "frontend: npm run typecheck" frontend_typecheck
run_step "frontend: npm test" frontend_unit
run_step "build: SPA, then bin/warmline" "$MAKE" build
if step_passed "build: SPA, then bin/warmline"; then
  run_step "e2e: Playwright against bin/warmline" e2e
else
  skip_step "e2e: Playwright against bin/warmline" "the build failed"
fi

info "total time: $((SECONDS - started)) s"
print_summary "make test"
