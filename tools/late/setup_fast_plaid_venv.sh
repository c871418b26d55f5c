#!/usr/bin/env bash
# Throw-away Python environment for the late-interaction peer of `I3Bench late`: fast-plaid from PyPI and
# the torch it is built against (PyPI's torch wheel; fast-plaid runs on the CPU with device="cpu").
# Never needed by the Swift build or tests. Usage: tools/late/setup_fast_plaid_venv.sh [VENV] (default .venv-late)
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${1:-.venv-late}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check fast-plaid numpy
"$venv/bin/python" -c "import torch, fast_plaid; print('torch', torch.__version__, 'fast-plaid ready')"
