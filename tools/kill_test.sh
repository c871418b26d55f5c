#!/usr/bin/env bash
# Kill test at scale: `i3 index` of N passages (default 50,000 GCIDE articles, lexical encoder so that the
# run is about the build machinery, not the model) is killed with SIGKILL at K random moments (default 50)
# and resumed each time; then the finished index must hold exactly the collection's passages (count and
# content digest, `i3 verify`), every time a build finishes, until K kills have landed. Then the same for --overwrite: an index rebuilt and killed K times must be
# the old or the new one, never neither and never a mix.
# Usage: tools/kill_test.sh [--passages N] [--kills K] [--encoder hashed-bow|<model dir>] [--seed S]
set -euo pipefail
cd "$(dirname "$0")/.."
passages=50000 kills=50 encoder=hashed-bow:128 seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --passages) passages="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    --encoder) encoder="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    *) echo "kill_test.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
RANDOM=$seed
swift build -c release --product i3 >/dev/null
i3="$(swift build -c release --show-bin-path)/i3"
work=runs/kill-test; rm -rf "$work"; mkdir -p "$work"
[ -f .data/dictionary-$passages/collection.tsv ] || "$i3" data dictionary --out .data/dictionary-$passages --passages "$passages" >/dev/null
coll=.data/dictionary-$passages/collection.tsv
out="$work/index"

# A random moment in the build: 0.05 s to the duration of an uninterrupted build.
start=$(date +%s.%N); "$i3" index "$coll" --out "$work/reference" --model "$encoder" --shard-size 2048 2>/dev/null >/dev/null
full=$(python3 -c "print(round($(date +%s.%N) - $start, 2))"); echo "==> uninterrupted build: ${full} s"
moment() { python3 -c "print(round(0.05 + ($RANDOM % 1000) * $full / 1000, 3))"; }

# Resume: builds are killed and resumed until K kills have landed in all; every build that finishes
# (possibly after several kills) must hold exactly the collection, then a fresh build starts.
killed=0 finished=0
while [ "$killed" -lt "$kills" ]; do
  resume=(); [ -d "$out.partial" ] && resume=(--resume)
  "$i3" index "$coll" --out "$out" --model "$encoder" --shard-size 2048 "${resume[@]}" 2>/dev/null >/dev/null &
  pid=$!; sleep "$(moment)"
  if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); fi
  wait $pid 2>/dev/null || true
  if [ -d "$out" ]; then
    finished=$((finished + 1))
    "$i3" verify "$out" --collection "$coll" | grep -q "^identical" || { echo "build $finished after $killed kills: not the collection"; "$i3" verify "$out" --collection "$coll"; exit 1; }
    rm -rf "$out" "$out.partial"
  fi
done
resume=(); [ -d "$out.partial" ] && resume=(--resume)
"$i3" index "$coll" --out "$out" --model "$encoder" --shard-size 2048 "${resume[@]}" 2>/dev/null >/dev/null
finished=$((finished + 1))
echo "==> $killed kills landed during resumed builds; all $finished finished builds verified:"
"$i3" verify "$out" --collection "$coll"

# Overwrite: the old index (built from the first half of the collection) or the new one, never neither.
half="$work/half.tsv"; head -n $((passages / 2)) "$coll" > "$half"
rm -rf "$out" "$out.partial"; "$i3" index "$half" --out "$out" --model "$encoder" 2>/dev/null >/dev/null
old=$("$i3" verify "$out" | sed 's/index: *//'); new=$("$i3" verify "$work/reference" | sed 's/index: *//')
ok=0
for k in $(seq 1 "$kills"); do
  "$i3" index "$coll" --out "$out" --model "$encoder" --overwrite --shard-size 2048 2>/dev/null >/dev/null &
  pid=$!; sleep "$(moment)"; kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  now=$("$i3" verify "$out" 2>&1 | sed 's/index: *//') || true
  if [ "$now" = "$old" ] || [ "$now" = "$new" ]; then ok=$((ok + 1)); else echo "kill $k: neither old nor new: $now"; fi
  rm -rf "$out.partial"
done
echo "==> overwrite killed $kills times: old or new index every time: $ok/$kills"
[ "$ok" = "$kills" ]
