# Shared set-up for ./run.sh and ./test.sh. Source it; do not run it.
#
# Steps, each idempotent and quick on a second run:
#   ensure_system_packages  PostgreSQL + PostGIS, HAProxy, npm; with "browser" Chromium and CJK fonts
#                           (one apt-get call when root, else a clear message)
#   ensure_venv             .venv with requirements.txt (reinstalled only when the file changes)
#   ensure_database         DATABASE_URL, or a project-local cluster in .pgdata/ on localhost:$JY_PG_PORT
#   ensure_schema_and_data  migrations, then the demo data when the database holds no grids
#   ensure_app_role         APP_DATABASE_URL, the role the dashboard connects as (row-level security)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JY_PG_PORT="${JY_PG_PORT:-54329}"
JY_DB_NAME="${JY_DB_NAME:-jiangyin}"
JY_DB_USER="${JY_DB_USER:-jiangyin}"
PGDATA_DIR="$ROOT/.pgdata"
LOCAL_DIR="$ROOT/.local"
VENV="$ROOT/.venv"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

APT_UPDATED=0
apt_update() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
}

apt_install() {
  is_root || die "missing system packages: $*. Install them with: sudo apt-get install -y $*"
  command -v apt-get >/dev/null || die "no apt-get on this machine; install these packages by hand: $*"
  apt_update
  log "apt-get install $*"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The newest PostgreSQL major version installed from Debian/Ubuntu packages, or empty.
pg_major() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin/postgres; do
    [ -x "$d" ] || continue
    d="${d#/usr/lib/postgresql/}"; d="${d%%/*}"
    if [ -z "$best" ] || [ "$d" -gt "$best" ]; then best="$d"; fi
  done
  printf '%s' "$best"
}

ensure_python() {
  PYTHON="${PYTHON:-}"
  if [ -z "$PYTHON" ]; then
    for p in python3.11 python3; do
      if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        PYTHON="$(command -v "$p")"; break
      fi
    done
  fi
  [ -n "$PYTHON" ] || { apt_install python3 python3-venv; PYTHON="$(command -v python3)"; }
  if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv
  fi
}

# $1 = "browser": also Chromium and the CJK fonts the browser tests need (./test.sh). Every missing
# package is installed by one apt-get call.
ensure_system_packages() {
  local major want=()
  major="$(pg_major)"
  if [ -z "$major" ]; then
    # the distribution's PostgreSQL, with PostGIS for the same major version, in the one call below
    is_root && command -v apt-get >/dev/null && apt_update
    major="$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -1)"
    [ -n "$major" ] || die "PostgreSQL is not installed; install postgresql, postgresql-contrib and PostGIS by hand"
    want+=(postgresql postgresql-contrib)
  fi
  [ -f "/usr/share/postgresql/$major/extension/postgis.control" ] || want+=("postgresql-$major-postgis-3")
  # the reverse proxy in front of the dashboard's processes (scripts/serve.sh)
  command -v haproxy >/dev/null || want+=(haproxy)
  command -v npm >/dev/null || want+=(npm)
  if [ "${1:-}" = "browser" ]; then
    command -v chromium >/dev/null || want+=(chromium)
    fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || want+=(fonts-noto-cjk fontconfig)
  fi
  [ "${#want[@]}" -eq 0 ] || apt_install "${want[@]}"
  [ -n "$(pg_major)" ] || die "PostgreSQL did not install; install postgresql and postgresql-contrib by hand"
  [ -f "/usr/share/postgresql/$major/extension/postgis.control" ] \
    || die "PostGIS for PostgreSQL $major is missing; install postgresql-$major-postgis-3"
  PG_BIN="/usr/lib/postgresql/$major/bin"
  export PG_BIN
  command -v haproxy >/dev/null || die "haproxy is missing; install it with: apt-get install haproxy"
  command -v npm >/dev/null || die "npm is missing; install it with: apt-get install npm"
  if [ "${1:-}" = "browser" ]; then
    command -v chromium >/dev/null || die "chromium is missing; install it with: apt-get install chromium"
  fi
}

ensure_venv() {
  ensure_python
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating .venv with $PYTHON"
    "$PYTHON" -m venv "$VENV"
  fi
  local want have=""
  want="$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)"
  [ -f "$VENV/.requirements.sha256" ] && have="$(cat "$VENV/.requirements.sha256")"
  if [ "$want" != "$have" ]; then
    log "installing Python packages (requirements.txt changed or first run)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements.txt"
    printf '%s' "$want" > "$VENV/.requirements.sha256"
  fi
}

