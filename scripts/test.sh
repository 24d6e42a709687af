#!/usr/bin/env bash
# Runs every compiled *.test.js under dist/test with node's built-in test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
exec node --test --test-concurrency="${TEST_CONCURRENCY:-2}" "$@" "${files[@]}"
