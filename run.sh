#!/usr/bin/env bash
# Sets up everything (venv, packages, PostgreSQL + PostGIS, HAProxy, project-local cluster, migrations,
# demo data) and serves (scripts/serve.sh) the dashboard at http://localhost:${PORT:-8501} — HAProxy in
# front of JY_WEB_WORKERS Streamlit processes — and the terminals' HTTP API at
# http://localhost:${API_PORT:-8502}/api/v1/ (also under /api/ and /open311/ of the same port).
#   ./run.sh                 set up, then serve
#   ./run.sh --no-serve      set up only; the last two lines printed are DATABASE_URL=<url> (the owner:
#                            migrations, loading) and APP_DATABASE_URL=<url> (the dashboard's role)
#   ./run.sh --no-demo       schema and reference catalogues only, no demo grids/staff/events/sites
#   ./run.sh loaders ARGS…   the command-line tools from any shell (venv and DATABASE_URL set up), e.g.
#                            ./run.sh loaders events export.csv --crs gcj02   (./run.sh loaders --help)
#   ./run.sh --stop          stop the project-local PostgreSQL cluster (it keeps running otherwise)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

if [ "${1:-}" = "loaders" ]; then
  shift
  ensure_system_packages
  ensure_venv
  ensure_database
  (cd "$ROOT" && "$VENV/bin/python" -m loaders migrate >/dev/null)
  exec "$VENV/bin/python" -m loaders "$@"
fi

serve=1; demo=demo
for arg in "$@"; do
  case "$arg" in
    --no-serve) serve=0 ;;
    --no-demo) demo=no-demo ;;
    --stop) ensure_system_packages; stop_local_cluster; exit 0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown option '$arg' (known: --no-serve, --no-demo, --stop, loaders ARGS…)" ;;
  esac
done

ensure_system_packages
ensure_venv
ensure_web_assets
ensure_database
ensure_schema_and_data "$demo"
ensure_app_role

if [ "$serve" -eq 0 ]; then
  echo "DATABASE_URL=$DATABASE_URL"
  echo "APP_DATABASE_URL=$APP_DATABASE_URL"
  exit 0
fi
if [ -s .local/demo_accounts.txt ]; then
  log "demo accounts (演示账号) and their passwords: .local/demo_accounts.txt"
else
  log "no demo accounts: create the first admin with .venv/bin/python -m loaders create-admin NAME"
fi
scheme=http; [ -n "${JY_TLS_CERT:-}" ] && scheme=https
log "serving the dashboard at $scheme://localhost:${PORT:-8501} (HAProxy in front of ${JY_WEB_WORKERS:-$(nproc)} workers)"
log "serving the API at http://localhost:${API_PORT:-8502}/api/v1/ and through the proxy at $scheme://localhost:${PORT:-8501}/api/v1/"
log "(terminal accounts: the 网格员 lines of .local/demo_accounts.txt)"
exec scripts/serve.sh
