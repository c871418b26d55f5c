#!/usr/bin/env bash
# The main job: build the dictionary retrieval task (GCIDE articles, WordNet definitions as queries),
# index it with the MiniLM dual encoder, run a few example queries, print the test-split evaluation.
#
# Usage: scripts/main.sh [--full] [--passages N] [--index hnsw|ivfpq|flat] [--model DIR|hashed-bow]
#   default: a subset of 10,000 articles = every test-relevant article + hashed distractors, HNSW index.
#   --full: all 117,992 articles (about 15 times longer to encode).
# Outputs: .data/dictionary/ (task files), runs/dictionary-<index>/ (index), runs/dictionary-<index>.test.run
# Falls back to the committed fixture corpus (no Debian dictionaries) or the lexical hashed encoder
# (no model) with a warning instead of failing.
set -uo pipefail
cd "$(dirname "$0")/.."

passages=10000
index=hnsw
model=.models/all-MiniLM-L6-v2
for ((i = 1; i <= $#; i++)); do
  case "${!i}" in
    --full) passages=all ;;
    --passages) i=$((i + 1)); passages="${!i}" ;;
    --index) i=$((i + 1)); index="${!i}" ;;
    --model) i=$((i + 1)); model="${!i}" ;;
    *) echo "main.sh: unknown option ${!i}" >&2; exit 2 ;;
  esac
done

start=$(date +%s)
stamp() { echo "==> [$(( $(date +%s) - start ))s] $*"; }

stamp "installing dependencies (Debian packages, MiniLM model)"
scripts/install-deps.sh || echo "warning: scripts/install-deps.sh failed; continuing with what is installed" >&2

stamp "building i3 (release)"
swift build -c release --product i3 || { echo "main.sh: the build failed" >&2; exit 1; }
i3="$(swift build -c release --show-bin-path)/i3"

task=.data/dictionary
if [ -f /usr/share/dictd/gcide.index ] && [ -f /usr/share/wordnet/data.noun ]; then
  stamp "building the dictionary task ($passages passages) into $task"
  "$i3" data dictionary --out "$task" --passages "$passages"
  collection="$task/collection.tsv" queries="$task/queries.test.tsv" qrels="$task/qrels.test.tsv"
else
  echo "warning: dict-gcide / wordnet-base are not installed; using the small fixture corpus instead" >&2
  collection=Fixtures/retriever/collection.tsv queries=Fixtures/retriever/queries.tsv qrels=Fixtures/retriever/qrels.tsv
fi

model_args=(--model "$model")
if [[ "$model" != hashed-bow* ]] && [ ! -f "$model/model.safetensors" ]; then
  echo "warning: no model at $model; using the lexical hashed-bow encoder (not semantic)" >&2
  model_args=(--model hashed-bow:384)
fi

out=runs/dictionary-$index
mkdir -p runs
resume=()
[ -d "$out.partial" ] && resume=(--resume)
[ -f "$out/retriever.json" ] && resume+=(--reuse-vectors "$out")   # a rerun encodes only changed passages
stamp "indexing $collection -> $out ($index)"
"$i3" index "$collection" --out "$out" --index "$index" --overwrite "${resume[@]}" "${model_args[@]}" || {
  echo "main.sh: indexing failed; rerun to resume from the last completed shard" >&2; exit 1; }

stamp "example queries"
for q in "a nocturnal burrowing mammal of Africa that feeds on ants and termites" \
         "an instrument for measuring atmospheric pressure" \
         "knowledge of an event before it occurs"; do
  "$i3" search "$out" "$q" -k 3
  echo
done

stamp "evaluation on the test split"
"$i3" eval --qrels "$qrels" --index "$out" --queries "$queries" --depth 1000 --write-run "$out.test.run"
stamp "done"