# Run a PostgreSQL server binary as the cluster's owner (the server refuses to run as root).
as_pg_owner() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_running() {
  [ -f "$PGDATA_DIR/postmaster.pid" ] && as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

ensure_local_cluster() {
  mkdir -p "$LOCAL_DIR"; chmod 700 "$LOCAL_DIR"
  local pwfile="$LOCAL_DIR/db_password"
  if [ ! -s "$pwfile" ]; then
    (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24), end="")' > "$pwfile")
  fi
  DB_PASSWORD="$(cat "$pwfile")"
  # The cluster's superuser ("postgres", its own password) only creates roles and extensions and
  # turns on archiving; the owner of the schema and of every SECURITY DEFINER function is
  # $JY_DB_USER, not a superuser (issue 19). Clusters made before that keep their superuser owner.
  local su_pwfile="$LOCAL_DIR/pg_superuser_password"

  if is_root && ! runuser -u postgres -- test -x "$ROOT"; then
    # The postgres user cannot reach this folder (e.g. under /root): keep the cluster in its home
    # and leave .pgdata as a link to it.
    local home_dir="/var/lib/postgresql/jiangyin-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
    if [ ! -e "$PGDATA_DIR" ]; then
      mkdir -p "$home_dir"; chown postgres:postgres "$home_dir"; ln -s "$home_dir" "$PGDATA_DIR"
    fi
  fi

  if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    log "initialising the project-local cluster in .pgdata/"
    mkdir -p "$PGDATA_DIR"
    (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24), end="")' > "$su_pwfile")
    local tmp_pw; tmp_pw="$(mktemp)"
    cp "$su_pwfile" "$tmp_pw"
    if is_root; then chown -R postgres:postgres "$PGDATA_DIR/" "$tmp_pw"; fi
    chmod 700 "$PGDATA_DIR/"
    as_pg_owner "$PG_BIN/initdb" -D "$PGDATA_DIR/" -U postgres --pwfile="$tmp_pw" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$tmp_pw"
    as_pg_owner tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null <<EOF
# jiangyin project-local cluster
listen_addresses = 'localhost'
port = $JY_PG_PORT
unix_socket_directories = ''
timezone = 'Asia/Shanghai'
# sized for the 24 GB, 2-core machine the product runs on (README "Imports"): large imports and the
# demo load write gigabytes of WAL in one transaction
shared_buffers = '2GB'
work_mem = '32MB'
maintenance_work_mem = '256MB'
max_wal_size = '8GB'
checkpoint_timeout = '15min'
wal_compression = lz4
max_connections = 100
EOF
  fi
  if ! cluster_running; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$JY_PG_PORT") 2>/dev/null; then
      die "port $JY_PG_PORT is already in use (another clone's cluster?). Stop that server, or pick another port: JY_PG_PORT=54330 ./run.sh"
    fi
    log "starting PostgreSQL on localhost:$JY_PG_PORT"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 start >/dev/null \
      || die "PostgreSQL did not start; see .pgdata/server.log"
  fi
  local admin_url="postgresql://$JY_DB_USER:$DB_PASSWORD@localhost:$JY_PG_PORT/postgres"
  local su_url="$admin_url"
  if [ -s "$su_pwfile" ]; then
    su_url="postgresql://postgres:$(cat "$su_pwfile")@localhost:$JY_PG_PORT/postgres"
    # the owner: may create databases and roles (jy_app, jy_auth, jy_outbox), replicate (backups) and
    # load past row-level security (COPY, as the loaders do), as the superuser owner did before;
    # end its databases' sessions (DROP DATABASE … FORCE) and pause a standby's replay (tests);
    # PostGIS and pgcrypto in template1, so the databases it creates have them (tests too)
    PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" "$su_url" -q -v ON_ERROR_STOP=1 -v owner="$JY_DB_USER" -v pw="$DB_PASSWORD" >/dev/null <<'SQL' \
      || die "could not set up the owner role in the local cluster"
