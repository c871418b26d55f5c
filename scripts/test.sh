#!/usr/bin/env bash
# Command 2: installs what the tests need and runs the whole test suite.
# Release mode with testability: the numeric tests (encoder parity, ANN recall) are 10-100x slower in debug.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --no-corpora
python3 tools/check_dependencies.py   # Package.swift declares exactly what each target imports
swift build -c release -Xswiftc -enable-testing --build-tests
scripts/browser-test.sh .build/release/i3   # the search page in headless Chromium (installs Debian chromium; screenshot in runs/browser-test/)
swift test -c release -Xswiftc -enable-testing --skip-build "$@"
