#!/bin/sh
# `npm run bench` (and `npm run bench -- --smoke`): installs and builds on a fresh clone, starts a
# FerretDB for part 3 unless MONGODB_URI is given, runs the benchmark.
# The peer row (scripts/bench/peer.mjs) has its own package, scripts/bench/peer (better-auth),
# installed here for full runs only: not for --smoke or --no-peer. --peer-only runs that row alone.
set -eu
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -b
peer=yes
peer_only=no
for arg in "$@"; do
  case "$arg" in
    --smoke | --no-peer) peer=no ;;
    --peer-only) peer_only=yes ;;
  esac
done
if [ "$peer" = yes ] && { [ ! -d scripts/bench/peer/node_modules ] || [ scripts/bench/peer/package-lock.json -nt scripts/bench/peer/node_modules/.package-lock.json ]; }; then
  (cd scripts/bench/peer && npm ci --no-audit --no-fund)
fi
if [ -z "${MONGODB_URI:-}" ]; then
  port="${FERRETDB_BENCH_PORT:-27028}"
  sh scripts/ferretdb.sh start "$port" >/dev/null
  trap 'sh scripts/ferretdb.sh stop "$port" >/dev/null' EXIT INT TERM
  MONGODB_URI="mongodb://127.0.0.1:$port/"
  export MONGODB_URI
fi
if [ "$peer_only" = yes ]; then
  node scripts/bench/peer.mjs "$@"
else
  node --expose-gc scripts/bench/run.mjs "$@"
fi
