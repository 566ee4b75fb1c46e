#!/usr/bin/env bash
# Regenerates store/db from store/queries/*.sql and migrations/*.sql.
# sqlc is run from the module proxy at a pinned version, not as a go.mod
# dependency (it needs cgo and is only a build-time tool).
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1 generate
