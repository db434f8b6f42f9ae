#!/usr/bin/env bash
# make lint — the static checks of `make test`, without a database or a
# browser: go vet, the gofmt check, the frontend typecheck.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

frontend_typecheck() {
  "${MAKE:-make}" frontend-deps
  cd frontend && npm run typecheck
}

run_step "go vet ./..." go vet ./...
run_step "gofmt check" gofmt_check
run_step "frontend: npm run typecheck" frontend_typecheck
print_summary "make lint"
