#!/usr/bin/env bash
# Installs what the test suite talks to (from Debian's packages) when it is missing:
# Chromium for the browser tests, Python's websockets as an independent peer,
# Redis and PostgreSQL for the scale-out tests, Go (with Debian's gorilla/websocket) and
# pytest for the Go and Python clients' suites. Needs root (or sudo) the first time.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# Debian's /usr/bin/python3, not whatever python3 comes first on PATH (a pyenv shim).
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || need+=(python3-websockets)
/usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || need+=(python3-pytest)
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -f /usr/share/gocode/src/github.com/gorilla/websocket/go.mod ] || need+=(golang-github-gorilla-websocket-dev)

if [ ${#need[@]} -eq 0 ]; then exit 0; fi

echo "installing test dependencies: ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
