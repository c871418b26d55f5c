#!/usr/bin/env bash
# The MiniLM-on-GCIDE IVF-PQ sweep of docs/ivfpq.md ("MiniLM on GCIDE: recall against bytes per vector"):
# ours and faiss IVF-PQ on minilm-gcide-384-ip (tools/ann/prepare_minilm_gcide.py makes it; the first run
# encodes the passages, ~20 min), for every m in --m-list and re-ranking factor in --refine-list, with
# and without OPQ (--opq-m-list), one scripts/ann-bench.sh call per (index, m) that trains once and
# measures every re-ranking factor (and none); then the table.
#
# Usage: tools/ann/minilm_gcide_sweep.sh [--m-list 24,48,96,192] [--refine-list 4,10,20]
#            [--opq-m-list ""] [--nlist 1024] [--nprobe 16,64] [--runs 2] [--out DIR]
#            [--set minilm-gcide-384-ip|minilm-gcide-full-384-ip]
# (--set minilm-gcide-full-384-ip: the full collection, 117,992 articles, instead of the 50,000 subset;
#  --m-list "" runs OPQ only.)
# Output: DIR (default runs/ann/minilm-gcide-<UTC time>)/<index>-m<m>/ (ann-bench.sh output)
#         and DIR/table.md (tools/ann/minilm_gcide_table.py).
set -euo pipefail
cd "$(dirname "$0")/../.."

# OPQ is off by default (--opq-m-list 48,96 adds it, ours and faiss's in the same run).
m_list=24,48,96,192 refine_list=4,10,20 opq_m_list="" nlist=1024 nprobe=16,64 runs=2
set_name=minilm-gcide-384-ip
out="runs/ann/minilm-gcide-$(date -u +%Y%m%dT%H%M%SZ)"
while [ $# -gt 0 ]; do
  case "$1" in
    --m-list) m_list="$2"; shift 2 ;;
    --refine-list) refine_list="$2"; shift 2 ;;
    --opq-m-list) opq_m_list="$2"; shift 2 ;;
    --nlist) nlist="$2"; shift 2 ;;
    --nprobe) nprobe="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --set) set_name="$2"; shift 2 ;;
    *) echo "minilm_gcide_sweep.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
ms=(); [ -n "$m_list" ] && IFS=',' read -r -a ms <<< "$m_list"
opq_ms=(); [ -n "$opq_m_list" ] && IFS=',' read -r -a opq_ms <<< "$opq_m_list"
one() {  # one <index> <m>; a finished one (report.txt) is kept, so a rerun with --out resumes
  local dir="$out/$1-m$2"
  [ -f "$dir/report.txt" ] && { echo "==> $dir: done before, kept"; return 0; }
  scripts/ann-bench.sh --sets "$set_name" --index "$1" --reps 1 --out "$dir" -- \
    --nlist "$nlist" --pq-m "$2" --nprobe "$nprobe" --refine "1,$refine_list" --runs "$runs" --no-all-threads-build
}
for m in "${ms[@]}"; do one ivfpq "$m"; done
for m in "${opq_ms[@]}"; do one ivfpq-opq "$m"; done
python3 tools/ann/minilm_gcide_table.py "$out" | tee "$out/table.md"