SELECT format('CREATE ROLE %I LOGIN', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS PASSWORD %L', :'owner', :'pw') \gexec
SELECT format('GRANT pg_monitor, pg_signal_backend TO %I', :'owner') \gexec
\c template1
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
-- PostGIS's only SECURITY DEFINER functions read any table's planner statistics: nobody here needs them
REVOKE EXECUTE ON FUNCTION st_estimatedextent(text, text), st_estimatedextent(text, text, text),
       st_estimatedextent(text, text, text, boolean) FROM PUBLIC;
SELECT format('GRANT EXECUTE ON FUNCTION pg_wal_replay_pause(), pg_wal_replay_resume() TO %I', :'owner') \gexec
SQL
  else
    log "note: this cluster was made before the owner stopped being a superuser; to rebuild it: ./run.sh --stop; rm -rf .pgdata; ./run.sh"
  fi
  if ! "$PG_BIN/psql" "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$JY_DB_NAME'" | grep -q 1; then
    "$PG_BIN/psql" "$admin_url" -q -c "CREATE DATABASE $JY_DB_NAME" >/dev/null
  fi
  if [ -s "$su_pwfile" ]; then   # a database made before template1 had the REVOKE above
    "$PG_BIN/psql" "${su_url%/postgres}/$JY_DB_NAME" -q -c "REVOKE EXECUTE ON FUNCTION st_estimatedextent(text, text),
       st_estimatedextent(text, text, text), st_estimatedextent(text, text, text, boolean) FROM PUBLIC" >/dev/null \
      || die "could not close PostGIS's statistics functions in $JY_DB_NAME"
  fi
  DATABASE_URL="postgresql://$JY_DB_USER:$DB_PASSWORD@localhost:$JY_PG_PORT/$JY_DB_NAME"
  # Continuous archiving (README "Backups"): every WAL segment is copied to JY_BACKUP_DIR, so
  # `loaders backup` + `loaders restore --to TIME` can bring back any moment. archive_mode needs a restart.
  local archiving
  archiving="$(cd "$ROOT" && DATABASE_URL="$su_url" "$VENV/bin/python" -m loaders archiving)" \
    || die "could not turn on WAL archiving (see above)"
  if printf '%s' "$archiving" | grep -q '^restart needed'; then
    log "restarting PostgreSQL once to turn on WAL archiving"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -m fast -w -t 120 restart >/dev/null \
      || die "PostgreSQL did not restart; see .pgdata/server.log"
  fi
}

stop_local_cluster() {
  if cluster_running; then
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null && log "stopped the local PostgreSQL cluster (.pgdata/)"
  else
    log "the local PostgreSQL cluster is not running"
  fi
}

ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "using DATABASE_URL from the environment"
  else
    ensure_local_cluster
  fi
  export DATABASE_URL
}

# $1 = "demo" or "no-demo"
ensure_schema_and_data() {
  (cd "$ROOT" && "$VENV/bin/python" -m loaders migrate)
  if [ "${1:-demo}" = "demo" ]; then
    (cd "$ROOT" && "$VENV/bin/python" -m loaders demo --if-empty)
  fi
}

# APP_DATABASE_URL: the dashboard's own role (jy_app, no BYPASSRLS, owns nothing). Taken from the
# environment if set, else jy_app gets a login with this machine's password (.local/app_db_password).
ensure_app_role() {
  if [ -n "${APP_DATABASE_URL:-}" ]; then
    log "using APP_DATABASE_URL from the environment"
  else
    APP_DATABASE_URL="$(cd "$ROOT" && "$VENV/bin/python" -m loaders app-role | sed -n 's/^APP_DATABASE_URL=//p')"
    [ -n "$APP_DATABASE_URL" ] || die "could not set up the app's database role jy_app"
  fi
  export APP_DATABASE_URL
}

# Browser assets from the npm registry at set-up (package.json, pinned by package-lock.json), served
# by our own servers: nothing is fetched from a CDN at run time. Install scripts are not run.
ensure_web_assets() {
  local want have=""
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  [ -f "$ROOT/node_modules/.lock.sha256" ] && have="$(cat "$ROOT/node_modules/.lock.sha256")"
  if [ "$want" != "$have" ] || [ ! -d "$ROOT/node_modules/swagger-ui-dist" ]; then
    log "installing browser assets (npm ci: package-lock.json)"
    (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || die "npm ci failed"
    echo "$want" > "$ROOT/node_modules/.lock.sha256"
    rm -rf "$ROOT/dashboard/static/vendor"
  fi
  # Leaflet and its plugins, served by Streamlit under /app/static/vendor (dashboard/ui/leaflet.py)
  if [ ! -f "$ROOT/dashboard/static/vendor/leaflet/leaflet.js" ]; then
    (cd "$ROOT" && "$VENV/bin/python" -m dashboard.ui.leaflet install) || die "could not copy the Leaflet assets"
  fi
}
