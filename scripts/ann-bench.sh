#!/usr/bin/env bash
# ANN benchmark, one command: installs the data packages and the peers' venv (hnswlib, faiss-cpu),
# prepares GloVe-50-angular and Fashion-MNIST-784-euclidean with exact ground truth, builds I3Bench in
# release mode, then runs OUR side and the PEERS' side alternately on each data set (--reps pairs; the
# order flips every repetition so the machine's drift hits both sides alike), and finally prints the
# tables and QPS ratios and writes the merged JSON and the SVG plot.
#
# Usage: scripts/ann-bench.sh [--sets a,b] [--index hnsw|ivfpq|flat|all] [--reps N] [--out DIR] [--quick]
#                             [-- options for both sides: --ef 10,40 --m 16 --ef-construction 200
#                                  --nlist 1024 --pq-m 10 --nprobe 1,4,16,64 --refine 10 --train-size 50000
#                                  --runs 3 --threads 1 --limit-queries N --no-all-threads-build]
# Data: $I3_ANN_DATA (default .data/ann). Output: runs/ann/<UTC time>/ (ann.json, ann.svg, report.txt,
# and every side's raw JSON and log).
set -euo pipefail
cd "$(dirname "$0")/.."

sets="glove-50-angular,fashion-mnist-784-euclidean"
index="all"
reps=2
out="runs/ann/$(date -u +%Y%m%dT%H%M%SZ)"
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sets) sets="$2"; shift 2 ;;
    --index) index="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --) shift; break ;;
    *) echo "ann-bench.sh: unknown option $1 (options for both sides go after --)" >&2; exit 2 ;;
  esac
done
common=("$@")
if [ "$quick" = 1 ]; then
  # Smoke test: few queries, short sweeps, one pass, one repetition.
  reps=1
  common=(--limit-queries 200 --runs 1 --ef 10,40,120 --nprobe 1,16 --no-all-threads-build "${common[@]}")
fi
data="${I3_ANN_DATA:-.data/ann}"

echo "==> dependencies"
# The MiniLM set is made by our encoder, so it needs the model; the others do not.
case ",$sets," in
  *,minilm-gcide-*) scripts/install-deps.sh ;;
  *) scripts/install-deps.sh --no-model ;;
esac
tools/ann/setup_peers_venv.sh
echo "==> data sets in $data"
python3 tools/ann/prepare_data.py --out "$data" --sets "$sets"
echo "==> building I3Bench (release)"
swift build -c release --product I3Bench
bench="$(swift build -c release --show-bin-path)/I3Bench"

# One BLAS thread on both sides (faiss also gets omp_set_num_threads(--threads); I3Bench calls
# openblas_set_num_threads(--threads)); the all-cores build timing sets its own thread count.
export OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
jsons=()
ours() {  # ours <set> <rep>
  local f="$out/$1.i3.rep$2.json"
  "$bench" ann --data "$data/$1" --index "$index" --repetition "$2" --json "$f" "${common[@]}" 2>&1 | tee -a "$out/$1.i3.log"
  jsons+=(--json "$f")
}
peers() {  # peers <set> <rep>
  local f="$out/$1.peers.rep$2.json"
  tools/ann/run_peers.sh --data "$data/$1" --index "$index" --repetition "$2" --json "$f" "${common[@]}" 2>&1 | tee -a "$out/$1.peers.log"
  jsons+=(--json "$f")
}
IFS=',' read -r -a set_list <<< "$sets"
for s in "${set_list[@]}"; do
  for rep in $(seq 1 "$reps"); do
    echo "==> $s: repetition $rep of $reps"
    if [ $((rep % 2)) = 1 ]; then ours "$s" "$rep"; peers "$s" "$rep"; else peers "$s" "$rep"; ours "$s" "$rep"; fi
  done
done

echo "==> report"
"$bench" ann-report "${jsons[@]}" --merged-json "$out/ann.json" --svg "$out/ann.svg" | tee "$out/report.txt"
echo "==> results in $out (ann.json, ann.svg, report.txt)"
