#!/usr/bin/env bash
# Browser test of the search page: serves a tiny index of Fixtures/retriever (hashed bag-of-words encoder,
# no model needed) with `i3 serve` on 127.0.0.1, opens the page in headless Chromium with a query in the
# address (the page types it into the form and submits it, as a person pressing Enter would), reads the
# rendered results back from the DOM and checks them against `i3 search` for the same query, and keeps a
# screenshot. Artefacts: runs/browser-test/{search.png,dom.html,serve.log}.
# Installs Debian's chromium when it is missing (root, or sudo). Exits 0 with "browser test: skipped (...)"
# when chromium cannot be installed, 1 when the page is wrong.
# Usage: scripts/browser-test.sh [path/to/i3]   (default .build/release/i3, else .build/debug/i3)
set -euo pipefail
cd "$(dirname "$0")/.."

i3=${1:-}
if [ -z "$i3" ]; then
  if [ -x .build/release/i3 ]; then i3=.build/release/i3; else i3=.build/debug/i3; fi
fi
[ -x "$i3" ] || { echo "browser-test.sh: no i3 binary at $i3 (swift build first)" >&2; exit 2; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "==> installing Debian chromium"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    echo "browser test: skipped (chromium could not be installed)"
    exit 0
  fi
  browser=$(command -v chromium)
fi

out=runs/browser-test
rm -rf "$out"; mkdir -p "$out"
started=$(date +%s)
"$i3" index Fixtures/retriever/collection.tsv --out "$out/index" --index flat --model hashed-bow --overwrite >"$out/index.log" 2>&1

query="pertaining to the ear"
"$i3" serve "$out/index" --port 0 --watch 0 >"$out/serve.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap cleanup EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out/serve.log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$out/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "browser-test.sh: i3 serve did not start" >&2; cat "$out/serve.log" >&2; exit 1; }

url="http://127.0.0.1:$port/?q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$query")&k=5"
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --hide-scrollbars
       --user-data-dir="$out/profile" --virtual-time-budget=15000 --window-size=1280,1000)
"$browser" "${flags[@]}" --dump-dom "$url" >"$out/dom.html" 2>"$out/chromium.log"
"$browser" "${flags[@]}" --screenshot="$out/search.png" "$url" >>"$out/chromium.log" 2>&1
rm -rf "$out/profile"

# What the page shows, against what `i3 search` prints for the same query and k.
shown=$(python3 - "$out/dom.html" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.ids = []; self.state = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body": self.state = a.get("data-state")
        if tag == "li" and a.get("class") == "hit": self.ids.append(a.get("data-id"))
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
print(p.state or "none", *p.ids)
PY
)
expected=$("$i3" search "$out/index" "$query" -k 5 | awk 'NR > 1 { print $2 }' | tr '\n' ' ' | sed 's/ $//')
if [ "$shown" != "done $expected" ]; then
  echo "browser test: FAILED: the page shows [$shown], i3 search gives [done $expected]" >&2
  exit 1
fi
[ -s "$out/search.png" ] || { echo "browser test: FAILED: no screenshot" >&2; exit 1; }
echo "browser test: ok in $(( $(date +%s) - started )) s (page results = i3 search: $expected; screenshot $out/search.png)"
