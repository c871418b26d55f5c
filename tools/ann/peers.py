#!/usr/bin/env python3
"""The peers' side of the ANN benchmark: hnswlib and faiss on a data set directory.

Reads the same directory as `I3Bench ann` (base.fvecs, query.fvecs, groundtruth.ivecs, metric.txt)
and writes the same JSON: a list of points
    {"dataset", "library", "index", "mode", "params", "recall_at_10", "qps", "qps_overhead_corrected",
     "call_overhead_seconds", "build_seconds", "build_seconds_all_threads", "train_seconds",
     "add_seconds", "index_bytes", "bytes_per_vector", "resident_bytes", "resident_bytes_loaded",
     "disk_bytes", "threads", "queries", "k", "repetition"}

Indexes (same parameters as our side):
  hnsw          hnswlib (M, ef_construction) and faiss IndexHNSWFlat (M, efConstruction), ef swept
  ivfpq         faiss IndexIVFPQ (nlist, m, nbits), trained on the first --train-size base vectors,
                nprobe swept
  ivfpq+refine  the same IVF-PQ wrapped in IndexRefineFlat, k_factor = each --refine factor above 1
                (re-ranks the best k * refine candidates with exact distances)
  ivfpq-opq     (only when named) the same IVF-PQ behind an OPQ rotation learned on the training sample:
                IndexPreTransform(OPQMatrix(d, m), IndexIVFPQ); "ivfpq-opq+refine" wraps it in IndexRefineFlat
  flat          faiss IndexFlat (exact; the recall = 1 reference point)

Measurement: one thread (faiss.omp_set_num_threads(1), hnswlib set_num_threads(1)) and one query at
a time (a Python loop, one knn_query / search call per query): points with "mode": "single". Each
point is the best of --runs passes over all queries. The Python loop costs time our Swift loop does
not pay, so the per-call overhead is measured too (the same loop calling search on a 10-vector
index of the same library) and "qps_overhead_corrected" = 1 / (seconds per query - overhead).
For reference only, one batched call with all queries is also timed ("mode": "batch").

Memory (HNSW): "resident_bytes" is the growth of the process's RSS over the timed build and
"resident_bytes_loaded" over loading the saved index (after save_index / write_index and dropping the
built index), both read after gc + malloc_trim(0), exactly as I3Bench does on our side; "index_bytes"
(in memory) is resident_bytes, since the peers account nothing; "disk_bytes" is the saved file's size.
The ef sweep runs on the loaded index.

Metric: cosine -> vectors are L2-normalised (the prepared sets already are) and compared by inner
product; ip -> inner product; l2 -> squared Euclidean.
"""
import argparse
import ctypes
import gc
import json
import os
import sys
import tempfile
import time

import numpy as np

try:
    import faiss
    import hnswlib
except ImportError as e:  # pragma: no cover - the venv script installs them
    raise SystemExit(f"peers.py needs hnswlib and faiss-cpu: run tools/ann/setup_peers_venv.sh ({e})")


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype="<i4")
    if raw.size == 0:
        raise SystemExit(f"{path}: empty file")
    d = int(raw[0])
    if raw.size % (d + 1) != 0:
        raise SystemExit(f"{path}: size is not a multiple of the row size (truncated?)")
    rows = raw.reshape(-1, d + 1)
    if not np.all(rows[:, 0] == d):
        raise SystemExit(f"{path}: rows of different dimensions")
    return np.ascontiguousarray(rows[:, 1:]).view(dtype).copy()


def load_dataset(directory):
    base = read_vecs(os.path.join(directory, "base.fvecs"), "<f4")
    queries = read_vecs(os.path.join(directory, "query.fvecs"), "<f4")
    gt = read_vecs(os.path.join(directory, "groundtruth.ivecs"), "<i4")
    with open(os.path.join(directory, "metric.txt")) as f:
        name = f.read().strip().lower()
    metric = {"ip": "ip", "inner_product": "ip", "dot": "ip", "cosine": "cosine", "angular": "cosine",
              "l2": "l2", "euclidean": "l2"}.get(name)
    if metric is None:
        raise SystemExit(f"{directory}/metric.txt: unknown metric {name!r} (ip, cosine or l2)")
    if base.shape[1] != queries.shape[1]:
        raise SystemExit(f"base is {base.shape[1]}-d but queries are {queries.shape[1]}-d")
    if gt.shape[0] < queries.shape[0]:
        raise SystemExit(f"groundtruth.ivecs has {gt.shape[0]} rows for {queries.shape[0]} queries")
    if metric == "cosine":
        base = base / np.linalg.norm(base, axis=1, keepdims=True)
        queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    return (np.ascontiguousarray(base, dtype=np.float32), np.ascontiguousarray(queries, dtype=np.float32),
            gt[: queries.shape[0]], metric)


