#!/usr/bin/env bash
# Command 1: installs everything, builds in release mode and runs the main job end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release
bin=$(swift build -c release --show-bin-path)
echo "==> built $bin/i3"
"$bin/i3" --help
