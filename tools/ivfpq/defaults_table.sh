#!/usr/bin/env bash
# The default-settings table of issue 14 on the dictionary task: exact (flat) against HNSW and IVF-PQ
# with the defaults `i3 index` chooses (IVF-PQ tuned to --target-recall 0.99 on pseudo-queries from
# the collection), and IVF-PQ with the untuned library defaults (--target-recall 0: 8 lists, no
# re-ranking). One encoding (flat); the other indexes reuse its vectors. Test split, depth 100,
# one query at a time (--latency), 1 thread.
# Usage: tools/ivfpq/defaults_table.sh [--passages N]   (default 10000; 0 = the full collection)
set -euo pipefail
cd "$(dirname "$0")/../.."
passages=10000
[ "${1:-}" = "--passages" ] && passages="$2"
swift build -c release --product i3 >/dev/null
i3="$(swift build -c release --show-bin-path)/i3"
task=.data/dictionary-$passages work=runs/ivfpq-defaults-$passages
mkdir -p "$work"
[ -f "$task/collection.tsv" ] || "$i3" data dictionary --out "$task" --passages "$passages" >/dev/null
lscpu | grep -m1 "Model name"
"$i3" index "$task/collection.tsv" --out "$work/flat" --index flat --overwrite --threads 2
"$i3" index "$task/collection.tsv" --out "$work/hnsw" --index hnsw --overwrite --reuse-vectors "$work/flat"
"$i3" index "$task/collection.tsv" --out "$work/ivfpq" --index ivfpq --overwrite --reuse-vectors "$work/flat"
"$i3" index "$task/collection.tsv" --out "$work/ivfpq-untuned" --index ivfpq --overwrite --reuse-vectors "$work/flat" --target-recall 0
for name in flat hnsw ivfpq ivfpq-untuned; do
  echo "== $name"
  python3 -c "import json,sys; print('settings:', json.load(open(sys.argv[1])).get('indexSettings'))" "$work/$name/retriever.json" || true
  du -sb "$work/$name/$( [ $name = ivfpq-untuned ] && echo ivfpq || echo $name )" 2>/dev/null || true
  "$i3" eval --qrels "$task/qrels.test.tsv" --index "$work/$name" --queries "$task/queries.test.tsv" --depth 100 --latency
done
