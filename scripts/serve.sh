#!/usr/bin/env bash
# Serves what ./run.sh set up (./run.sh calls it; tests/test_proxy.py runs it on a test database):
#   - JY_WEB_WORKERS Streamlit processes (default: the number of cores) on 127.0.0.1:PORT+1000+i,
#     each restarted by its supervisor loop when it dies;
#   - the API: JY_API_WORKERS uvicorn processes on API_PORT (supervised the same way);
#   - HAProxy (Debian's) in front on PORT: new browser sessions are spread round-robin, then stay on
#     their worker (cookie JYWEB, HttpOnly) for the websocket; a dead worker's sessions are sent to a
#     live one (they resume from the session cookie: at most a new sign-in). /api/ and /open311/ go to
#     the API through the same port, and /auth/ (the HttpOnly session cookie: api/web_session.py);
#   - HTTPS instead of HTTP on PORT when JY_TLS_CERT and JY_TLS_KEY name a certificate and its key;
#   - the live demo feed (JY_FEED, only on demo data).
# Bounded work in front of the API (issue 29): at most JY_API_MAXCONN requests (default 1 per API
# worker) are in the API at once; one that cannot start within JY_API_QUEUE_MS (default 10 ms) is
# answered 503 with Retry-After at once, by HAProxy, in the API's error shape — so what is accepted stays
# fast and a terminal retries with its Idempotency-Key. Reports queue in a lane of their own
# (JY_API_REPORT_MAXCONN at once); the API refuses an ordinary one that waited JY_API_REPORT_WAIT_MS
# (40 ms) before any work, a 特急 one never (api/limits.py); long-polls (/api/v1/notifications, no database connection while they
# wait), the health check and the dashboard's /auth/ are not counted.
# Needs APP_DATABASE_URL (and DATABASE_URL for the feed) in the environment. Ctrl-C stops everything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT"
port="${PORT:-8501}"
api_port="${API_PORT:-8502}"
workers="${JY_WEB_WORKERS:-$(nproc)}"
api_workers="${JY_API_WORKERS:-2}"
api_maxconn="${JY_API_MAXCONN:-$api_workers}"
report_maxconn="${JY_API_REPORT_MAXCONN:-$api_maxconn}"
api_queue_ms="${JY_API_QUEUE_MS:-10}"
run_dir="$ROOT/.local/run/$port"
mkdir -p "$run_dir"
rm -f "$run_dir/stopping"
command -v haproxy >/dev/null || { echo "[serve] haproxy is missing: run ./run.sh (it installs it)" >&2; exit 1; }
[ -n "${APP_DATABASE_URL:-}" ] || { echo "[serve] APP_DATABASE_URL is not set: run ./run.sh" >&2; exit 1; }

# One cookie secret for every worker, so a session moved to another worker keeps its cookies valid.
secret_file="$ROOT/.local/cookie_secret"
[ -s "$secret_file" ] || (umask 077 && "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$secret_file")
STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$secret_file")"
export STREAMLIT_SERVER_COOKIE_SECRET

supervise() {   # name, command…: run it again whenever it exits, until serve.sh stops
  local name="$1"; shift
  while [ ! -f "$run_dir/stopping" ]; do
    "$@" &
    local child=$!
    echo "$child" > "$run_dir/$name.pid"
    wait "$child" || true
    [ -f "$run_dir/stopping" ] && break
    echo "[serve] $name (pid $child) exited; starting it again" >&2
    sleep 2
  done
}

