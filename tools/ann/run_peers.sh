#!/usr/bin/env bash
# Runs the peers' side of the ANN benchmark (hnswlib, faiss) in .venv-peers, creating the venv first
# if needed. All arguments go to tools/ann/peers.py, e.g.
#   tools/ann/run_peers.sh --data .data/ann/glove-50-angular --index hnsw --json runs/ann/peers.json
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup_peers_venv.sh" >&2
root="$(cd "$here/../.." && pwd)"
# One BLAS thread unless the caller says otherwise (faiss also gets omp_set_num_threads(--threads)).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
exec "$root/.venv-peers/bin/python" "$here/peers.py" "$@"
