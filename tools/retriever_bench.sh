#!/usr/bin/env bash
# Quality and speed of the retriever on the dictionary task: flat (exact), HNSW and IVF-PQ over the
# same MiniLM vectors, plus the BM25 baseline (bm25s) on the same passages and queries.
#
# Usage: tools/retriever_bench.sh [--passages N] [--split test] [--work DIR]
#   Builds the task (i3 data dictionary), encodes once into a flat index, then builds HNSW and IVF-PQ
#   reusing those vectors (--reuse-vectors), and evaluates each with --latency: queries are encoded
#   and searched one at a time, so p50/p99 include (and, separately, exclude) the query encoding.
#   Index size = the index's own folder on disk (flat: vectors/, hnsw/, ivfpq/); passages/ is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
passages=10000 split=test work=runs/bench
while [ $# -gt 0 ]; do
  case "$1" in
    --passages) passages="$2"; shift 2 ;;
    --split) split="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "retriever_bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
swift build -c release --product i3 >/dev/null
i3="$(swift build -c release --show-bin-path)/i3"
task="$work/task-$passages"
mkdir -p "$work"
[ -f "$task/collection.tsv" ] || "$i3" data dictionary --out "$task" --passages "$passages" >/dev/null
q="$task/queries.$split.tsv" qrels="$task/qrels.$split.tsv"

[ -f "$work/flat-$passages/retriever.json" ] || "$i3" index "$task/collection.tsv" --out "$work/flat-$passages" --index flat
for t in hnsw ivfpq; do
  [ -f "$work/$t-$passages/retriever.json" ] || \
    "$i3" index "$task/collection.tsv" --out "$work/$t-$passages" --index "$t" --reuse-vectors "$work/flat-$passages"
done

# name | index | search options
configs=("flat|flat|" "hnsw|hnsw|" "ivfpq-nprobe16|ivfpq|--nprobe 16" "ivfpq-nprobe16-refine4|ivfpq|--nprobe 16 --refine 4"
         "ivfpq-nprobe32-refine4|ivfpq|--nprobe 32 --refine 4")
for c in "${configs[@]}"; do
  IFS='|' read -r name t opts <<< "$c"
  dir="$work/$t-$passages"
  case "$t" in flat) part=vectors ;; *) part=$t ;; esac
  echo "== $name: $(du -sb "$dir/$part" | cut -f1) bytes in $part/ ($(du -sh "$dir/$part" | cut -f1)); settings: $(tr -d '\n ' < "$dir/retriever.json" | grep -o '"indexSettings":{[^}]*}') $opts"
  # shellcheck disable=SC2086
  "$i3" eval --qrels "$qrels" --index "$dir" --queries "$q" --depth 100 --latency $opts 2>/dev/null
done

if [ -x .venv-eval/bin/python ] || tools/setup_eval_venv.sh >/dev/null; then
  echo "== BM25"
  .venv-eval/bin/python tools/bm25_baseline.py --task "$task" --split "$split" --k 100
fi
