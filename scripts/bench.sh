#!/bin/sh
# `npm run bench` (and `npm run bench -- --smoke`): installs and builds on a fresh clone, starts a
# FerretDB for part 3 unless MONGODB_URI is given, runs the benchmark.
set -eu
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -b
if [ -z "${MONGODB_URI:-}" ]; then
  port="${FERRETDB_BENCH_PORT:-27028}"
  sh scripts/ferretdb.sh start "$port" >/dev/null
  trap 'sh scripts/ferretdb.sh stop "$port" >/dev/null' EXIT INT TERM
  MONGODB_URI="mongodb://127.0.0.1:$port/"
  export MONGODB_URI
fi
node --expose-gc scripts/bench/run.mjs "$@"
