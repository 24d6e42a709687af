#!/usr/bin/env bash
# Installs what the test suite talks to (from Debian's packages) when it is missing:
# Chromium for the browser tests, Python's websockets as an independent peer,
# Redis and PostgreSQL for the scale-out tests. Needs root (or sudo) the first time.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
python3 -c 'import websockets' >/dev/null 2>&1 || need+=(python3-websockets)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then exit 0; fi

echo "installing test dependencies: ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
