#!/usr/bin/env bash
# Creates .venv-peers/ with numpy, hnswlib and faiss-cpu from PyPI (the ANN peers). Idempotent:
# a second run only checks that the packages import. hnswlib ships only an sdist: pip builds it with g++.
# Usage: tools/ann/setup_peers_venv.sh            (from anywhere; the venv lives in the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.venv-peers
pins=(numpy hnswlib==0.8.0 faiss-cpu==1.15.1)
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import numpy, hnswlib, faiss" 2>/dev/null; then
  echo "==> $venv ready (numpy, hnswlib, faiss-cpu)"
  exit 0
fi
echo "==> creating $venv with ${pins[*]}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
"$venv/bin/python" -c "import numpy, hnswlib, faiss; print('==> installed numpy', numpy.__version__, '/ faiss', faiss.__version__)"
