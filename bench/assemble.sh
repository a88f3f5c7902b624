#!/usr/bin/env bash
# Rewrites BENCHMARKS.md: the machine, every bench/results/*.md, then bench/NOTES.md.
# run.sh calls it after each run; run it alone after editing NOTES.md.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
# BENCHMARKS.md: the machine, every result file, then the hand-written notes.
{
  echo "# Benchmarks"
  echo
  echo "Written by \`bench/run.sh\` and \`bench/catalog.sh\` (see README, \"Benchmarks\"); the sections after the tables come from \`bench/NOTES.md\`."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
  echo "- Memory: $(awk '/^MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
  echo "- Kernel: $(uname -r); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $(nginx -v 2>&1 | sed 's/.*: //')"
  echo "- The load generator, the server, nginx and the database share these cores with other engineers' builds: the load average before each row is in the table, and rows measured under load read low."
  echo
  echo "## Page benchmarks"
  echo
  for f in "$BENCH_DIR"/results/*.md; do
    case "$(basename "$f")" in catalog-*) ;; *) cat "$f" ;; esac
  done
  if compgen -G "$BENCH_DIR/results/catalog-*.md" >/dev/null; then
    echo "## Catalog benchmarks"
    echo
    echo "Written by \`bench/catalog.sh\`."
    echo
    cat "$BENCH_DIR"/results/catalog-*.md
  fi
  cat "$BENCH_DIR/NOTES.md"
} >"$ROOT/BENCHMARKS.md"
echo "wrote $ROOT/BENCHMARKS.md" >&2
