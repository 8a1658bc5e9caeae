#!/usr/bin/env bash
# Runs every test against a real PostGIS, the real servers and Debian's Chromium: the same set-up as
# ./run.sh --no-serve without the 20,000-event demo (the tests clone a small demo of their own:
# tests/fixtures.py), then ruff and mypy beside pytest on both cores (pytest-xdist).
# Extra arguments go to pytest, e.g. ./test.sh -k coords   (./test.sh -n 0 runs in one process)
# docs/testing.md: the time budget (CI <= 15 minutes) and how a new test stays inside it.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
start=$(date +%s)

# The Python packages download while apt installs the system's: two networks waits at once.
ensure_python
ensure_venv &
venv_pid=$!
ensure_system_packages browser
wait "$venv_pid" || die "the Python packages did not install (see above)"

# Lint and types while the database is set up and the tests run; their exit codes count at the end.
checks="$(mktemp -d)"
( "$VENV/bin/ruff" check --no-cache . >"$checks/ruff" 2>&1; echo $? >"$checks/ruff.rc" ) &
( "$VENV/bin/mypy" --no-incremental >"$checks/mypy" 2>&1; echo $? >"$checks/mypy.rc" ) &

ensure_web_assets
ensure_database
ensure_schema_and_data no-demo
ensure_app_role
log "set-up done after $(( $(date +%s) - start )) s"

export TEST_ADMIN_DATABASE_URL="$DATABASE_URL"
# jy_app is cluster-wide: the tests connect as it to their throwaway databases
export TEST_APP_DATABASE_URL="$APP_DATABASE_URL"
export PYTHONUNBUFFERED=1
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider -n 2 --dist loadfile --durations=30 "$@"
rc=$?
wait
set -e
lint="$(cat "$checks/ruff.rc")"; types="$(cat "$checks/mypy.rc")"
cat "$checks/ruff" "$checks/mypy"
rm -rf "$checks"
log "ruff exit code $lint, mypy exit code $types, pytest exit code $rc after $(( $(date +%s) - start )) s"
[ "$lint" -eq 0 ] && [ "$types" -eq 0 ] || exit 1
exit $rc
