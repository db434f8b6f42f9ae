#!/usr/bin/env bash
# make bench — Go benchmarks (`go test -run '^$' -bench . -benchmem ./...`)
# with DATABASE_URL pointing at a throw-away Postgres, as `make test` does
# (but with fsync on).
# BENCH=regexp selects benchmarks (default: all); BENCH_PKGS the packages
# (default ./...). Record figures that matter in BENCHMARKS.md.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# Ignore SIGPIPE in the cleanup: output may be piped to something Ctrl-C ended.
trap "trap '' PIPE; pg_throwaway_stop" EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

banner "Starting a throw-away Postgres"
# Durable settings (fsync on), unlike `make test`: write timings are real.
pg_throwaway_start durable || die "could not start Postgres"

banner "go test -run '^\$' -bench '${BENCH:-.}' -benchmem ${BENCH_PKGS:-./...}"
# shellcheck disable=SC2086 # BENCH_PKGS may list several packages
go test -run '^$' -bench "${BENCH:-.}" -benchmem ${BENCH_PKGS:-./...}
