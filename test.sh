#!/usr/bin/env bash
# Runs every test against a real PostGIS: the same set-up as ./run.sh --no-serve, then pytest in a
# throwaway database (created and dropped by tests/conftest.py), never the demo one.
# Extra arguments go to pytest, e.g. ./test.sh -k coords
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

ensure_system_packages
ensure_venv
ensure_web_assets
ensure_browser
ensure_database
ensure_schema_and_data demo
ensure_app_role

export TEST_ADMIN_DATABASE_URL="$DATABASE_URL"
# jy_app is cluster-wide: the tests connect as it to their throwaway databases
export TEST_APP_DATABASE_URL="$APP_DATABASE_URL"
export PYTHONUNBUFFERED=1
start=$(date +%s)
set +e
# Lint and type checks first (ruff.toml, mypy.ini); the tests run either way, the exit code counts all.
"$VENV/bin/ruff" check --no-cache .
lint=$?
"$VENV/bin/mypy" --no-incremental
types=$?
"$VENV/bin/python" -m pytest -p no:cacheprovider "$@"
rc=$?
set -e
log "ruff exit code $lint, mypy exit code $types, pytest exit code $rc after $(( $(date +%s) - start )) s"
[ "$lint" -eq 0 ] && [ "$types" -eq 0 ] || exit 1
exit $rc
