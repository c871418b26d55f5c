#!/usr/bin/env bash
# Load benchmark of `i3 serve` with wrk (Debian), loopback only, bounded in time: throughput and p50/p99
# latency at 1, 8 and 64 connections, single queries by text and by vector; the same at 8 connections
# while the index is replaced every few seconds (hot reload), counting failed requests and answers from a
# mixed generation; and Retriever.search in process (I3Bench search-throughput) with the same threads, one
# query per call and 8 per call.
# Needs the release build, the MiniLM model (.models) and the dictionary data:
#   scripts/install-deps.sh && swift build -c release
# Usage: scripts/serve-bench.sh [seconds per run, default 10] [server threads, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
threads=${2:-2}
i3=.build/release/i3
bench=.build/release/I3Bench
[ -x "$i3" ] && [ -x "$bench" ] || { echo "serve-bench.sh: build first: swift build -c release" >&2; exit 2; }
command -v wrk >/dev/null || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"; $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
out=runs/serve-bench
mkdir -p "$out"

# The 10k dictionary index (A) and a second index (B: its first 2,000 passages with ids "B-...") to swap in.
# The 10,000-article dictionary task (as scripts/main.sh builds it), in the bench's own directory.
data=$out/dictionary
[ -f "$data/collection.tsv" ] || "$i3" data dictionary --out "$data" --passages 10000
[ -f runs/dict/retriever.json ] || "$i3" index "$data/collection.tsv" --out runs/dict --index hnsw
if [ ! -f runs/dict-b/retriever.json ]; then
  head -n 2000 "$data/collection.tsv" | sed 's/^/B-/' > "$out/collection-b.tsv"
  "$i3" index "$out/collection-b.tsv" --out runs/dict-b --index hnsw
fi

# Queries (dictionary test split) and their MiniLM vectors, as one JSON request body per line.
head -n 500 "$data/queries.test.tsv" | cut -f2 > "$out/queries.txt"
"$i3" embed --queries --format jsonl < "$out/queries.txt" > "$out/query-vectors.jsonl"
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
with open(f"{d}/bodies-text.txt", "w") as f:
    for q in open(f"{d}/queries.txt", encoding="utf-8").read().splitlines():
        f.write(json.dumps({"query": q, "k": 10}) + "\n")
with open(f"{d}/bodies-vector.txt", "w") as f:
    for line in open(f"{d}/query-vectors.jsonl"):
        f.write(json.dumps({"vector": json.loads(line), "k": 10}) + "\n")
PY

# wrk script: cycles through the bodies; checks every answer: 200, and all its hits from one index
# (A ids have no "B-" prefix), and each generation always from the same index.
cat > "$out/search.lua" <<'LUA'
-- Counters are globals of each wrk thread's Lua state; done() adds them up through thread:get.
local threads = {}
function setup(thread) table.insert(threads, thread) end
bodies = {}
i = 0
bad, mixed, conflicts, checked, generations = 0, 0, 0, 0, 0
kind_of = {}
function init(args)
  for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/search", {["Content-Type"] = "application/json"}, bodies[i])
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1; return end
  checked = checked + 1
  local a, b = 0, 0
  for id in string.gmatch(body, '"id":"([^"]*)"') do
    if string.sub(id, 1, 2) == "B-" then b = b + 1 else a = a + 1 end
  end
  if a > 0 and b > 0 then mixed = mixed + 1 end
  local g = string.match(body, '"generation":(%d+)')
  local k = (b > 0) and "B" or "A"
  if kind_of[g] == nil then generations = generations + 1
  elseif kind_of[g] ~= k then conflicts = conflicts + 1 end
  kind_of[g] = k
