#!/usr/bin/env bash
# Python environments for the encoder's tooling (never needed by the Swift tests):
#   .venv-ref  Debian python3-torch 1.13.1 (CPU, ~150 MB) + transformers 4.40.2 + sentence-transformers 2.7.0:
#              runs tools/generate_encoder_fixtures.py and tools/convert_i3_checkpoint.py
#   .venv-st   PyPI torch + sentence-transformers (about 3 GB download, 5.8 GB installed): the peer of
#              `I3Bench encode` (the Debian torch is a slower build, so it is not a fair peer)
# Usage: tools/setup_reference_venv.sh [ref|st|all]   (default: ref)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-ref}"
if [ "$what" = ref ] || [ "$what" = all ]; then
  if ! dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed"; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-torch python3-venv
  fi
  [ -x .venv-ref/bin/python ] || /usr/bin/python3 -m venv --system-site-packages .venv-ref
  .venv-ref/bin/pip install -q --disable-pip-version-check \
    "transformers==4.40.2" "sentence-transformers==2.7.0" "safetensors==0.8.0" "numpy<2" "scipy<1.14"
  echo "==> .venv-ref ready"
fi
if [ "$what" = st ] || [ "$what" = all ]; then
  [ -x .venv-st/bin/python ] || python3 -m venv .venv-st
  .venv-st/bin/pip install -q --disable-pip-version-check torch sentence-transformers
  echo "==> .venv-st ready"
fi
