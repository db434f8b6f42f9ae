#!/usr/bin/env bash
# make compose-check — validates docker-compose.yml with `docker-compose
# config` (parsing and interpolation only; no Docker engine is needed).
# Installs Debian's docker-compose when it is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

command -v docker-compose >/dev/null || apt_install docker-compose
banner "docker-compose config"
docker-compose -f docker-compose.yml config --quiet
info "docker-compose.yml is valid"
