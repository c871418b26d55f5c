#!/usr/bin/env python3
"""Paired comparison of TREC runs against qrels (standard library only): MRR@10, Recall@10, Recall@100
and nDCG@10 (trec_eval ndcg_cut_10: linear gain, log2 discount) per run, and for every run after the first the mean paired difference against the first with its
standard error (sd of per-query differences / sqrt(n)). Queries with a relevant document count; one
missing from a run scores 0. Ranking: score descending, ties by document id descending (trec_eval).
Usage: paired_compare.py qrels name=run.tsv [name=run.tsv ...]"""
import math, sys
from collections import defaultdict

def read_qrels(p):
    q = defaultdict(dict)
    for line in open(p):
        f = line.split()
        if len(f) >= 4 and int(f[3]) > 0:
            q[f[0]][f[2]] = int(f[3])
    return q

def read_run(p):
    r = defaultdict(list)
    for line in open(p):
        f = line.split()
        if len(f) >= 6:
            r[f[0]].append((float(f[4]), f[2]))
    return {k: [d for _, d in sorted(v, key=lambda x: (-x[0], [-ord(c) for c in x[1]]))] for k, v in r.items()}

def per_query(qrels, run):
    out = {}
    for q, rel in qrels.items():
        ranked = run.get(q, [])
        rr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:10]) if d in rel), 0.0)
        dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
        ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(rel.values(), reverse=True)[:10]))
        out[q] = (rr, sum(d in rel for d in ranked[:10]) / len(rel), sum(d in rel for d in ranked[:100]) / len(rel),
                  dcg / ideal)
    return out

qrels = read_qrels(sys.argv[1])
runs = [(a.split("=", 1)[0], per_query(qrels, read_run(a.split("=", 1)[1]))) for a in sys.argv[2:]]
qs = sorted(qrels)
names = ["MRR@10", "R@10", "R@100", "nDCG@10"]
print(f"{len(qs)} queries")
print("| run | " + " | ".join(names) + " | " + " | ".join(f"Δ{n} ± se" for n in names) + " |")
print("|---" * (1 + 2 * len(names)) + "|")
base = runs[0][1]
for name, pq in runs:
    means = [sum(pq[q][i] for q in qs) / len(qs) for i in range(len(names))]
    cells = [f"{m:.4f}" for m in means]
    for i in range(len(names)):
        d = [pq[q][i] - base[q][i] for q in qs]
        m = sum(d) / len(d)
        sd = math.sqrt(sum((x - m) ** 2 for x in d) / max(1, len(d) - 1))
        cells.append("–" if pq is base else f"{m:+.4f} ± {sd / math.sqrt(len(d)):.4f}")
    print(f"| {name} | " + " | ".join(cells) + " |")
