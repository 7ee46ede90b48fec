#!/bin/sh
# The run command (README: `npm start`). On a fresh clone it installs and builds first, then starts
# the bundled server: in-memory store seeded with the demo fixture, demo sign-in, the Partner Team
# page at http://127.0.0.1:3000/ (PORT, HOST, MONGODB_URI… are read from the environment).
set -eu
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -b
exec node packages/server/dist/main.js
