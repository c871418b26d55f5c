#!/usr/bin/env bash
# Issue 12's controlled comparison on the dictionary task (README, "Training"): (b) no head, (c) I^3 head
# with beta 10^-epoch, (d) head with beta 0, (e) head alone on the frozen model -- same data, seed, batch,
# steps and threads, one after another -- then exact-search evaluation of (a) MiniLM as shipped (at the
# 128 passage tokens the others train with) and (b)-(e) on the test and dev splits, paired differences
# against (a) and (b), and the out-of-domain manpages task (tools/train/manpages_task.py).
# Usage: tools/train/controlled_runs.sh [--passages 10000] [--out runs/train-s7] [train|eval|ood ...]
#        (default: all three phases). Needs the task from `i3 data dictionary --passages N`.
set -euo pipefail
cd "$(dirname "$0")/../.."
passages=10000 out=runs/train-s7 phases=()
while [ $# -gt 0 ]; do
  case "$1" in
    --passages) passages="$2"; shift 2;;
    --out) out="$2"; shift 2;;
    train|eval|ood) phases+=("$1"); shift;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
[ ${#phases[@]} -eq 0 ] && phases=(train eval ood)
swift build -c release --product i3 >/dev/null
i3="$(swift build -c release --show-bin-path)/i3"
task=.data/dictionary-$passages base=.models/all-MiniLM-L6-v2
[ -f "$task/collection.tsv" ] || "$i3" data dictionary --out "$task" --passages "$passages"
mkdir -p "$out"
lscpu | grep -m1 "Model name"

model_of() {  # prints: model directory, then the head file or nothing
  case "$1" in
    a) echo "$out/a128";;
    b) echo "$out/b/best";;
    *) echo "$out/$1/best --head $out/$1/best/i3_head.safetensors";;
  esac
}

if [[ " ${phases[*]} " == *" train "* ]]; then
  for cfg in b c d e; do
    case $cfg in b) extra=();; c) extra=(--head);; d) extra=(--head --beta 0);; e) extra=(--head --freeze-layers 6);; esac
    echo "== train $cfg $(date -u +%T)"
    /usr/bin/time -v "$i3" train --data "$task" --model "$base" --out "$out/$cfg" --epochs 1 --batch-size 16 \
      --hard-negatives 1 --threads 2 "${extra[@]}" > "$out/$cfg.log" 2>&1
    grep -E "Elapsed|Maximum resident" "$out/$cfg.log"
  done
fi

if [[ " ${phases[*]} " == *" eval "* || " ${phases[*]} " == *" ood "* ]]; then
  # (a) at 128 passage tokens: the shipped model with max_seq_length 128.
  if [ ! -f "$out/a128/model.safetensors" ]; then
    mkdir -p "$out/a128" && cp -r "$base/." "$out/a128/"
    printf '{\n  "max_seq_length": 128,\n  "do_lower_case": false\n}\n' > "$out/a128/sentence_bert_config.json"
  fi
fi

if [[ " ${phases[*]} " == *" eval "* ]]; then
  for cfg in a b c d e; do
    echo "== eval $cfg $(date -u +%T)"
    rm -rf "$out/$cfg-flat"
    # shellcheck disable=SC2046
    "$i3" index "$task/collection.tsv" --out "$out/$cfg-flat" --index flat --model $(model_of $cfg) --threads 2 >/dev/null 2>&1
    for split in test dev; do
      "$i3" eval --qrels "$task/qrels.$split.tsv" --index "$out/$cfg-flat" --queries "$task/queries.$split.tsv" \
        --depth 100 --write-run "$out/$cfg.$split.run" >/dev/null 2>&1
    done
  done
  for split in test dev; do
    runs=(); for cfg in a b c d e; do runs+=("$cfg=$out/$cfg.$split.run"); done
    python3 tools/train/paired_compare.py "$task/qrels.$split.tsv" "${runs[@]}"
    python3 tools/train/paired_compare.py "$task/qrels.$split.tsv" "${runs[@]:1}"
  done
fi

if [[ " ${phases[*]} " == *" ood "* ]]; then
  man=.data/manpages
  [ -f "$man/collection.tsv" ] || python3 tools/train/manpages_task.py --out "$man"
  runs=()
  for cfg in a b c d e; do
    echo "== ood $cfg $(date -u +%T)"
    rm -rf "$out/$cfg-man"
    # shellcheck disable=SC2046
    "$i3" index "$man/collection.tsv" --out "$out/$cfg-man" --index flat --model $(model_of $cfg) --threads 2 >/dev/null 2>&1
    "$i3" eval --qrels "$man/qrels.test.tsv" --index "$out/$cfg-man" --queries "$man/queries.test.tsv" --depth 100 \
      --write-run "$out/$cfg.man.run" >/dev/null 2>&1
    runs+=("$cfg=$out/$cfg.man.run")
  done
  python3 tools/train/paired_compare.py "$man/qrels.test.tsv" "${runs[@]}"
fi