end
function done(summary, latency, requests)
  local c, n, m, x, g = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("checked"); n = n + t:get("bad"); m = m + t:get("mixed")
    x = x + t:get("conflicts"); g = g + t:get("generations")
  end
  io.write(string.format("CHECK answers=%d non200=%d mixed=%d generation_conflicts=%d generations=%d socket_errors=%d\n",
    c, n, m, x, g, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

# The server on a copy of A (the copy is what gets replaced during the reload runs).
rm -rf "$out/live" "$out/stage"; cp -r runs/dict "$out/live"
start_server() { # log-file extra-options...: starts i3 serve on live/, sets $server and $url
  local log=$1; shift
  "$i3" serve "$out/live" --port 0 --threads "$threads" "$@" > "$log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
  local port=""
  for _ in $(seq 1 600); do
    port=$(sed -n 's|.*at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -n 1); [ -n "$port" ] && break; sleep 0.1
  done
  [ -n "$port" ] || { cat "$log" >&2; exit 1; }
  url="http://127.0.0.1:$port"
}
start_server "$out/serve.log" --watch 1

run() { # name connections bodies
  local name=$1 c=$2 bodies=$3
  BODIES="$out/bodies-$bodies.txt" wrk -t1 -c"$c" -d"${secs}s" --timeout 10s --latency -s "$out/search.lua" "$url" > "$out/wrk-$name-c$c.txt" 2>&1
  local rps p50 p99 check
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk-$name-c$c.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$out/wrk-$name-c$c.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$out/wrk-$name-c$c.txt")
  check=$(grep '^CHECK' "$out/wrk-$name-c$c.txt" | sed 's/^CHECK //')
  printf "%-20s c=%-3s %9s req/s  p50 %-9s p99 %-9s %s\n" "$name" "$c" "$rps" "$p50" "$p99" "$check" | tee -a "$out/results.txt"
}

: > "$out/results.txt"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; server threads $threads; wrk -t1; ${secs}s per run" | tee -a "$out/results.txt"
BODIES="$out/bodies-text.txt" wrk -t1 -c8 -d2s -s "$out/search.lua" "$url" > /dev/null 2>&1 || true   # warm-up
for c in 1 8 64; do run by-text "$c" text; done
for c in 1 8 64; do run by-vector "$c" vector; done

# Hot reload every 3 s while searching: publish B or A into live/ by rename (as IndexBuilder publishes),
# with an admin reload and a SIGHUP in between.
reloader() {
  local n=0
  while [ -f "$out/reloading" ]; do
    sleep 3; n=$((n + 1))
    src=runs/dict; [ $((n % 2)) = 1 ] && src=runs/dict-b
    rm -rf "$out/stage"; cp -r "$src" "$out/stage"
    mv "$out/live" "$out/live.old"; mv "$out/stage" "$out/live"; rm -rf "$out/live.old"
    if [ $((n % 3)) = 0 ]; then curl -s -X POST "$url/v1/admin/reload" > /dev/null || true; fi
    if [ $((n % 4)) = 0 ]; then kill -HUP "$server"; fi
  done
  return 0
}
for kind in text vector; do
  touch "$out/reloading"; reloader & rl=$!
  secs_saved=$secs; secs=$((secs * 2))
  run "reload-by-$kind" 8 "$kind"
  secs=$secs_saved
  rm -f "$out/reloading"; wait "$rl" || true
done
echo "generation after the reload runs: $(curl -s "$url/v1/index" | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')" | tee -a "$out/results.txt"
curl -s "$url/metrics" | grep -E '^i3_index_reloads_total' | tee -a "$out/results.txt"
curl -s "$url/metrics" | grep -E '^i3_search_encode_batch_size_(count|sum)' | tee -a "$out/results.txt"   # passes and queries encoded: mean batch = sum / count

kill "$server"; wait "$server" 2>/dev/null || true; trap - EXIT

# The by-text rows again with waiting queries encoded one at a time (--encode-batch 1): what batching adds.
rm -rf "$out/live"; cp -r runs/dict "$out/live"   # the reload runs may have left B there
start_server "$out/serve-unbatched.log" --watch 0 --encode-batch 1
BODIES="$out/bodies-text.txt" wrk -t1 -c8 -d2s -s "$out/search.lua" "$url" > /dev/null 2>&1 || true   # warm-up
for c in 1 8 64; do run by-text-unbatched "$c" text; done
kill "$server"; wait "$server" 2>/dev/null || true; trap - EXIT
# In process, the same threads, the same index and queries.
"$bench" search-throughput runs/dict --queries "$out/queries.txt" --threads "$threads" --seconds "$secs" | tee -a "$out/results.txt"
"$bench" search-throughput runs/dict --queries "$out/queries.txt" --threads "$threads" --seconds "$secs" --by-vector | tee -a "$out/results.txt"
# In process with queries encoded 8 at a time (what the server's batching of waiting queries can reach).
"$bench" search-throughput runs/dict --queries "$out/queries.txt" --threads "$threads" --seconds "$secs" --batch 8 | tee -a "$out/results.txt"
echo "results: $out/results.txt"
