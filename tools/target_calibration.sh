#!/usr/bin/env bash
# Target-recall calibration (issue 14): one HNSW and one IVF-PQ index, each built with its recall
# curve (the build default: fitted on 256 pseudo-queries from the collection up to recall 0.995), then
# searched with --target-recall 0.90 / 0.95 / 0.99 on the real held-out queries (dictionary test split);
# prints the setting each target picked, the pseudo-query recall@100 the curve promised, and the
# recall@10/@100 the real queries reach against exact search (the flat index's runs), with latency.
# Then the same with the curve refitted on the dev split's queries (`i3 tune --queries`, held-out
# real queries; the test split is only searched).
# Needs the flat index of tools/ivfpq/defaults_table.sh (same --passages); reuses its vectors.
# Usage: tools/target_calibration.sh [--passages N]
set -euo pipefail
cd "$(dirname "$0")/.."
passages=10000
[ "${1:-}" = "--passages" ] && passages="$2"
swift build -c release --product i3 >/dev/null
i3="$(swift build -c release --show-bin-path)/i3"
task=.data/dictionary-$passages work=runs/ivfpq-defaults-$passages
lscpu | grep -m1 "Model name"
"$i3" eval --qrels "$task/qrels.test.tsv" --index "$work/flat" --queries "$task/queries.test.tsv" --depth 100 --write-run "$work/flat.run" >/dev/null
for index in hnsw ivfpq; do
  start=$(date +%s.%N)
  "$i3" index "$task/collection.tsv" --out "$work/$index-curve" --index "$index" --overwrite --reuse-vectors "$work/flat" >/dev/null 2>&1
  echo "== $index (build with curve: $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)") s)"
  rm -rf "$work/$index-dev" && cp -r "$work/$index-curve" "$work/$index-dev"
  "$i3" tune "$work/$index-dev" --queries "$task/queries.dev.tsv" --target-recall 0.99 > "$work/$index-dev.tune"
  for fit in curve dev; do
  echo "-- fitted on $([ $fit = curve ] && echo "256 pseudo-queries" || echo "the dev queries ($(wc -l < "$task/queries.dev.tsv"))")"
  for t in 0.90 0.95 0.99; do
    "$i3" eval --qrels "$task/qrels.test.tsv" --index "$work/$index-$fit" --queries "$task/queries.test.tsv" --depth 100 \
      --latency --target-recall "$t" --write-run "$work/$index-$fit-$t.run" > "$work/$index-$fit-$t.eval"
    python3 - "$t" "$work/flat.run" "$work/$index-$fit-$t.run" "$work/$index-$fit/retriever.json" "$work/$index-$fit-$t.eval" <<'PY'
import collections, json, sys
target = float(sys.argv[1])
def run(p):
    r = collections.defaultdict(list)
    for line in open(p):
        q, _, d, rank, *_ = line.split()
        r[q].append((int(rank), d))
    return {q: [d for _, d in sorted(v)] for q, v in r.items()}
exact, approx = run(sys.argv[2]), run(sys.argv[3])
s = json.load(open(sys.argv[4]))["indexSettings"]
points = [dict(f.split("=") for f in p.split(",")) for p in s["tuningCurve"].split(";")]
chosen = next((p for p in points if float(p["recall"]) >= target), points[-1])
setting = ", ".join(f"{k} {v}" for k, v in chosen.items() if k != "recall")
real = []
for k in (10, 100):
    real.append(sum(len(set(exact[q][:k]) & set(approx.get(q, [])[:k])) for q in exact) / sum(min(k, len(exact[q])) for q in exact))
print(f"target {target:.2f}: {setting}; fit recall@{s['tunedK']} {float(chosen['recall']):.4f}; real test queries recall@10 {real[0]:.4f}, recall@100 {real[1]:.4f}")
ev = open(sys.argv[5]).read()
print("  " + " | ".join(l.strip() for l in ev.splitlines() if l.startswith(("latency, search", "nDCG@10", "Recall@100 "))))
PY
  done
done
done
