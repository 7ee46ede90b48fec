#!/bin/sh
# A throwaway Mailpit (an SMTP server with an HTTP API and a web UI to read what arrived), for the
# invitation-email tests and the operator guide.
#   sh scripts/mailpit.sh build                       build .cache/bin/mailpit with the Go toolchain
#   sh scripts/mailpit.sh start [smtp-port] [ui-port]  start on 127.0.0.1 (default 1025 and 8025), print SMTP_URL=... and MAILPIT_URL=...
#   sh scripts/mailpit.sh stop [smtp-port]            stop it and delete its messages
# Each SMTP port has its own directory .cache/mailpit-run/<port>/ (pid, mailpit.log, data/).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VERSION=v1.33.1
BIN="$ROOT/.cache/bin/mailpit"
STAMP="$BIN.version"

build() {
  if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
    echo "mailpit $VERSION: $BIN is up to date"
    return 0
  fi
  command -v go >/dev/null || { echo "mailpit.sh: the Go toolchain is needed to build Mailpit" >&2; exit 1; }
  echo "mailpit $VERSION: go install (a minute or two on a fresh machine)"
  mkdir -p "$ROOT/.cache/bin"
  # Pure Go (its SQLite is modernc.org/sqlite): no C toolchain needed. Built into a temporary
  # directory so that two concurrent builds never leave a half-written binary.
  tmp="$ROOT/.cache/mailpit-build.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  CGO_ENABLED=0 GOBIN="$tmp" go install "github.com/axllent/mailpit@$VERSION"
  mv -f "$tmp/mailpit" "$BIN"
  rm -rf "$tmp"
  echo "$VERSION" >"$STAMP"
  echo "mailpit $VERSION: built $BIN"
}

running_pid() {
  [ -f "$1/pid" ] || return 1
  pid=$(cat "$1/pid")
  [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ] || return 1
  ps -o comm= -p "$pid" 2>/dev/null | grep -q mailpit || return 1
  echo "$pid"
}

start() {
  smtp=${1:-1025}
  ui=${2:-8025}
  run="$ROOT/.cache/mailpit-run/$smtp"
  build
  if running_pid "$run" >/dev/null; then
    echo "mailpit.sh: already running with SMTP port $smtp (pid $(cat "$run/pid")); stop it first" >&2
    exit 1
  fi
  rm -rf "$run"
  mkdir -p "$run/data"
  (
    "$BIN" --smtp "127.0.0.1:$smtp" --listen "127.0.0.1:$ui" --database "$run/data/mailpit.db" \
      --disable-version-check --smtp-disable-rdns </dev/null >"$run/mailpit.log" 2>&1 &
    echo $! >"$run/pid"
  )
  if ! "$BIN" readyz --wait --timeout 20s --listen "127.0.0.1:$ui" >/dev/null 2>&1 || ! running_pid "$run" >/dev/null; then
    echo "mailpit.sh: Mailpit did not come up on ports $smtp/$ui; last log lines:" >&2
    tail -n 20 "$run/mailpit.log" >&2
    stop "$smtp" >/dev/null 2>&1 || true
    exit 1
  fi
  echo "mailpit: started pid $(cat "$run/pid"), log $run/mailpit.log"
  echo "SMTP_URL=smtp://127.0.0.1:$smtp"
  echo "MAILPIT_URL=http://127.0.0.1:$ui"
}

stop() {
  smtp=${1:-1025}
  run="$ROOT/.cache/mailpit-run/$smtp"
  if pid=$(running_pid "$run"); then
    kill "$pid" 2>/dev/null || true
    i=0
    while running_pid "$run" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    running_pid "$run" >/dev/null && kill -9 "$pid" 2>/dev/null || true
    echo "mailpit: stopped pid $pid (SMTP port $smtp)"
  else
    echo "mailpit: nothing running with SMTP port $smtp"
  fi
  rm -rf "$run/data" "$run/pid"
}

case "${1:-}" in
  build) build ;;
  start) start "${2:-}" "${3:-}" ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: sh scripts/mailpit.sh build | start [smtp-port] [ui-port] | stop [smtp-port]" >&2; exit 2 ;;
esac
