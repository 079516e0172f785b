#!/bin/sh
# Entry point of the pre-commit framework hook (see .pre-commit-hooks.yaml).
# pre-commit clones this repository into its cache; the first run installs the
# dependencies and builds the scanner there with the system's Node.js and npm,
# later runs start the scanner at once. Arguments from `args:` are passed on.
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "keney-audit needs Node.js 20 or later on PATH; found $(node --version 2>/dev/null || echo none)." >&2
  exit 2
fi

if [ ! -f "$here/dist/cli/main.js" ]; then
  lock="$here/.install-lock"
  # mkdir is atomic: one hook run installs while a concurrent one waits. A lock
  # whose owner has died, or one older than 15 minutes, is stale and removed.
  while ! mkdir "$lock" 2>/dev/null; do
    owner=$(cat "$lock/pid" 2>/dev/null || echo)
    if { [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; } || [ -n "$(find "$lock" -maxdepth 0 -mmin +15 2>/dev/null)" ]; then
      echo "keney-audit: removing the lock of an interrupted install" >&2
      rm -rf "$lock"
      continue
    fi
    sleep 1
  done
  echo $$ > "$lock/pid"
  # An interrupted install (Ctrl-C) must not leave the lock behind: sh runs no EXIT trap when a signal ends it.
  trap 'rm -rf "$lock"' EXIT
  trap 'rm -rf "$lock"; exit 130' INT
  trap 'rm -rf "$lock"; exit 143' TERM HUP
  if [ ! -f "$here/dist/cli/main.js" ]; then
    echo "keney-audit: installing into the pre-commit cache (first run only)..." >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
  rm -rf "$lock"
  trap - EXIT INT TERM HUP
fi

exec node "$here/bin/keney-audit.js" scan --staged "$@"
