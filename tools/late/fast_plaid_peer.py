#!/usr/bin/env python3
"""The fast-plaid peer of `I3Bench late`: indexes the same token vectors (written by the bench to
OUT/tokens) with fast-plaid on the CPU and writes OUT/fast_plaid.json in the bench's row format.

Build with all cores (as ours), search one query per call on 1 thread and, for QPS, on all cores;
fast-plaid's search defaults (n_ivf_probe 8, n_full_scores 4096). Recall@10 is against our exact
MaxSim fp16 top 10 of the same vectors. Run from the repository root inside the venv made by
tools/late/setup_fast_plaid_venv.sh:

    .venv-late/bin/python tools/late/fast_plaid_peer.py --out runs/late [--bits 2 4]
"""
import argparse
import json
import os
import shutil
import time

import numpy as np
import torch
from fast_plaid import search


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def trim():
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="runs/late")
    ap.add_argument("--bits", type=int, nargs="+", default=[2, 4])
    ap.add_argument("--queries", type=int, default=0, help="only the first N queries (0 = all the bench wrote)")
    ap.add_argument("--no-all-threads", action="store_true", help="skip the all-cores QPS pass")
    args = ap.parse_args()
    tok = os.path.join(args.out, "tokens")
    d = json.load(open(os.path.join(tok, "meta.json")))["dimension"]
    docs = np.fromfile(os.path.join(tok, "doc_tokens.f32"), dtype="<f4").reshape(-1, d)
    offsets = np.fromfile(os.path.join(tok, "doc_offsets.i64"), dtype="<i8")
    queries = np.fromfile(os.path.join(tok, "query_tokens.f32"), dtype="<f4").reshape(-1, d)
    qoff = np.fromfile(os.path.join(tok, "query_offsets.i64"), dtype="<i8")
    truth = np.fromfile(os.path.join(tok, "exact_top10.i64"), dtype="<i8").reshape(-1, 10)
    enc_ms = np.fromfile(os.path.join(tok, "query_encode_ms.f64"), dtype="<f8")
    n, nq, cores = len(offsets) - 1, len(qoff) - 1, os.cpu_count()
    if args.queries:
        nq = min(nq, args.queries)
    documents = [torch.from_numpy(docs[offsets[i]:offsets[i + 1]]) for i in range(n)]
    qs = [torch.from_numpy(queries[qoff[i]:qoff[i + 1]]) for i in range(nq)]
    rows = []
    for bits in args.bits:
        path = os.path.join(args.out, "fast-plaid-indexes", f"{bits}bit")   # not under indexes/, which the bench removes
        shutil.rmtree(path, ignore_errors=True)
        torch.set_num_threads(cores)
        t0 = time.perf_counter()
        search.FastPlaid(index=path, device="cpu").create(documents_embeddings=documents, nbits=bits)
        build = time.perf_counter() - t0
        print(f"fast-plaid {bits}-bit: built in {build:.1f} s", flush=True)
        trim()
        before = rss_bytes()
        index = search.FastPlaid(index=path, device="cpu")
        torch.set_num_threads(1)
        index.search(queries_embeddings=[qs[0]], top_k=10, show_progress=False)   # loads the index
        trim()
        resident = rss_bytes() - before

        def run(threads):
            torch.set_num_threads(threads)
            ms, top = [], []
            for q in qs:
                t = time.perf_counter()
                hits = index.search(queries_embeddings=[q], top_k=10, show_progress=False)[0]
                ms.append((time.perf_counter() - t) * 1000)
                top.append([h[0] for h in hits])
            return ms, top

        ms, top = run(1)
        ms_all = None if args.no_all_threads else run(cores)[0]
        recall = sum(len(set(top[i][:10]) & set(int(x) for x in truth[i] if x >= 0)) for i in range(nq)) / (10 * nq)
        enc = [a + b for a, b in zip(ms, enc_ms)]
        row = dict(system=f"plaid-{bits}bit", family="late", library="fast-plaid", passages=n, tokens=int(offsets[-1]),
                   dimension=d, diskBytes=float(dir_bytes(path)), residentBytes=float(resident), buildSeconds=build,
                   p50=pct(ms, 0.5), p95=pct(ms, 0.95), p99=pct(ms, 0.99), p50Encoded=pct(enc, 0.5),
                   p95Encoded=pct(enc, 0.95), p99Encoded=pct(enc, 0.99), qps1=nq / (sum(ms) / 1000),
                   qpsAll=None if ms_all is None else nq / (sum(ms_all) / 1000), threadsAll=cores, recallVsExact=recall, mrr10=None, recall100=None,
                   notes=f"fast-plaid {getattr(search, '__version__', '')} torch {torch.__version__} CPU; defaults "
                         "(n_ivf_probe 8, n_full_scores 4096, kmeans_niters 4); build on all cores; "
                         "QPS all = one query per call with torch on all cores")
        print(json.dumps(row), flush=True)
        rows.append(row)
    with open(os.path.join(args.out, "fast_plaid.json"), "w") as f:
        json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
