#!/bin/sh
# The run command (README: `npm start`). Installs and builds on a fresh clone, then starts.
set -eu
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -b
exec node scripts/example.mjs
