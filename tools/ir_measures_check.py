#!/usr/bin/env python3
"""Checks `i3 eval` against the PyPI package ir-measures on the same run and qrels.

Usage: tools/ir_measures_check.py --qrels qrels.tsv --run run.tsv [--i3 path/to/i3]
Run it with .venv-eval/bin/python (tools/setup_eval_venv.sh). Prints both sets of numbers and
exits non-zero when any metric differs by more than 1e-4.

Measures compared (ir-measures names): RR@10, R@10, R@100, R@1000, nDCG@10.
Tied scores: `i3 eval` orders a query's documents as trec_eval does (score descending, then document
id descending). ir-measures computes RR@10 with its msmarco provider, which breaks ties by document id
*ascending*, so on runs with tied scores RR@10 can differ slightly. The check therefore runs twice: on
the run as given (differences reported, not fatal), and on a tie-free copy (each query's documents in
i3's order, scores replaced by strictly decreasing values), where all five must agree within 1e-4.
ir-measures (pytrec_eval) averages over the queries present in the run; `i3 eval` averages over the
judged queries and scores a judged query missing from the run as 0. The check therefore also
reports how many judged queries the run misses (0 for runs written by `i3 search --queries`).
"""
import argparse, re, subprocess, sys
import ir_measures
from ir_measures import RR, R, nDCG

ap = argparse.ArgumentParser()
ap.add_argument("--qrels", required=True)
ap.add_argument("--run", required=True)
ap.add_argument("--i3", default=".build/release/i3")
a = ap.parse_args()

import os, tempfile
from collections import defaultdict

qrels = list(ir_measures.read_trec_qrels(a.qrels))
measures = {"MRR@10": RR@10, "Recall@10": R@10, "Recall@100": R@100, "Recall@1000": R@1000, "nDCG@10": nDCG@10}
judged = {q.query_id for q in qrels if q.relevance >= 1}


def compare(run_path, label):
    run = list(ir_measures.read_trec_run(run_path))
    ref = ir_measures.calc_aggregate(list(measures.values()), qrels, run)
    in_run = {r.query_id for r in run}
    by_q = defaultdict(list)
    for r in run:
        by_q[r.query_id].append(r.score)
    ties = sum(len(v) - len(set(v)) for v in by_q.values())
    out = subprocess.run([a.i3, "eval", "--qrels", a.qrels, "--run", run_path], check=True, capture_output=True, text=True).stdout
    mine = {}
    for line in out.splitlines():
        m = re.match(r"^(MRR@10|Recall@10|Recall@100|Recall@1000|nDCG@10)\s+([0-9.]+)", line)
        if m:
            mine[m.group(1)] = float(m.group(2))
    print(f"== {label}: judged queries {len(judged)}, in run {len(judged & in_run)}, "
          f"missing {len(judged - in_run)}, tied scores within queries {ties}")
    print(f"{'metric':12} {'i3 eval':>10} {'ir-measures':>12} {'diff':>10}")
    bad = 0
    for name, meas in measures.items():
        theirs, ours = ref[meas], mine.get(name, float("nan"))
        diff = abs(ours - theirs)
        flag = "" if diff <= 1e-4 else "  differs"
        bad += bool(flag)
        print(f"{name:12} {ours:10.4f} {theirs:12.4f} {diff:10.2e}{flag}")
    return bad, run


bad_given, run = compare(a.run, "run as given")
by_q = defaultdict(list)
for r in run:
    by_q[r.query_id].append(r)
fd, tiefree = tempfile.mkstemp(suffix=".run")
with os.fdopen(fd, "w") as f:
    for q, docs in by_q.items():
        docs.sort(key=lambda d: d.doc_id, reverse=True)
        docs.sort(key=lambda d: d.score, reverse=True)  # stable: score desc, then doc id desc
        for i, d in enumerate(docs):
            f.write(f"{q} Q0 {d.doc_id} {i + 1} {len(docs) - i} tiefree\n")
bad_tiefree, _ = compare(tiefree, "tie-free copy")
os.unlink(tiefree)
print("all metrics agree within 1e-4 on the tie-free run" if bad_tiefree == 0 else f"{bad_tiefree} metrics differ on the tie-free run")
sys.exit(1 if bad_tiefree else 0)
