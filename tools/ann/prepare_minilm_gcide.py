#!/usr/bin/env python3
"""Prepares the ANN data set minilm-gcide-384-ip: the vectors the retriever really stores.

    base   all-MiniLM-L6-v2 passage embeddings of GCIDE articles ("<title>. <text>", as `i3 index`
           encodes them), made by this package's own encoder (`i3 embed`), 384-d, unit length
    query  the WordNet glosses of the dictionary task's test split (2,056 queries), encoded as queries
    metric ip (the vectors are unit length, so inner product = cosine)

The collection comes from `i3 data dictionary --passages N`: every article relevant to a test query
plus distractors in a fixed hashed order (docs/retriever.md), so a smaller subset is contained in a
larger one. Default N = 50,000 (encoding all 117,992 articles takes about 45 min on the shared 2-core
machine at ~45 passages/s); `--passages all` for the full collection.

Output (the layout `I3Bench ann --data DIR` and tools/ann/peers.py read):
    DIR/base.fvecs, query.fvecs, groundtruth.ivecs (exact top-100 by float64 inner product),
    metric.txt ("ip"), prepared.json (recipe, checksums, sizes, encoding seconds)
Intermediate files (task, texts, encoded parts) go to --work; the passages are encoded in parts of
--part-size, each written atomically, so an interrupted run resumes with the next part. A second run
with the same recipe does nothing.

Needs numpy (system python3), the Debian packages dict-gcide and wordnet-base and the model
(scripts/install-deps.sh). Usage:
    tools/ann/prepare_minilm_gcide.py [--out .data/ann/minilm-gcide-384-ip] [--passages 50000|all]
                                      [--name minilm-gcide-384-ip]
The full collection is kept as its own set, so the 50,000-article one stays:
    tools/ann/prepare_minilm_gcide.py --passages all --name minilm-gcide-full-384-ip
(--name is the set's name in the recipe and the default --out directory under $I3_ANN_DATA or .data/ann.)
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prepare_data import ROOT, GT_K, FORMAT_VERSION, finish, is_prepared, read_fvecs, sha256_file  # noqa: E402

SET_NAME = "minilm-gcide-384-ip"
DIM = 384
# The set being prepared (--name); the log lines and the recipe carry it.
current_set = [SET_NAME]


def log(msg):
    print(f"==> {current_set[0]}: {msg}", flush=True)


def sha256_bytes(b):
    return hashlib.sha256(b).hexdigest()


def tsv_rows(path):
    """(line number, columns) of every non-empty line of a UTF-8 TSV file."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line:
                yield n, line.split("\t")


def encoder_texts(collection_tsv):
    """`<title>. <text>` (or the text alone without a title): PassageTSV.encoderText."""
    texts = []
    for n, cols in tsv_rows(collection_tsv):
        if len(cols) == 3:
            title, text = cols[1], cols[2]
        elif len(cols) == 2:
            title, text = "", cols[1]
        else:
            raise SystemExit(f"{collection_tsv}:{n}: expected 2 or 3 tab-separated columns, got {len(cols)}")
        texts.append(f"{title}. {text}" if title else text)
    return texts


def query_texts(queries_tsv, limit):
    texts = []
    for n, cols in tsv_rows(queries_tsv):
        if len(cols) != 2:
            raise SystemExit(f"{queries_tsv}:{n}: expected id<TAB>text")
        texts.append(cols[1])
    return texts[:limit] if limit > 0 else texts


def write_jsonl(path, texts):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def embed(i3, model, texts, out_path, as_queries, threads):
    """Encodes `texts` into `out_path` (.fvecs) unless it is already there; returns seconds spent."""
    if os.path.exists(out_path):
        return 0.0
    src = out_path + ".in.jsonl"
    write_jsonl(src, texts)
    tmp = out_path + ".tmp"
    cmd = [i3, "embed", "--model", model, "--jsonl-input", "--format", "fvecs", "--threads", str(threads),
           "--queries" if as_queries else "--passages", "-o", tmp, src]
    started = time.time()
    subprocess.run(cmd, check=True)
    seconds = time.time() - started
    got = read_fvecs(tmp)
    if got.shape != (len(texts), DIM):
        raise SystemExit(f"{out_path}: i3 embed wrote {got.shape}, expected ({len(texts)}, {DIM})")
    os.replace(tmp, out_path)
    os.remove(src)
    with open(out_path + ".json", "w") as f:
        json.dump({"count": len(texts), "seconds": round(seconds, 2)}, f)
    return seconds


