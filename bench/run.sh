#!/usr/bin/env bash
# Page benchmarks: generate a synthetic site, serve it with the release build, drive
# load with wrk at 1, 16 and 64 connections, compare with nginx serving the same bytes,
# and rewrite BENCHMARKS.md.
#
#   bench/run.sh [--backend sqlite|postgres] [--large] [--duration 10s] [--no-build]
#                [--bin PATH] [--mixed-only]
#
# --bin serves with another build (implies --no-build), for before/after comparisons;
# --mixed-only runs only the mixed read/write rows and prints them instead of
# rewriting BENCHMARKS.md.
#
# Needs wrk, nginx and curl (Debian packages); PostgreSQL on 127.0.0.1:5432 (user
# postgres, trust) for --backend postgres: a fresh database is made and dropped.
set -euo pipefail

BACKEND=sqlite
LARGE=""
DURATION=10s
CONNS="1 16 64"
NO_BUILD=""
BIN=""
MIXED_ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) BACKEND="$2"; shift 2 ;;
    --large) LARGE=1; shift ;;
    --duration) DURATION="$2"; shift 2 ;;
    --no-build) NO_BUILD=1; shift ;;
    --bin) BIN="$(realpath "$2")"; NO_BUILD=1; shift 2 ;;
    --mixed-only) MIXED_ONLY=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$BACKEND" in sqlite|postgres) ;; *) echo "--backend is sqlite or postgres" >&2; exit 2 ;; esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_DIR="$ROOT/bench"
export BENCH_DIR
cd "$ROOT"

for tool in wrk nginx curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "installing $tool…" >&2
    apt-get install -y "$tool" >/dev/null
  fi
done

WORK="$(mktemp -d /tmp/ss-bench.XXXXXX)"
# nginx's workers run as an unprivileged user: they must be able to read the copies.
chmod 755 "$WORK"
SERVER_PID=""
NGINX_PID=""
PGDB=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  if [ -n "$PGDB" ]; then
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

if [ -z "$NO_BUILD" ]; then
  echo "building release…" >&2
  cargo build --release --bin shortscience 2>&1 | tail -1 >&2
fi
[ -n "$BIN" ] || BIN="$ROOT/target/release/shortscience"

if [ "$BACKEND" = postgres ]; then
  PGDB="ss_bench_$$"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $PGDB" >/dev/null
  DB="postgres://postgres@127.0.0.1:5432/$PGDB"
else
  DB="sqlite://$WORK/bench.db"
fi

echo "generating data…" >&2
SIZE_ARGS=()
[ -n "$LARGE" ] && SIZE_ARGS+=(--large)
GEN_START=$(date +%s)
"$BIN" gen-site --db "$DB" "${SIZE_ARGS[@]}" --sessions 150 --sessions-file "$WORK/sessions" \
  >"$WORK/gen.out" 2>"$WORK/gen.err" || { cat "$WORK/gen.err" >&2; exit 1; }
GEN_SECS=$(( $(date +%s) - GEN_START ))
cat "$WORK/gen.err" >&2
SIX_PAPER=$(sed -n 's/^six_paper=//p' "$WORK/gen.out")
THIRTY_USER=$(sed -n 's/^thirty_user=//p' "$WORK/gen.out")
WRITE_SUMMARIES=$(sed -n 's/^write_summaries=//p' "$WORK/gen.out")

# One account made the documented way, signed in through the login form.
echo 'bench-password-1234' | "$BIN" user add benchwriter --email bench@example.org \
  --password-stdin --db "$DB" >/dev/null

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
# start_server true|false: (re)starts the release server with the page cache on or off.
start_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SHORTSCIENCE_PAGE_CACHE="$1" SHORTSCIENCE_TRUSTED_PROXY=true SHORTSCIENCE_LOG_FORMAT=json RUST_LOG=warn \
    "$BIN" serve --db "$DB" --bind "127.0.0.1:$PORT" --no-demo >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "$BASE/healthz" >/dev/null || { echo "server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
}
start_server true

LOGIN_STATUS=$(curl -s -o /dev/null -w '%{http_code}' -c "$WORK/cookies" \
  -H 'Sec-Fetch-Site: same-origin' --data 'login=benchwriter&password=bench-password-1234' "$BASE/login")
LOGIN_TOKEN=$(awk '$6 == "ss_session" {print $7}' "$WORK/cookies")
if [ -n "$LOGIN_TOKEN" ]; then
  echo "$LOGIN_TOKEN" >>"$WORK/sessions"