def default_pq_m(d):
    """Largest divisor of d that is at most min(64, d / 4): 50 -> 10, 784 -> 56, 384 -> 64, 128 -> 32.
    The Swift side (BenchSupport.IVFPQDefaults) uses the same rule."""
    best = 1
    for m in range(1, min(64, d // 4) + 1):
        if d % m == 0:
            best = m
    return best


def recall_at(ids, gt, k):
    hits = 0
    for row, truth in zip(ids, gt):
        hits += len(set(int(x) for x in row[:k] if x >= 0) & set(int(x) for x in truth[:k]))
    return hits / (len(gt) * k)


def time_single(search_one, queries, runs):
    """Best of `runs` passes of a Python loop with one search call per query; returns (seconds, ids)."""
    best = float("inf")
    ids = None
    for _ in range(runs):
        out = []
        t0 = time.perf_counter()
        for i in range(queries.shape[0]):
            out.append(search_one(queries[i:i + 1]))
        t = time.perf_counter() - t0
        if t < best:
            best, ids = t, out
    return best, ids


def time_batch(search_all, queries, runs):
    best = float("inf")
    ids = None
    for _ in range(runs):
        t0 = time.perf_counter()
        r = search_all(queries)
        t = time.perf_counter() - t0
        if t < best:
            best, ids = t, r
    return best, ids


class Emitter:
    def __init__(self, args, dataset, nq):
        self.args, self.dataset, self.nq, self.points = args, dataset, nq, []

    def point(self, library, index, mode, params, recall, seconds, overhead, **extra):
        qps = self.nq / seconds
        corrected = None
        if overhead is not None:
            per = seconds / self.nq - overhead
            corrected = 1.0 / per if per > 0 else None
        p = {"dataset": self.dataset, "library": library, "index": index, "mode": mode, "params": params,
             "recall_at_10": recall, "qps": qps, "qps_overhead_corrected": corrected,
             "call_overhead_seconds": overhead, "threads": self.args.threads, "queries": self.nq,
             "k": self.args.k, "repetition": self.args.repetition}
        p.update(extra)
        self.points.append(p)
        pstr = " ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in params.items())
        corr = f"  (overhead-corrected {corrected:,.0f})" if corrected else ""
        print(f"  {library:8s} {index:13s} {mode:6s} {pstr:40s} recall@10={recall:.4f}  QPS={qps:,.0f}{corr}",
              flush=True)


def set_threads(n):
    faiss.omp_set_num_threads(n)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
try:
    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc
    _malloc_trim = None


def resident_bytes():
    """RSS of this process (/proc/self/statm, as BenchSupport.ResidentMemory reads it)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def release_freed_memory():
    """gc, then glibc malloc_trim(0): freed heap pages go back to the system, so RSS shows live memory."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


def resident_growth(body):
    """(body(), RSS growth in bytes it left behind), freed memory released before and after, exactly
    like ResidentMemory.growth on the Swift side. Caveats: page granularity, the allocator may keep
    partly used pages, and temporaries freed inside body (peak memory) are not counted."""
    release_freed_memory()
    before = resident_bytes()
    result = body()
    release_freed_memory()
    return result, resident_bytes() - before


def print_memory(name, n, resident, resident_loaded, disk):
    print(f"  {name} memory, bytes/vector: resident after build {resident / n:.1f}, after load "
          f"{resident_loaded / n:.1f}, disk {disk / n:.1f}", flush=True)


def call_overhead(make_tiny, d, runs=5, calls=2000):
    """Seconds per call of the Python loop + binding on a 10-vector index: the per-query cost the
    Python side pays on top of the search itself (an upper bound: it includes 10 distance computations)."""
    tiny_search = make_tiny(np.random.default_rng(0).standard_normal((10, d)).astype(np.float32))
    q = np.random.default_rng(1).standard_normal((calls, d)).astype(np.float32)
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        for i in range(calls):
            tiny_search(q[i:i + 1])
        best = min(best, time.perf_counter() - t0)
    return best / calls


def run_hnswlib(args, em, base, queries, gt, metric):
    d = base.shape[1]
    space = "l2" if metric == "l2" else "ip"
    ids = np.arange(base.shape[0])
    n = base.shape[0]

    def build(threads):
        idx = hnswlib.Index(space=space, dim=d)
        idx.init_index(max_elements=n, M=args.m, ef_construction=args.ef_construction,
                       random_seed=100)
        idx.set_num_threads(threads)
        t0 = time.perf_counter()
        idx.add_items(base, ids, num_threads=threads)
        return idx, time.perf_counter() - t0

    all_threads = None
    if args.all_threads_build:
        _, all_threads = build(os.cpu_count() or 1)
        print(f"  hnswlib  build with {os.cpu_count()} threads: {all_threads:.2f} s", flush=True)
    (idx, single), resident = resident_growth(lambda: build(args.threads))
    print(f"  hnswlib  build with {args.threads} thread(s): {single:.2f} s", flush=True)

    # Save, drop the built index, load it back (the sweep runs on the loaded index, as on our side).
    with tempfile.TemporaryDirectory(prefix="peers-hnswlib-") as tmp:
        path = os.path.join(tmp, "index.bin")
        idx.save_index(path)
        disk = os.path.getsize(path)
        del idx

        def load():
            loaded = hnswlib.Index(space=space, dim=d)
            loaded.load_index(path, max_elements=n)
            return loaded

        idx, resident_loaded = resident_growth(load)
    idx.set_num_threads(args.threads)
    print_memory("hnswlib  hnsw", n, resident, resident_loaded, disk)

    def make_tiny(x):
        t = hnswlib.Index(space=space, dim=d)
        t.init_index(max_elements=10, M=args.m, ef_construction=args.ef_construction)
        t.add_items(x, np.arange(10))
        t.set_num_threads(1)
        t.set_ef(10)
        return lambda q: t.knn_query(q, k=args.k)

    overhead = call_overhead(make_tiny, d)
    print(f"  hnswlib  per-call Python overhead: {overhead * 1e6:.2f} us", flush=True)
    for ef in args.ef:
        idx.set_ef(max(ef, args.k))
        params = {"M": args.m, "efConstruction": args.ef_construction, "ef": ef}
        extra = dict(build_seconds=single, build_seconds_all_threads=all_threads, index_bytes=resident,
                     bytes_per_vector=resident / n, resident_bytes=resident, resident_bytes_loaded=resident_loaded,
                     disk_bytes=disk, train_seconds=None, add_seconds=single)
        secs, res = time_single(lambda q: idx.knn_query(q, k=args.k)[0][0], queries, args.runs)
        em.point("hnswlib", "hnsw", "single", params, recall_at(res, gt, args.k), secs, overhead, **extra)
        if args.batch:
            secs, res = time_batch(lambda q: idx.knn_query(q, k=args.k)[0], queries, args.runs)
            em.point("hnswlib", "hnsw", "batch", params, recall_at(res, gt, args.k), secs, None, **extra)


def faiss_metric(metric):
    return faiss.METRIC_L2 if metric == "l2" else faiss.METRIC_INNER_PRODUCT


def faiss_overhead(d, metric):
    def make_tiny(x):
        t = faiss.IndexFlat(d, faiss_metric(metric))
        t.add(x)
        return lambda q: t.search(q, 10)
    return call_overhead(make_tiny, d)


def run_faiss_hnsw(args, em, base, queries, gt, metric, overhead):
    d = base.shape[1]
    n = base.shape[0]

    def build(threads):
        set_threads(threads)
        idx = faiss.IndexHNSWFlat(d, args.m, faiss_metric(metric))
        idx.hnsw.efConstruction = args.ef_construction
        t0 = time.perf_counter()
        idx.add(base)
        return idx, time.perf_counter() - t0

    all_threads = None
    if args.all_threads_build:
        _, all_threads = build(os.cpu_count() or 1)
        print(f"  faiss    HNSWFlat build with {os.cpu_count()} threads: {all_threads:.2f} s", flush=True)
    (idx, single), resident = resident_growth(lambda: build(args.threads))
    print(f"  faiss    HNSWFlat build with {args.threads} thread(s): {single:.2f} s", flush=True)
    set_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="peers-faiss-") as tmp:
        path = os.path.join(tmp, "index.faiss")
        faiss.write_index(idx, path)
        disk = os.path.getsize(path)
        del idx
        idx, resident_loaded = resident_growth(lambda: faiss.read_index(path))
    print_memory("faiss    HNSWFlat", n, resident, resident_loaded, disk)
    for ef in args.ef:
        idx.hnsw.efSearch = max(ef, args.k)
        params = {"M": args.m, "efConstruction": args.ef_construction, "ef": ef}
        extra = dict(build_seconds=single, build_seconds_all_threads=all_threads, index_bytes=resident,
                     bytes_per_vector=resident / n, resident_bytes=resident, resident_bytes_loaded=resident_loaded,
                     disk_bytes=disk, train_seconds=None, add_seconds=single)
        secs, res = time_single(lambda q: idx.search(q, args.k)[1][0], queries, args.runs)
        em.point("faiss", "hnsw", "single", params, recall_at(res, gt, args.k), secs, overhead, **extra)
        if args.batch:
            secs, res = time_batch(lambda q: idx.search(q, args.k)[1], queries, args.runs)
            em.point("faiss", "hnsw", "batch", params, recall_at(res, gt, args.k), secs, None, **extra)


def run_faiss_ivfpq(args, em, base, queries, gt, metric, overhead, opq=False):
    d = base.shape[1]
    m = args.pq_m or default_pq_m(d)
    if d % m != 0:
        raise SystemExit(f"--pq-m {m} does not divide the dimension {d}")
    n_train = min(args.train_size, base.shape[0])
    set_threads(args.threads)
    quantizer = faiss.IndexFlat(d, faiss_metric(metric))
    ivfpq = faiss.IndexIVFPQ(quantizer, d, args.nlist, m, args.nbits, faiss_metric(metric))
    # With OPQ the rotation is trained first, then the IVF-PQ on the rotated sample (IndexPreTransform).
    top = faiss.IndexPreTransform(faiss.OPQMatrix(d, m), ivfpq) if opq else ivfpq
    t0 = time.perf_counter()
    top.train(base[:n_train])
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    top.add(base)
    add_s = time.perf_counter() - t0
    print(f"  faiss    {'OPQ%d,' % m if opq else ''}IVF{args.nlist},PQ{m}x{args.nbits}: train {train_s:.2f} s on {n_train} vectors, "
          f"add {add_s:.2f} s ({args.threads} thread(s))", flush=True)
    refine = faiss.IndexRefineFlat(top, faiss.swig_ptr(base))
    ivf_bytes = len(faiss.serialize_index(top))
    refine_bytes = len(faiss.serialize_index(refine))
    # Stored per vector in the inverted lists: the PQ code and the 64-bit id; re-ranking adds the raw vector.
    per_vec = ivfpq.code_size + 8
    name = "ivfpq-opq" if opq else "ivfpq"
    variants = [(name, top, None, ivf_bytes, per_vec)]
    # One trained index serves every re-ranking factor (k_factor is set per variant).
    variants += [(name + "+refine", refine, rf, refine_bytes, per_vec + 4 * d) for rf in args.refine if rf > 1]
    for name, idx, rf, index_bytes, bpv in variants:
        if rf:
            refine.k_factor = float(rf)
        for nprobe in args.nprobe:
            ivfpq.nprobe = nprobe
            params = {"nlist": args.nlist, "m": m, "nbits": args.nbits, "nprobe": nprobe, "train_size": n_train}
            if rf:
                params["refine"] = rf
            if opq:
                params["opq"] = 1
            extra = dict(build_seconds=train_s + add_s, build_seconds_all_threads=None, train_seconds=train_s,
                         add_seconds=add_s, index_bytes=index_bytes, bytes_per_vector=bpv)
            secs, res = time_single(lambda q: idx.search(q, args.k)[1][0], queries, args.runs)
            em.point("faiss", name, "single", params, recall_at(res, gt, args.k), secs, overhead, **extra)
            if args.batch:
                secs, res = time_batch(lambda q: idx.search(q, args.k)[1], queries, args.runs)
                em.point("faiss", name, "batch", params, recall_at(res, gt, args.k), secs, None, **extra)


def run_faiss_flat(args, em, base, queries, gt, metric, overhead):
    d = base.shape[1]
    set_threads(args.threads)
    idx = faiss.IndexFlat(d, faiss_metric(metric))
    t0 = time.perf_counter()
    idx.add(base)
    add_s = time.perf_counter() - t0
    index_bytes = len(faiss.serialize_index(idx))
    extra = dict(build_seconds=add_s, build_seconds_all_threads=None, train_seconds=None, add_seconds=add_s,
                 index_bytes=index_bytes, bytes_per_vector=4 * d)
    secs, res = time_single(lambda q: idx.search(q, args.k)[1][0], queries, 1)
    em.point("faiss", "flat", "single", {}, recall_at(res, gt, args.k), secs, overhead, **extra)
    if args.batch:
        secs, res = time_batch(lambda q: idx.search(q, args.k)[1], queries, 1)
        em.point("faiss", "flat", "batch", {}, recall_at(res, gt, args.k), secs, None, **extra)


def int_list(s):
    return [int(x) for x in s.split(",") if x.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="data set directory (base.fvecs, query.fvecs, ...)")
    ap.add_argument("--index", default="all", help="hnsw, ivfpq, flat or all (comma-separated list allowed); ivfpq-opq only when named")
    ap.add_argument("--libs", default="hnswlib,faiss")
    ap.add_argument("--json", help="write the points here")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="passes over the queries per point; the best counts")
    ap.add_argument("--repetition", type=int, default=1, help="recorded in the JSON (scripts/ann-bench.sh)")
    ap.add_argument("--ef", type=int_list, default=[10, 20, 40, 80, 120, 200, 400])
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--nlist", type=int, default=1024)
    ap.add_argument("--pq-m", type=int, default=0, help="PQ sub-quantizers (default: see default_pq_m)")
    ap.add_argument("--nbits", type=int, default=8)
    ap.add_argument("--nprobe", type=int_list, default=[1, 4, 16, 64])
    ap.add_argument("--refine", type=int_list, default=[10],
                    help="re-ranking factors, e.g. 1,4,10,20 (<= 1: none; points without re-ranking are always measured)")
    ap.add_argument("--train-size", type=int, default=50000, help="IVF-PQ trains on the first N base vectors")
    ap.add_argument("--no-all-threads-build", dest="all_threads_build", action="store_false")
    ap.add_argument("--no-batch", dest="batch", action="store_false")
    ap.add_argument("--limit-queries", type=int, default=0)
    args = ap.parse_args()

    wanted = {"hnsw", "ivfpq", "flat"} if args.index == "all" else set(args.index.split(","))
    libs = set(args.libs.split(","))
    base, queries, gt, metric = load_dataset(args.data)
    if args.limit_queries:
        queries, gt = queries[: args.limit_queries], gt[: args.limit_queries]
    if gt.shape[1] < args.k:
        raise SystemExit(f"groundtruth.ivecs holds {gt.shape[1]} ids per query, fewer than k = {args.k}")
    dataset = os.path.basename(os.path.normpath(args.data))
    print(f"==> peers on {dataset}: {base.shape[0]} x {base.shape[1]} ({metric}), {queries.shape[0]} queries, "
          f"faiss {faiss.__version__}, {args.threads} thread(s)", flush=True)
    em = Emitter(args, dataset, queries.shape[0])
    set_threads(args.threads)
    f_overhead = faiss_overhead(base.shape[1], metric) if "faiss" in libs else None
    if f_overhead is not None:
        print(f"  faiss    per-call Python overhead: {f_overhead * 1e6:.2f} us", flush=True)
    if "flat" in wanted and "faiss" in libs:
        run_faiss_flat(args, em, base, queries, gt, metric, f_overhead)
    if "hnsw" in wanted and "hnswlib" in libs:
        run_hnswlib(args, em, base, queries, gt, metric)
    if "hnsw" in wanted and "faiss" in libs:
        run_faiss_hnsw(args, em, base, queries, gt, metric, f_overhead)
    if "ivfpq" in wanted and "faiss" in libs:
        run_faiss_ivfpq(args, em, base, queries, gt, metric, f_overhead)
    if "ivfpq-opq" in wanted and "faiss" in libs:
        run_faiss_ivfpq(args, em, base, queries, gt, metric, f_overhead, opq=True)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(em.points, f, indent=1)
            f.write("\n")
        print(f"==> wrote {len(em.points)} points to {args.json}", flush=True)


if __name__ == "__main__":
    main()
