#!/usr/bin/env bash
# Create .venv and install requirements, again only when a requirements file changed.
# Usage: scripts/venv.sh requirements.txt | requirements-dev.txt
set -euo pipefail
cd "$(dirname "$0")/.."
req="${1:-requirements.txt}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if ! "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "painclinic needs Python 3.11 or newer ($PY is $("$PY" --version 2>&1))." >&2; exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv 2>/dev/null || {
    echo "[venv] python3-venv missing: installing it" >&2
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && "$PY" -m venv .venv; }
fi
stamp=".venv/.req-$(cat requirements.txt "$req" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "[venv] installing $req" >&2
  .venv/bin/python -m pip install -qq --upgrade pip 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install -qq -r "$req" 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c "import django, celery, matplotlib" # fail loudly when an install failed
  touch "$stamp"
fi
