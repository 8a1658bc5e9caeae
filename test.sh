#!/usr/bin/env bash
# Runs every test against a real PostGIS: the same set-up as ./run.sh --no-serve, then pytest in a
# throwaway database (created and dropped by tests/conftest.py), never the demo one.
# Extra arguments go to pytest, e.g. ./test.sh -k coords
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

ensure_system_packages
ensure_venv
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
"$VENV/bin/python" -m pytest -p no:cacheprovider "$@"
rc=$?
set -e
log "pytest exit code $rc after $(( $(date +%s) - start )) s"
exit $rc
