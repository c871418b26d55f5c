#!/usr/bin/env bash
# Creates .venv-eval with the Python peers of the retriever's evaluation: ir-measures (metric check)
# and bm25s (BM25 baseline). Tests never need it. A second run reuses the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-eval/bin/python ]; then
  python3 -m venv .venv-eval
fi
if ! .venv-eval/bin/python -c "import ir_measures, bm25s, numpy" 2>/dev/null; then
  .venv-eval/bin/pip install --quiet --disable-pip-version-check "ir-measures>=0.3" "bm25s>=0.2" numpy
fi
.venv-eval/bin/python -c "import ir_measures, bm25s; print('ir-measures', ir_measures.__version__, '| bm25s', bm25s.__version__)"
