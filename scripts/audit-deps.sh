#!/usr/bin/env bash
# `make audit-deps`: known vulnerabilities in the pinned dependencies (pip-audit), never a silent
# green. pip-audit prints "No known vulnerabilities found" and exits 0 even when it could audit
# nothing (offline, or an index without PyPI's JSON API: every package "could not be audited");
# this script fails then. Not part of `make test`: it needs the network and the vulnerability
# database (PyPI's or OSV's), which CI cannot always reach.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pip-audit >/dev/null 2>&1 || {
  echo "pip-audit is not installed (pipx install pip-audit): dependencies NOT audited" >&2; exit 2; }
service="${PIP_AUDIT_SERVICE:-osv}"   # osv or pypi
out="$(mktemp)"; trap 'rm -f "$out"' EXIT
set +e
pip-audit -r requirements.txt --vulnerability-service "$service" --progress-spinner off 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e
skipped=$(grep -c "could not be audited" "$out" || true)
if [ "$skipped" -gt 0 ]; then
  echo "NOT AUDITED: $skipped dependencies could not be checked against the $service database" >&2
  exit 2
fi
exit "$rc"
