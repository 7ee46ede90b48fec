#!/bin/sh
# The one test command (README: `npm test`). Works on a fresh clone: installs what it needs, builds,
# lints, checks the dependency rule, and runs every suite.
set -eu
cd "$(dirname "$0")/.."

echo "==> npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

echo "==> build"
npx tsc -b

echo "==> lint (type-aware) and dependency rule"
npx eslint --max-warnings 0 .
node scripts/check-dependencies.mjs

echo "==> tests"
npx mocha