pids=()
stop_all() {
  touch "$run_dir/stopping"
  for f in "$run_dir"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 0' INT TERM

servers=""
for i in $(seq 1 "$workers"); do
  wport=$((port + 1000 + i))
  supervise "web-$i" env JY_PROXIED=1 "$VENV/bin/python" -m dashboard.serve run dashboard/app.py --server.address 127.0.0.1 \
    --server.port "$wport" --server.headless true &
  pids+=($!)
  servers="$servers    server w$i 127.0.0.1:$wport check cookie w$i
"
done
supervise api "$VENV/bin/uvicorn" api.app:app --host 127.0.0.1 --port "$api_port" --workers "$api_workers" \
  --log-level warning --proxy-headers --forwarded-allow-ips 127.0.0.1 &
pids+=($!)
"$VENV/bin/python" -m loaders simulate --if-feed --api "http://127.0.0.1:$api_port" &
pids+=($!)
# overdue village and town events move up a level: a job, every minute (never a page view's side effect)
supervise escalate "$VENV/bin/python" -m loaders escalate --every "${JY_ESCALATE_EVERY_S:-60}" &
pids+=($!)
# early warning per grid (hot spots, surges, repeat places): a job, every 5 minutes
supervise warn "$VENV/bin/python" -m loaders warn --every "${JY_WARN_EVERY_S:-300}" &
pids+=($!)
# the audit chain's head, every 5 minutes, into a file beside the WAL archive (audit-verify checks it)
supervise audit-head "$VENV/bin/python" -m loaders audit-head --every "${JY_AUDIT_HEAD_EVERY_S:-300}" &
pids+=($!)

# HTTPS when given a certificate and its key (HAProxy wants them in one PEM file, readable only by us).
scheme=http
bind_line="bind :$port"
proto_line="    http-request set-header X-Forwarded-Proto http"
hsts_line=""
if [ -n "${JY_TLS_CERT:-}${JY_TLS_KEY:-}" ]; then
  if [ ! -r "${JY_TLS_CERT:-}" ] || [ ! -r "${JY_TLS_KEY:-}" ]; then
    echo "[serve] JY_TLS_CERT and JY_TLS_KEY must both name readable PEM files (certificate, private key)" >&2
    exit 1
  fi
  (umask 077 && cat "$JY_TLS_CERT" "$JY_TLS_KEY" > "$run_dir/tls.pem")
  scheme=https
  bind_line="bind :$port ssl crt $run_dir/tls.pem"
  proto_line="    http-request set-header X-Forwarded-Proto https"
  hsts_line="    http-response set-header Strict-Transport-Security \"max-age=31536000\""
fi

cat > "$run_dir/haproxy.cfg" <<CFG
# generated by scripts/serve.sh — edit that, not this
global
    maxconn 4096
defaults
    mode http
    option forwardfor
    option redispatch
    retries 3
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 2h
    timeout http-keep-alive 10s
    # a client must send its request headers within 10 s (slow-loris); bodies are bounded by the API
    # as they stream (api/limits.py), and a declared length over 40 MB is refused here already
    timeout http-request 10s
    default-server inter 2s fall 2 rise 1
frontend jiangyin
$bind_line
$proto_line
    # Security headers on every answer, dashboard and API alike (issue 19). The CSP stops framing by
    # other sites, plugins and <base> tricks. (No script-src rule: Streamlit's own components run
    # inline scripts in srcdoc frames.) The session cookie is set by the API (/auth/), HttpOnly.
$hsts_line
    http-response set-header X-Content-Type-Options nosniff
    http-response set-header X-Frame-Options SAMEORIGIN
    http-response set-header Referrer-Policy same-origin
    http-response set-header Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=()"
    http-response set-header Content-Security-Policy "frame-ancestors 'self'; object-src 'none'; base-uri 'self'"
    http-response del-header Server
    http-request deny deny_status 413 if { req.hdr_val(content-length) gt 41943040 }
    # the client's address is the one HAProxy adds (option forwardfor); whatever the client claims goes
    http-request del-header X-Forwarded-For
    # when the proxy took the request (the API sheds an ordinary report that waited too long: api/limits.py)
    http-request set-header X-Request-Start "t=%[date(0,ms)]"
    acl to_api path_beg /api/ /open311/ /auth/
    acl to_open311 path_beg /open311/
    acl uncounted path /api/v1/notifications /api/v1/health
    acl uncounted path_beg /auth/
    acl post method POST
    acl reports path /api/v1/reports
    use_backend api_reports if post reports
    use_backend api_uncounted if uncounted
    use_backend api_open311 if to_open311
    use_backend api if to_api
    default_backend dashboard
backend dashboard
    balance roundrobin
    cookie JYWEB insert indirect nocache httponly
    option httpchk GET /_stcore/health
$servers
backend api
    # bounded work: $api_maxconn at once, 503 + Retry-After after ${api_queue_ms} ms in the queue
    timeout queue ${api_queue_ms}ms
    http-error status 503 content-type "application/json; charset=utf-8" string '{"code": "busy", "message": "服务器繁忙，请稍后重试（终端会自动重试）。"}' hdr Retry-After 1
    option httpchk GET /api/v1/health
    server api 127.0.0.1:$api_port check maxconn $api_maxconn
backend api_open311
    timeout queue ${api_queue_ms}ms
    http-error status 503 content-type "application/json; charset=utf-8" string '[{"code": 503, "description": "服务器繁忙，请稍后重试。"}]' hdr Retry-After 1
    option httpchk GET /api/v1/health
    server api 127.0.0.1:$api_port check maxconn $api_maxconn
backend api_reports
    # a report waits its turn in a lane of its own, not behind positions and polls; the API refuses an
    # ordinary one that waited past JY_API_REPORT_WAIT_MS (api/limits.py), a 特急 one never
    timeout queue 30s
    option httpchk GET /api/v1/health
    server api 127.0.0.1:$api_port check maxconn $report_maxconn
backend api_uncounted
    # long-polls (they wait holding no database connection), the health check, the dashboard's /auth/
    option httpchk GET /api/v1/health
    server api 127.0.0.1:$api_port check
CFG
haproxy -c -q -f "$run_dir/haproxy.cfg"
# Open the port only when every worker answers, so nobody gets a 503 while they start.
"$VENV/bin/python" - "$port" "$workers" <<'PY'
import sys, time, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 120
for i in range(1, n + 1):
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port + 1000 + i}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"[serve] dashboard worker {i} did not start within 120 s")
        time.sleep(0.3)
PY
echo "[serve] $workers dashboard workers and the API behind HAProxy on $scheme://localhost:$port (config $run_dir/haproxy.cfg)" >&2
haproxy -db -f "$run_dir/haproxy.cfg" &
pids+=($!)
wait "${pids[-1]}"
