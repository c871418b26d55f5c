#!/usr/bin/env bash
# Seeded mutation fuzzing of every reader of untrusted files (TSV, TREC queries/qrels/runs, vocabulary and
# tokenizer, safetensors + model config, shard store, flat/HNSW/IVF-PQ loaders, retriever directories).
# Usage: scripts/fuzz.sh [--executions N (default 1000000)] [--seconds S per target] [--seed S] [--target a,b]
#                        [--work DIR]
# Each input is written to a working directory before it is read: on tmpfs (/dev/shm, the default where
# it is writable) that costs microseconds, on a disk-backed overlay filesystem up to 7x the execution.
# A crash or a hang stops that target; its input is copied to runs/fuzz/crashes/ with the command that
# reproduces it (commit it under Fixtures/fuzz/ with a regression test).
set -uo pipefail
cd "$(dirname "$0")/.."
executions=1000000 seconds=1800 seed=1 targets=all work=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then work="/dev/shm/i3fuzz-$$"; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --executions) executions="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --target) targets="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
swift build -c release --product I3Fuzz >/dev/null || exit 1
bin="$(swift build -c release --show-bin-path)/I3Fuzz"
if [ "$targets" = all ]; then
  targets="tsv,queries,qrels,run,vocab,safetensors,shard,flat,hnsw,ivfpq,retriever"
fi
out=runs/fuzz
[ -n "$work" ] || work="$out"
mkdir -p "$out/crashes" "$work"
trap 'case "$work" in /dev/shm/i3fuzz-*) rm -rf "$work" ;; esac' EXIT
status=0
for t in ${targets//,/ }; do
  # A hang: no result within the time limit plus a margin.
  timeout $((seconds + 120)) "$bin" --target "$t" --executions "$executions" --seconds "$seconds" --seed "$seed" --out "$work"
  rc=$?
  if [ $rc -ne 0 ]; then
    status=1
    keep="$out/crashes/$t-seed$seed-$(date -u +%Y%m%dT%H%M%SZ).input"
    [ -f "$work/$t.current" ] && cp "$work/$t.current" "$keep"
    echo "fuzz.sh: $t exited with status $rc (124: hang); input kept in $keep" >&2
  fi
done
exit $status
