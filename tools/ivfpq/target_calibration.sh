#!/usr/bin/env bash
# Target-recall calibration (issue 14): IVF-PQ indexes tuned to --target-recall 0.90/0.95/0.99 on
# pseudo-queries from the collection; the recall@100 each reaches against exact search on the real
# held-out queries (dictionary test split), from the runs `i3 eval` writes. Needs the flat index of
# tools/ivfpq/defaults_table.sh (same --passages).
# Usage: tools/ivfpq/target_calibration.sh [--passages N]
set -euo pipefail
cd "$(dirname "$0")/../.."
passages=10000
[ "${1:-}" = "--passages" ] && passages="$2"
i3="$(swift build -c release --show-bin-path)/i3"
task=.data/dictionary-$passages work=runs/ivfpq-defaults-$passages
"$i3" eval --qrels "$task/qrels.test.tsv" --index "$work/flat" --queries "$task/queries.test.tsv" --depth 100 --write-run "$work/flat.run" >/dev/null
for t in 0.90 0.95 0.99; do
  "$i3" index "$task/collection.tsv" --out "$work/ivfpq-$t" --index ivfpq --overwrite --reuse-vectors "$work/flat" --target-recall "$t" >/dev/null 2>&1
  "$i3" eval --qrels "$task/qrels.test.tsv" --index "$work/ivfpq-$t" --queries "$task/queries.test.tsv" --depth 100 --latency --write-run "$work/ivfpq-$t.run" > "$work/ivfpq-$t.eval"
  python3 - "$work/flat.run" "$work/ivfpq-$t.run" "$work/ivfpq-$t/retriever.json" "$work/ivfpq-$t.eval" <<'PY'
import collections, json, sys
def run(p):
    r = collections.defaultdict(list)
    for line in open(p):
        q, _, d, rank, *_ = line.split()
        r[q].append((int(rank), d))
    return {q: [d for _, d in sorted(v)] for q, v in r.items()}
exact, approx = run(sys.argv[1]), run(sys.argv[2])
s = json.load(open(sys.argv[3]))["indexSettings"]
for k in (10, 100):
    rec = sum(len(set(exact[q][:k]) & set(approx.get(q, [])[:k])) for q in exact) / sum(min(k, len(exact[q])) for q in exact)
    print(f"target {s['targetRecall']}: nprobe {s['nprobe']}, refine x{s['refineFactor']}, pseudo-query recall@100 {float(s['sampleRecall']):.4f}; real queries recall@{k} {rec:.4f}")
ev = open(sys.argv[4]).read()
print("  " + " | ".join(l.strip() for l in ev.splitlines() if l.startswith(("latency, search", "nDCG@10", "Recall@100 "))))
PY
done
