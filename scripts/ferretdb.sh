#!/bin/sh
# A throwaway FerretDB (MongoDB wire protocol over SQLite) for the MongoDB adapter tests.
#   sh scripts/ferretdb.sh build          build .cache/bin/ferretdb from the Go module proxy
#   sh scripts/ferretdb.sh start [port]   start on 127.0.0.1:port (default 27018), print MONGODB_URI=...
#   sh scripts/ferretdb.sh stop [port]    stop it and delete its data
# Each port has its own directory .cache/ferretdb-run/<port>/ (pid, ferretdb.log, data/).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VERSION=v1.24.2
BIN="$ROOT/.cache/bin/ferretdb"

build() {
  if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -qx "version: $VERSION"; then
    echo "ferretdb $VERSION: $BIN is up to date"
    return 0
  fi
  command -v go >/dev/null || { echo "ferretdb.sh: the Go toolchain is needed to build FerretDB" >&2; exit 1; }
  echo "ferretdb $VERSION: downloading the module source"
  mod=$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$mod" ] || { echo "ferretdb.sh: go mod download gave no source directory" >&2; exit 1; }
  # `go install ...@v1.24.2` builds a binary that panics at start ("Invalid build/version/version.txt"):
  # the release process writes that file, so build from a writable copy that has it.
  # Per-process names keep two concurrent builds (two `start`s on a fresh clone) from clashing.
  src="$ROOT/.cache/ferretdb-src.$$"
  rm -rf "$src"
  mkdir -p "$ROOT/.cache/bin"
  cp -R "$mod" "$src"
  chmod -R u+w "$src"
  echo "$VERSION" >"$src/build/version/version.txt"
  echo "ferretdb $VERSION: go build (a few minutes on a fresh machine)"
  # -buildvcs=false: the copy sits inside this repository's git work tree, which is not FerretDB's.
  (cd "$src" && go build -buildvcs=false -o "$BIN.$$" ./cmd/ferretdb)
  mv -f "$BIN.$$" "$BIN"
  rm -rf "$src"
  "$BIN" --version | grep -qx "version: $VERSION" || { echo "ferretdb.sh: built binary is not $VERSION" >&2; exit 1; }
  echo "ferretdb $VERSION: built $BIN"
}

# Prints the pid from <run>/pid if that process is alive and is FerretDB (guards against pid reuse).
running_pid() {
  [ -f "$1/pid" ] || return 1
  pid=$(cat "$1/pid")
  [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ] || return 1
  ps -o comm= -p "$pid" 2>/dev/null | grep -q ferretdb || return 1
  echo "$pid"
}

# Waits until 127.0.0.1:$1 answers: a MongoDB ping with the driver if installed, else a TCP connect.
# With $2 (a pid), gives up as soon as that process is gone; without it, tries only once.
probe() {
  node -e '
    const [port, pid] = process.argv.slice(1);
    const deadline = Date.now() + 60000;
    const gone = () => {
      if (!pid) return false;
      try { return require("fs").readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1][0] === "Z"; }
      catch { return true; }
    };
    let ping;
    try {
      const { MongoClient } = require("mongodb");
      ping = async () => {
        const c = new MongoClient(`mongodb://127.0.0.1:${port}/`, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
        try { await c.db("admin").command({ ping: 1 }); } finally { await c.close(); }
      };
    } catch {
      ping = () => new Promise((ok, fail) => {
        const s = require("net").connect(+port, "127.0.0.1", () => { s.destroy(); ok(); });
        s.on("error", fail);
      });
    }
    (async () => {
      for (;;) {
        try { await ping(); process.exit(0); } catch (e) {
          if (!pid) process.exit(1);
          if (gone()) { console.error("ferretdb exited"); process.exit(1); }
          if (Date.now() > deadline) { console.error(`no answer after 60 s: ${e.message}`); process.exit(1); }
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
  ' "$@"
}

start() {
  port=${1:-27018}
  run="$ROOT/.cache/ferretdb-run/$port"
  build
  if running_pid "$run" >/dev/null; then
    echo "ferretdb.sh: already running on port $port (pid $(cat "$run/pid")); stop it first" >&2
    exit 1
  fi
  # Without this, a server already on the port (a stray instance, a real mongod) would pass the ping below.
  if probe "$port" 2>/dev/null; then
    echo "ferretdb.sh: something else already listens on 127.0.0.1:$port" >&2
    exit 1
  fi
  rm -rf "$run"
  mkdir -p "$run/data"
  # --debug-addr=- turns off the HTTP debug listener, whose fixed default port would clash between instances.
  # The subshell lets init reap the server, so a crashed one is not left as a zombie that looks alive.
  (
    "$BIN" --handler=sqlite --sqlite-url="file:$run/data/" --state-dir="$run/data" \
      --listen-addr="127.0.0.1:$port" --telemetry=disable --log-level=warn --debug-addr=- \
      </dev/null >"$run/ferretdb.log" 2>&1 &
    echo $! >"$run/pid"
  )
  echo "ferretdb: started pid $(cat "$run/pid") on 127.0.0.1:$port, log $run/ferretdb.log"
  if ! probe "$port" "$(cat "$run/pid")"; then
    echo "ferretdb.sh: FerretDB did not come up on port $port; last log lines:" >&2
    tail -n 30 "$run/ferretdb.log" >&2
    stop "$port" >/dev/null 2>&1 || true
    exit 1
  fi
  echo "MONGODB_URI=mongodb://127.0.0.1:$port/"
}

stop() {
  port=${1:-27018}
  run="$ROOT/.cache/ferretdb-run/$port"
  if pid=$(running_pid "$run"); then
    kill "$pid" 2>/dev/null || true
    i=0
    while running_pid "$run" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if running_pid "$run" >/dev/null; then
      echo "ferretdb: pid $pid ignored TERM for 5 s, sending KILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
    echo "ferretdb: stopped pid $pid (port $port)"
  else
    echo "ferretdb: nothing running on port $port"
  fi
  # The log stays for post-mortems; the next start replaces it.
  rm -rf "$run/data" "$run/pid"
}

case "${1:-}" in
  build) build ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: sh scripts/ferretdb.sh build | start [port] | stop [port]" >&2; exit 2 ;;
esac
