#!/usr/bin/env python3
"""BM25 baseline on the dictionary task (PyPI bm25s), for comparison with dense retrieval.

Usage: .venv-eval/bin/python tools/bm25_baseline.py --task <dir> [--split test] [--run out.tsv] [--k 1000]
<dir> is what `i3 data dictionary --out <dir>` wrote (collection.tsv = id, title, text; the title is
joined to the text as the dense encoder sees it: "title. text"). Prints MRR@10, Recall@10/100/1000,
nDCG@10 (computed here with ir-measures, same definitions as `i3 eval`) and writes the TREC run if asked,
so `i3 eval` can score it too. bm25s defaults: Lucene BM25, k1=1.5, b=0.75, English stop words, no stemming.
"""
import argparse, time
import bm25s
import ir_measures
from ir_measures import RR, R, nDCG

ap = argparse.ArgumentParser()
ap.add_argument("--task", required=True)
ap.add_argument("--split", default="test")
ap.add_argument("--run")
ap.add_argument("--k", type=int, default=1000)
a = ap.parse_args()

ids, docs = [], []
with open(f"{a.task}/collection.tsv", encoding="utf-8") as f:
    for line in f:
        cols = line.rstrip("\n").split("\t")
        ids.append(cols[0])
        docs.append(cols[-1] if len(cols) == 2 else f"{cols[1]}. {cols[2]}")
qids, qtexts = [], []
with open(f"{a.task}/queries.{a.split}.tsv", encoding="utf-8") as f:
    for line in f:
        q, t = line.rstrip("\n").split("\t", 1)
        qids.append(q); qtexts.append(t)

t0 = time.time()
retriever = bm25s.BM25()
retriever.index(bm25s.tokenize(docs, stopwords="en", show_progress=False), show_progress=False)
t1 = time.time()
k = min(a.k, len(ids))
res, scores = retriever.retrieve(bm25s.tokenize(qtexts, stopwords="en", show_progress=False), k=k, show_progress=False)
t2 = time.time()

run = []
for qi, q in enumerate(qids):
    for r in range(k):
        run.append(ir_measures.ScoredDoc(q, ids[int(res[qi, r])], float(scores[qi, r])))
if a.run:
    with open(a.run, "w") as f:
        last, rank = None, 0
        for d in run:
            rank = rank + 1 if d.query_id == last else 1
            last = d.query_id
            f.write(f"{d.query_id} Q0 {d.doc_id} {rank} {d.score:.6f} bm25s\n")
qrels = list(ir_measures.read_trec_qrels(f"{a.task}/qrels.{a.split}.tsv"))
m = ir_measures.calc_aggregate([RR@10, R@10, R@100, R@1000, nDCG@10], qrels, run)
print(f"BM25 (bm25s {bm25s.__version__}) on {len(ids)} passages, {len(qids)} {a.split} queries")
print(f"  index {t1 - t0:.1f} s, search {t2 - t1:.1f} s ({1000 * (t2 - t1) / max(1, len(qids)):.2f} ms/query, batched)")
print(f"  MRR@10 {m[RR@10]:.4f}  Recall@10 {m[R@10]:.4f}  Recall@100 {m[R@100]:.4f}  Recall@1000 {m[R@1000]:.4f}  nDCG@10 {m[nDCG@10]:.4f}")
