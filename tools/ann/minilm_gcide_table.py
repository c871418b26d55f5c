#!/usr/bin/env python3
"""Recall against bytes per vector from a tools/ann/minilm_gcide_sweep.sh output directory.

Reads every side's JSON (*.i3.rep*.json, *.peers.rep*.json) under DIR and prints one markdown row per
(library, index, m, OPQ, nprobe, refine), one-query-at-a-time points only ("mode": "single"). The
points without re-ranking come out of every ann-bench.sh call of the same m; their recall is the same
each time (same training, deterministic), so the row shows the median QPS over those calls. A second, compact table follows: recall@10
"ours / faiss" per m, OPQ and nprobe (columns: re-ranking depth); a third one puts ours and faiss side by
side per point (recall@10, QPS, training seconds).

Columns: memory B/vec = PQ code (m bytes at 8 bits) + 8-byte id, what the inverted lists hold per
vector; re-rank B/vec = the float32 vector (4 * d bytes) that exact re-ranking reads (on disk by
default in the retriever's IVF-PQ; both benchmark sides hold it in memory). Usage:
    tools/ann/minilm_gcide_table.py DIR
"""
import glob
import json
import os
import statistics
import sys


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    rows = {}
    dim = None
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.rep*.json"), recursive=True)):
        with open(path) as f:
            points = json.load(f)
        for p in points:
            if p.get("mode") != "single" or not p["index"].startswith("ivfpq"):
                continue
            q = p["params"]
            m, nprobe, refine = int(q["m"]), int(q["nprobe"]), int(q.get("refine", 0))
            opq = "opq" in p["index"]
            key = (p["library"], opq, m, refine, nprobe)
            r = rows.setdefault(key, {"recall": [], "qps": [], "bpv": p.get("bytes_per_vector"),
                                      "train": [], "nlist": int(q["nlist"])})
            r["recall"].append(p["recall_at_10"])
            r["qps"].append(p["qps"])
            if p.get("train_seconds") is not None:
                r["train"].append(p["train_seconds"])
            if refine and p.get("bytes_per_vector"):
                dim = dim or int(round((p["bytes_per_vector"] - (m + 8)) / 4))
    print("| library | OPQ | m | memory B/vec (code + id) | re-rank | re-rank B/vec | nprobe | recall@10 | QPS | train s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(rows, key=lambda k: (k[2], k[1], k[3], k[4], k[0])):
        lib, opq, m, refine, nprobe = key
        r = rows[key]
        recalls = sorted(set(round(x, 4) for x in r["recall"]))
        recall = f"{recalls[0]:.4f}" if len(recalls) == 1 else f"{min(recalls):.4f}–{max(recalls):.4f}"
        rerank = f"{refine}·k" if refine else "none"
        disk = f"{4 * dim}" if refine and dim else "–"
        train = f"{statistics.median(r['train']):.1f}" if r["train"] else "–"
        print(f"| {lib} | {'yes' if opq else 'no'} | {m} | {m + 8} | {rerank} | {disk} | {nprobe} | {recall} | "
              f"{statistics.median(r['qps']):,.0f} | {train} |")

    # The compact view: recall@10 "ours / faiss" per (m, OPQ, nprobe) and re-ranking depth.
    refines = sorted({k[3] for k in rows})
    print()
    print("| m | B/vec in memory | OPQ | nprobe | " + " | ".join("no re-rank" if r == 0 else f"re-rank {r}·k" for r in refines)
          + " |")
    print("|---|---|---|---|" + "---|" * len(refines))
    for m, opq, nprobe in sorted({(k[2], k[1], k[4]) for k in rows}):
        cells = []
        for r in refines:
            got = []
            for lib in ("i3", "faiss"):
                v = rows.get((lib, opq, m, r, nprobe))
                got.append(f"{statistics.median(v['recall']):.3f}" if v else "–")
            cells.append(" / ".join(got))
        print(f"| {m} | {m + 8} | {'yes' if opq else 'no'} | {nprobe} | " + " | ".join(cells) + " |")

    # Side by side: one row per (m, OPQ, nprobe, re-ranking) with both libraries' recall, QPS and training time.
    def both(opq, m, refine, nprobe, fmt):
        cells = []
        for lib in ("i3", "faiss"):
            v = rows.get((lib, opq, m, refine, nprobe))
            cells.append(fmt(v) if v else "–")
        return " / ".join(cells)

    def fmt_recall(v):
        return f"{statistics.median(v['recall']):.4f}"

    def fmt_qps(v):
        return f"{statistics.median(v['qps']):,.0f}"

    def fmt_train(v):
        return f"{statistics.median(v['train']):.1f}" if v["train"] else "–"

    print()
    print("| m | OPQ | B/vec in memory | nprobe | re-rank | recall@10 ours / faiss | QPS ours / faiss | train s ours / faiss |")
    print("|---|---|---|---|---|---|---|---|")
    for m, opq, nprobe, refine in sorted({(k[2], k[1], k[4], k[3]) for k in rows}):
        rerank = f"{refine}·k" if refine else "none"
        print(f"| {m} | {'yes' if opq else 'no'} | {m + 8} | {nprobe} | {rerank} | "
              f"{both(opq, m, refine, nprobe, fmt_recall)} | {both(opq, m, refine, nprobe, fmt_qps)} | "
              f"{both(opq, m, refine, nprobe, fmt_train)} |")

if __name__ == "__main__":
    main()