def part_seconds(path):
    try:
        with open(path + ".json") as f:
            return float(json.load(f)["seconds"])
    except (OSError, ValueError, KeyError):
        return 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", default=SET_NAME,
                    help=f"the data set's name: recipe and default --out (default {SET_NAME})")
    ap.add_argument("--out", default="", help="output directory (default: $I3_ANN_DATA or .data/ann, then --name)")
    ap.add_argument("--work", default=os.path.join(ROOT, ".data", "minilm-gcide"),
                    help="intermediate files (task, encoded parts); default .data/minilm-gcide")
    ap.add_argument("--passages", default="50000", help="'all' or a number of articles (default 50000)")
    ap.add_argument("--queries", type=int, default=0, help="use the first N test-split glosses (0: all 2,056)")
    ap.add_argument("--model", default=os.environ.get("I3_MODEL_DIR", os.path.join(ROOT, ".models", "all-MiniLM-L6-v2")))
    ap.add_argument("--i3", default="", help="i3 binary (default: build it with swift build -c release)")
    ap.add_argument("--threads", type=int, default=0, help="encoder threads (0: all cores)")
    ap.add_argument("--part-size", type=int, default=5000, help="passages per resumable encoding part")
    args = ap.parse_args()
    started = time.time()
    if not args.name or os.sep in args.name:
        raise SystemExit(f"--name must be a plain directory name, got {args.name!r}")
    current_set[0] = args.name
    if not args.out:
        args.out = os.path.join(os.environ.get("I3_ANN_DATA", os.path.join(ROOT, ".data", "ann")), args.name)

    weights = os.path.join(args.model, "model.safetensors")
    if not os.path.exists(weights):
        raise SystemExit(f"no model at {args.model}: run scripts/install-deps.sh (or set I3_MODEL_DIR)")
    # The recipe names everything that changes the vectors; the model is identified by its checksum.
    model_sha = sha256_file(weights)
    found = [args.i3]

    def i3():
        """The i3 binary, built only when the task or an encoding is missing (a prepared set needs none)."""
        if not found[0]:
            log("building i3 (release)")
            subprocess.run(["swift", "build", "-c", "release", "--product", "i3"], cwd=ROOT, check=True)
            bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                     capture_output=True, text=True).stdout.strip()
            found[0] = os.path.join(bin_dir, "i3")
        return found[0]

    task = os.path.join(args.work, f"task-{args.passages}")
    if not os.path.exists(os.path.join(task, "task.json")):
        log(f"building the dictionary task ({args.passages} passages) into {task}")
        subprocess.run([i3(), "data", "dictionary", "--out", task, "--passages", args.passages], check=True)
    collection = os.path.join(task, "collection.tsv")
    queries_tsv = os.path.join(task, "queries.test.tsv")
    passages = encoder_texts(collection)
    queries = query_texts(queries_tsv, args.queries)
    recipe = {"set": args.name, "model_sha256": model_sha, "passages": args.passages, "base": len(passages),
              "collection_sha256": sha256_file(collection), "queries": len(queries),
              "queries_sha256": sha256_bytes("\n".join(queries).encode()), "passage_text": "<title>. <text>",
              "query_split": "test", "gt_k": GT_K, "format_version": FORMAT_VERSION}
    if is_prepared(args.out, {"recipe": recipe}):
        log(f"already prepared in {args.out}")
        return

    # Encoded parts are keyed by the recipe's inputs, so a changed collection or model starts afresh.
    key = sha256_bytes(json.dumps([model_sha, recipe["collection_sha256"], recipe["queries_sha256"],
                                   args.part_size]).encode())[:12]
    parts_dir = os.path.join(args.work, f"parts-{key}")
    os.makedirs(parts_dir, exist_ok=True)
    q_path = os.path.join(parts_dir, "queries.fvecs")
    if not os.path.exists(q_path):
        log(f"encoding {len(queries)} queries")
        embed(i3(), args.model, queries, q_path, True, args.threads)
    part_paths = []
    for start in range(0, len(passages), args.part_size):
        p = os.path.join(parts_dir, f"passages-{start:07d}.fvecs")
        part_paths.append(p)
        if os.path.exists(p):
            continue
        chunk = passages[start:start + args.part_size]
        s = embed(i3(), args.model, chunk, p, False, args.threads)
        done = start + len(chunk)
        total = sum(part_seconds(x) for x in part_paths)
        log(f"encoded passages {done}/{len(passages)} ({len(chunk) / s:.1f}/s for this part, {total:.0f} s so far)")

    base = np.concatenate([read_fvecs(p) for p in part_paths], axis=0)
    qv = read_fvecs(q_path)
    encode_seconds = sum(part_seconds(p) for p in part_paths)
    query_seconds = part_seconds(q_path)
    norms = np.linalg.norm(base, axis=1)
    log(f"base {base.shape}, norms {norms.min():.4f}..{norms.max():.4f}; passage encoding {encode_seconds:.0f} s "
        f"({len(passages) / max(encode_seconds, 1e-9):.1f}/s), queries {query_seconds:.0f} s")
    if not np.all(np.isfinite(base)) or not np.all(np.isfinite(qv)):
        raise SystemExit("the encoder produced non-finite values")
    finish(args.out, recipe, base, qv, "ip", started)
    # Record the encoding cost next to the recipe (not part of it: a rerun must not depend on timing).
    marker_path = os.path.join(args.out, "prepared.json")
    with open(marker_path) as f:
        marker = json.load(f)
    marker["encoding"] = {"passage_seconds": round(encode_seconds, 1), "query_seconds": round(query_seconds, 1),
                          "passages_per_second": round(len(passages) / max(encode_seconds, 1e-9), 1),
                          "load_average_at_end": os.getloadavg()[0]}
    with open(marker_path + ".tmp", "w") as f:
        json.dump(marker, f, indent=2)
        f.write("\n")
    os.replace(marker_path + ".tmp", marker_path)


if __name__ == "__main__":
    main()
