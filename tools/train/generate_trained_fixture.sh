#!/usr/bin/env bash
# Regenerates Fixtures/training/tiny_trained: a model trained by `i3 train` (from the tiny I^3 fixture,
# with its head, 2 epochs on the fixture texts) plus the vectors sentence-transformers computes for it.
# Needs a venv with torch + sentence-transformers (tools/setup_reference_venv.sh st; VENV=... to choose).
# The Swift test (Tests/I3TrainingTests/SentenceTransformersFixtureTests.swift) then checks, without
# torch, that this package encodes the committed model as sentence-transformers did.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${VENV:-.venv-st}"
I3="${I3:-.build/release/i3}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import json, sys
t = json.load(open("Fixtures/encoder/i3_tiny/texts.json"))
w = sys.argv[1]
with open(f"{w}/collection.tsv", "w") as f:
    for i, p in enumerate(t["passages"]):
        if p.strip(): f.write(f"p{i}\t{p}\n")
for split, qs in [("train", range(0, 6)), ("dev", range(0, 6))]:
    with open(f"{w}/queries.{split}.tsv", "w") as f, open(f"{w}/qrels.{split}.tsv", "w") as g:
        for i in qs:
            f.write(f"q{i}\t{t['queries'][i]}\n"); g.write(f"q{i}\t0\tp{i}\t1\n")
PY
"$I3" train --data "$work" --model Fixtures/encoder/i3_tiny/st --head --head-file Fixtures/encoder/i3_tiny/head.safetensors \
  --out "$work/run" --epochs 2 --batch-size 3 --negative-pool 2 --lr 1e-3 --threads 1 --max-passage-length 48
rm -rf Fixtures/training/tiny_trained
mkdir -p Fixtures/training
cp -r "$work/run/best" Fixtures/training/tiny_trained
"$VENV/bin/python" tools/train/encode_trained_fixture.py Fixtures/training/tiny_trained Fixtures/encoder/i3_tiny/texts.json
du -sh Fixtures/training/tiny_trained