else
  echo "warning: POST /login gave $LOGIN_STATUS and no session; using gen-site sessions only" >&2
fi

peak_rss_mb() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status"; }

HOME_PATH="/"
PAPER_PATH="/paper/$SIX_PAPER"
USER_PATH="/user/$THIRTY_USER"
SEARCH_PATH="/search?q=attention+gradient"
FEED_PATH="/feeds/latest.atom"
API_PATH="/api/v1/papers/$SIX_PAPER/summaries"

NOTES=()
PAGES=("home|$HOME_PATH" "paper, 6 summaries|$PAPER_PATH" "user, 30 summaries|$USER_PATH" "search|$SEARCH_PATH")
for extra in "Atom feed|$FEED_PATH" "API read|$API_PATH"; do
  path="${extra#*|}"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")
  if [ "$code" = 200 ]; then
    PAGES+=("$extra")
  else
    NOTES+=("- ${extra%%|*} skipped: GET $path answered $code.")
  fi
done
for page in "${PAGES[@]}"; do
  path="${page#*|}"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")
  [ "$code" = 200 ] || { echo "GET $path answered $code" >&2; exit 1; }
done

echo "warming up…" >&2
for page in "${PAGES[@]}"; do
  wrk -t1 -c4 -d1s "$BASE${page#*|}" >/dev/null
done

# run_wrk LABEL CONNS URL [script]: appends a table row to $WORK/rows, RESULT to $WORK/last.
declare -A RPS
run_wrk() {
  local label="$1" c="$2" url="$3" script="${4:-$BENCH_DIR/get.lua}" pid_for_rss="${5:-server}"
  local threads=2
  [ "$c" -lt 2 ] && threads=1
  local load
  load=$(loadavg)
  wrk -t"$threads" -c"$c" -d"$DURATION" --timeout 5s -s "$script" "$url" >"$WORK/wrk.out" 2>&1 || true
  local result
  result=$(grep '^RESULT' "$WORK/wrk.out" || true)
  if [ -z "$result" ]; then
    echo "wrk failed for $label:" >&2
    cat "$WORK/wrk.out" >&2
    exit 1
  fi
  echo "$result" >"$WORK/last"
  local requests duration p50 p99 max serr kerr
  requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$result")
  duration=$(sed -n 's/.* duration_us=\([0-9]*\).*/\1/p' <<<"$result")
  p50=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$result")
  p99=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$result")
  max=$(sed -n 's/.* max_us=\([0-9]*\).*/\1/p' <<<"$result")
  serr=$(sed -n 's/.* status_errors=\([0-9]*\).*/\1/p' <<<"$result")
  kerr=$(sed -n 's/.* socket_errors=\([0-9]*\).*/\1/p' <<<"$result")
  local rps rss
  rps=$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  RPS["$label|$c"]=$rps
  if [ "$pid_for_rss" = server ]; then rss="$(peak_rss_mb)"; else rss="–"; fi
  local ratio="–"
  if [ -n "${RPS["nginx $label|$c"]:-}" ]; then
    ratio=$(awk -v a="$rps" -v b="${RPS["nginx $label|$c"]}" 'BEGIN {printf "%.2f×", a / b}')
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$c" "$rps" \
    "$(awk -v u="$p50" 'BEGIN {printf "%.2f", u / 1000}')" \
    "$(awk -v u="$p99" 'BEGIN {printf "%.2f", u / 1000}')" \
    "$(awk -v u="$max" 'BEGIN {printf "%.1f", u / 1000}')" \
    "$serr / $kerr" "$rss" "$ratio" "$load" >>"$WORK/rows"
  echo "  $label c=$c: $rps req/s, p99 $((p99 / 1000)) ms, errors $serr/$kerr" >&2
}

# nginx first, so the app rows can give their ratio to it.
mkdir -p "$WORK/static" "$WORK/nginx"
curl -fs "$BASE$HOME_PATH" -o "$WORK/static/home.html"
curl -fs "$BASE$PAPER_PATH" -o "$WORK/static/paper.html"
chmod -R a+rX "$WORK/static"
NGINX_PORT=$(free_port)
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/static;
  }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
sleep 0.5
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/home.html")
[ "$code" = 200 ] || { echo "nginx answered $code:" >&2; cat "$WORK/nginx/error.log" >&2; exit 1; }
HOME_BYTES=$(stat -c %s "$WORK/static/home.html")
PAPER_BYTES=$(stat -c %s "$WORK/static/paper.html")

: >"$WORK/rows"
if [ -z "$MIXED_ONLY" ]; then
echo "nginx…" >&2
for c in $CONNS; do
  run_wrk "nginx home" "$c" "http://127.0.0.1:$NGINX_PORT/home.html" "$BENCH_DIR/get.lua" nginx
done
for c in $CONNS; do
  run_wrk "nginx paper, 6 summaries" "$c" "http://127.0.0.1:$NGINX_PORT/paper.html" "$BENCH_DIR/get.lua" nginx
done
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""

for page in "${PAGES[@]}"; do
  echo "${page%%|*}…" >&2
  for c in $CONNS; do
    run_wrk "${page%%|*}" "$c" "$BASE${page#*|}"
  done
done

# The honest cost of queries and templates: the same pages with the page cache off.
start_server false
for page in "home|$HOME_PATH" "paper, 6 summaries|$PAPER_PATH"; do
  echo "${page%%|*}, no cache…" >&2
  wrk -t1 -c4 -d1s "$BASE${page#*|}" >/dev/null
  for c in $CONNS; do
    run_wrk "${page%%|*}, no cache" "$c" "$BASE${page#*|}"
  done
done
start_server true
fi

count_comments() {
  if [ "$BACKEND" = postgres ]; then
    psql -tA -h 127.0.0.1 -U postgres -d "$PGDB" -c 'SELECT count(*) FROM comments'
  else
    sqlite3 "$WORK/bench.db" 'SELECT count(*) FROM comments'
  fi
}

echo "mixed…" >&2
export BENCH_SESSIONS="$WORK/sessions"
# Search is left out: on the synthetic vocabulary it matches most papers (see NOTES).
export BENCH_READS="$HOME_PATH $PAPER_PATH $USER_PATH"
export BENCH_WRITE_SUMMARIES="$WRITE_SUMMARIES"
: >"$WORK/writes"
for c in $CONNS; do
  before=$(count_comments)
  run_wrk "mixed, 5 % writes" "$c" "$BASE/" "$BENCH_DIR/mixed.lua"
  after=$(count_comments)
  r=$(cat "$WORK/last")
  sent=$(sed -n 's/.* writes_sent=\([0-9]*\).*/\1/p' <<<"$r")
  votes=$(sed -n 's/.* votes_ok=\([0-9]*\).*/\1/p' <<<"$r")
  comments=$(sed -n 's/.* comments_ok=\([0-9]*\).*/\1/p' <<<"$r")
  other=$(sed -n 's/.* other_status=\([0-9]*\).*/\1/p' <<<"$r")
  stored=$((after - before))
  verdict="ok"
  [ "$stored" -lt "$comments" ] && verdict="LOST $((comments - stored))"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$sent" "$votes" "$comments" "$stored" "$other" "$verdict" >>"$WORK/writes"
done

if [ -n "$MIXED_ONLY" ]; then
  cat "$WORK/rows" "$WORK/writes"
  exit 0
fi

COMMIT=$(git rev-parse --short HEAD)
DIRTY=""
git diff --quiet HEAD -- . ':!BENCHMARKS.md' ':!bench/results' 2>/dev/null || DIRTY=" (plus uncommitted work in the tree)"
SIZE_NAME="default"; [ -n "$LARGE" ] && SIZE_NAME="large"
OUT="$BENCH_DIR/results/$BACKEND-$SIZE_NAME.md"
{
  echo "### $BACKEND, $SIZE_NAME size"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT$DIRTY; wrk $DURATION per row (2 threads, 1 with one connection)."
  echo "Data: $(tr '\n' ' ' <"$WORK/gen.err" | sed 's/  */ /g') — generated in ${GEN_SECS} s."
  echo "Static copies served by nginx: home $HOME_BYTES bytes, paper $PAPER_BYTES bytes."
  echo
  echo "| Run | Conns | req/s | p50 ms | p99 ms | max ms | errors (status / socket) | server peak RSS MB | × nginx | load avg before |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  cat "$WORK/rows"
  echo
  echo "Writes in the mixed runs (comments are counted in the database before and after each run; a vote is an upsert, so only its answer is checked):"
  echo
  echo "| Conns | writes sent | votes 303 | comments 303 | comments stored | other non-200 | lost? |"
  echo "|---:|---:|---:|---:|---:|---:|---|"
  cat "$WORK/writes"
  if [ "${#NOTES[@]}" -gt 0 ]; then
    echo
    printf '%s\n' "${NOTES[@]}"
  fi
  echo
} >"$OUT"
echo "wrote $OUT" >&2

"$BENCH_DIR/assemble.sh"
