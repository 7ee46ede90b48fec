#!/bin/sh
# The one test command (README: `npm test`). Works on a fresh clone: installs what it needs (npm
# packages, Chromium from Debian, FerretDB and Mailpit built with Go), builds, lints, checks the
# dependency rule, starts the test database, and runs every suite (the suites start their own
# OpenID Connect provider and Mailpit on free ports). Nothing is ever skipped for lack of a part.
set -eu
cd "$(dirname "$0")/.."

echo "==> npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

echo "==> Chromium (browser tests)"
if [ -z "${CHROMIUM_PATH:-}" ] && ! [ -x /usr/bin/chromium ]; then
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

echo "==> build"
npx tsc -b

echo "==> lint (type-aware) and dependency rule"
npx eslint --max-warnings 0 .
node scripts/check-dependencies.mjs

if [ -z "${MONGODB_URI:-}" ]; then
  echo "==> test database: FerretDB"
  port="${FERRETDB_PORT:-27018}"
  sh scripts/ferretdb.sh start "$port"
  trap 'sh scripts/ferretdb.sh stop "$port" >/dev/null' EXIT INT TERM
  MONGODB_URI="mongodb://127.0.0.1:$port/"
  export MONGODB_URI
else
  echo "==> test database: $MONGODB_URI (given)"
fi

echo "==> mail server for the invitation-email suites: Mailpit (started by the suites on free ports)"
sh scripts/mailpit.sh build

echo "==> tests"
# The spec list is here, not in .mocharc.json, so that `npx mocha one.spec.js` runs just that file.
npx mocha 'packages/*/dist/**/*.spec.js'

echo "==> what a consumer of the packed packages sees (README examples type-checked and run)"
node scripts/consumer-check.mjs

echo "==> every domain rule is guarded by a spec (each rule removed in turn must fail one)"
node scripts/rule-mutations.mjs

echo "==> benchmark smoke run (completes, parity checks hold; targets are reported, never asserted)"
node scripts/bench/run.mjs --smoke
