#!/usr/bin/env bash
# CI check (issue #5): regenerating the parity cases with Debian's PyTorch gives the committed bytes.
# Regenerates into a temporary directory and byte-compares with parity/cases; exits 1 on any difference
# (a file changed, added or removed), 0 when identical, 2 when PyTorch is not available.
#
# Usage: bash parity/check-regenerate.sh        (works from any directory; PYTHON overrides /usr/bin/python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
CASES="$ROOT/parity/cases"

if ! "$PYTHON" -c 'import torch, numpy' 2>/dev/null; then
  echo "check-regenerate: $PYTHON cannot import torch and numpy (Debian: apt-get install python3-torch)" >&2
  exit 2
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$PYTHON" "$ROOT/parity/generate.py" --out "$TMP/cases"

status=0
while IFS= read -r f; do
  if [ ! -f "$CASES/$f" ]; then echo "new case (not committed): $f"; status=1; fi
done < <(cd "$TMP/cases" && ls -1 -- *.safetensors)
while IFS= read -r f; do
  if [ ! -f "$TMP/cases/$f" ]; then echo "committed case no longer generated: $f"; status=1
  elif ! cmp -s -- "$CASES/$f" "$TMP/cases/$f"; then echo "differs: $f"; status=1; fi
done < <(cd "$CASES" && ls -1 -- *.safetensors)

if [ "$status" -ne 0 ]; then
  echo "check-regenerate: parity/cases does not match a fresh regeneration; run" >&2
  echo "  /usr/bin/python3 parity/generate.py --out parity/cases   and commit the result" >&2
  exit 1
fi
echo "check-regenerate: $(ls -1 "$CASES"/*.safetensors | wc -l) cases identical to a fresh regeneration"
