# Warmline. `make help` lists the targets; `make run` and `make test` are the
# two that matter. Every target works from a fresh clone and says what it does.
#
# The build is driven by file timestamps so that a second `make run` does no
# work: npm ci runs only when node_modules is missing or package-lock.json
# changed (a stamp file in node_modules records the last install), the SPA is
# rebuilt only when frontend sources changed, and go build's own cache decides
# about bin/warmline.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Nothing here may download a browser: Playwright uses /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

# `warmline version` prints this (cmd/warmline: main.version). No optional
# git locks: a build must never make a concurrent `git commit` fail.
ifeq ($(origin VERSION),undefined)
VERSION := $(shell GIT_OPTIONAL_LOCKS=0 git describe --tags --always --dirty 2>/dev/null || echo dev)
endif
GO_LDFLAGS := -X main.version=$(VERSION)

FRONTEND_STAMP := frontend/node_modules/.warmline-npm-ci
E2E_STAMP := e2e/node_modules/.warmline-npm-ci
SPA := frontend/dist/index.html

# Everything the SPA is built from.
FRONTEND_INPUTS := $(shell find frontend \( -path frontend/node_modules -o -path frontend/dist \) -prune \
	-o -type f -not -name '*.go' -print 2>/dev/null)

.PHONY: FORCE help run test bench lint build deps frontend-deps e2e-deps clean compose-check

help: ## list the targets
	@echo "Warmline — make targets:"
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z-]*:.*## / { printf "  make %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

run: ## build what changed, start a dev Postgres in .data/postgres (unless DATABASE_URL is set), serve with demo data on http://127.0.0.1:8080
	@scripts/run.sh

test: ## what CI runs: install what is missing, then vet, gofmt, go test -race, frontend typecheck + tests, build, Playwright e2e
	@scripts/test.sh

bench: ## Go benchmarks against a throw-away Postgres (BENCH=regexp picks some, default all)
	@scripts/bench.sh

lint: ## go vet, gofmt check, frontend typecheck
	@scripts/lint.sh

build: $(SPA) bin/warmline ## build the SPA into frontend/dist, then bin/warmline with it embedded
	@echo "==> build: bin/warmline is up to date"

deps: frontend-deps e2e-deps ## npm ci in frontend/ and e2e/ where node_modules is missing or package-lock.json changed

frontend-deps: $(FRONTEND_STAMP)
e2e-deps: $(E2E_STAMP)

clean: ## remove build outputs (bin/, frontend/dist, e2e results, .tmp); keeps node_modules and the dev database in .data
	@echo "==> clean: removing bin/ .tmp/ frontend/dist/* e2e/test-results e2e/playwright-report"
	rm -rf bin .tmp e2e/test-results e2e/playwright-report
	if [[ -d frontend/dist ]]; then find frontend/dist -mindepth 1 -not -name .gitkeep -delete; fi

compose-check: ## validate docker-compose.yml with docker-compose config (installs Debian's docker-compose if missing; no Docker engine needed)
	@scripts/compose-check.sh

# ---------------------------------------------------------------- files

$(FRONTEND_STAMP): frontend/package.json frontend/package-lock.json
	@echo "==> frontend: npm ci (node_modules missing or package-lock.json changed)"
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(E2E_STAMP): e2e/package.json e2e/package-lock.json
	@echo "==> e2e: npm ci (node_modules missing or package-lock.json changed)"
	cd e2e && npm ci --no-audit --no-fund
	touch $@

$(SPA): $(FRONTEND_STAMP) $(FRONTEND_INPUTS)
	@echo "==> frontend: npm run build -> frontend/dist"
	cd frontend && npm run build
	touch $@

# Always handed to go build: Go's own cache knows exactly what is out of date
# (sources, embedded files, the toolchain) and a no-op build takes a fraction
# of a second.
bin/warmline: $(SPA) FORCE
	@echo "==> go build -o bin/warmline ./cmd/warmline (version $(VERSION))"
	go build -ldflags '$(GO_LDFLAGS)' -o $@ ./cmd/warmline

FORCE:
