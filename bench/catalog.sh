#!/usr/bin/env bash
# Catalog benchmark: a synthetic DBLP-like file of N records imported with
# `import-catalog dblp` (time and peak memory, and whether the site still answers
# while it runs), then `bench-search` at that size with 100,000 summaries.
# Writes bench/results/catalog-<backend>.md and rewrites BENCHMARKS.md.
#
#   bench/catalog.sh [--backend sqlite|postgres] [--records 1000000] [--summaries 100000]
#                    [--queries 2000] [--no-build] [--keep] [--db URL]
#
# PostgreSQL: 127.0.0.1:5432, user postgres, trust; a fresh database ($CATALOG_PGDB, or
# ss_catalog_<pid>) is made and dropped.
# --keep leaves the database (and the SQLite file's directory) in place and prints where;
# --db URL skips generating and importing and only runs bench-search on that database
# (one --keep made), so the result file then says the import figures are not new.
set -euo pipefail

BACKEND=sqlite
RECORDS=1000000
SUMMARIES=100000
QUERIES=2000
NO_BUILD=""
KEEP=""
REUSE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) BACKEND="$2"; shift 2 ;;
    --records) RECORDS="$2"; shift 2 ;;
    --summaries) SUMMARIES="$2"; shift 2 ;;
    --queries) QUERIES="$2"; shift 2 ;;
    --no-build) NO_BUILD=1; shift ;;
    --keep) KEEP=1; shift ;;
    --db) REUSE="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$BACKEND" in sqlite|postgres) ;; *) echo "--backend is sqlite or postgres" >&2; exit 2 ;; esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WORK="$(mktemp -d /tmp/ss-catalog.XXXXXX)"
PGDB=""
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [ -n "$REUSE" ]; then
    rm -rf "$WORK"
    return
  fi
  if [ -n "$KEEP" ]; then
    rm -f "$WORK/dblp.xml"
    echo "kept: $DB" >&2
    return
  fi
  if [ -n "$PGDB" ]; then
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
if [ -z "$NO_BUILD" ]; then
  echo "building release…" >&2
  cargo build --release --bin shortscience 2>&1 | tail -1 >&2
fi
BIN="${CATALOG_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/shortscience}"
DB=""

if [ -n "$REUSE" ]; then
  DB="$REUSE"
elif [ "$BACKEND" = postgres ]; then
  PGDB="${CATALOG_PGDB:-ss_catalog_$$}"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $PGDB" >/dev/null
  DB="postgres://postgres@127.0.0.1:5432/$PGDB"
else
  DB="sqlite://$WORK/catalog.db"
fi

if [ -z "$REUSE" ]; then
  echo "generating $RECORDS records…" >&2
  "$BIN" gen-dblp "$RECORDS" "$WORK/dblp.xml" >&2
  FILE_MB=$(du -m "$WORK/dblp.xml" | cut -f1)

  # The site serves from the same database while the import runs: its probe answers
  # are counted (and timed) every 0.2 s.
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RUST_LOG=warn "$BIN" serve --db "$DB" --bind "127.0.0.1:$PORT" --no-demo >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

  echo "importing…" >&2
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -v "$BIN" import-catalog dblp "$WORK/dblp.xml" --db "$DB" \
    >"$WORK/import.out" 2>"$WORK/import.time" &
  IMPORT_PID=$!
  : >"$WORK/probes"
  while kill -0 "$IMPORT_PID" 2>/dev/null; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 5 \
      "http://127.0.0.1:$PORT/search?q=learning" >>"$WORK/probes" || echo "000 5" >>"$WORK/probes"
    sleep 0.2
  done
  wait "$IMPORT_PID" || { cat "$WORK/import.out" "$WORK/import.time" >&2; exit 1; }
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

  WALL=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/import.time")
  RSS_MB=$(awk '/Maximum resident set size/ {printf "%.0f", $6 / 1024}' "$WORK/import.time")
  PROBES=$(wc -l <"$WORK/probes")
  PROBES_OK=$(awk '$1 == 200' "$WORK/probes" | wc -l)
  PROBE_P99=$(awk '{print $2}' "$WORK/probes" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; if (NR) printf "%.0f", a[i]*1000; else print "-"}')
  PROBE_MAX=$(awk '{print $2}' "$WORK/probes" | sort -n | tail -1 | awk '{printf "%.0f", $1*1000}')

fi

echo "searching…" >&2
LOAD_SEARCH=$(cut -d' ' -f1-3 /proc/loadavg)
"$BIN" bench-search --db "$DB" --summaries "$SUMMARIES" --queries "$QUERIES" >"$WORK/search.out" 2>"$WORK/search.err"

mkdir -p bench/results
OUT="bench/results/catalog-$BACKEND.md"
COMMIT=$(git rev-parse --short HEAD)
{
  echo "### Catalog: $BACKEND, $RECORDS records"
  echo
  if [ -n "$REUSE" ]; then
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT; load average before the searches: $LOAD_SEARCH."
    echo
    echo "- Search only (\`--db\`): on a database imported earlier by this script (\`--keep\`); no import figures."
  else
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT; load average before the import: $LOAD_BEFORE."
    echo
    echo "- \`gen-dblp $RECORDS\`: $FILE_MB MB of XML."
    echo "- \`import-catalog dblp\`: $(tail -1 "$WORK/import.out")"
    echo "- wall clock $WALL, peak memory $RSS_MB MB (\`/usr/bin/time -v\`)."
    echo "- While it ran, the site answered $PROBES_OK of $PROBES searches with 200 (every 0.2 s; p99 ${PROBE_P99} ms, max ${PROBE_MAX} ms)."
  fi
  echo
  echo "\`bench-search --summaries $SUMMARIES --queries $QUERIES\` afterwards:"
  echo
  echo '```'
  cat "$WORK/search.out"
  echo '```'
  echo
} >"$OUT"
cat "$OUT" >&2
bench/assemble.sh
