#!/usr/bin/env bash
# CI check (issue #5): regenerating the parity cases with Debian's PyTorch gives the committed bytes.
# Regenerates into a temporary directory and byte-compares with parity/cases (generate.py) and
# parity/whole-run (whole_run.py fixtures: one epoch of two models on Fashion-MNIST, about 15–30 s);
# exits 1 on any difference (a file changed, added or removed), 0 when identical, 2 when PyTorch (or
# the Fashion-MNIST files for the whole-run fixtures) is not available.
#
# Usage: bash parity/check-regenerate.sh        (works from any directory; PYTHON overrides /usr/bin/python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
CASES="$ROOT/parity/cases"
WHOLE="$ROOT/parity/whole-run"
DATA="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"

if ! "$PYTHON" -c 'import torch, numpy' 2>/dev/null; then
  echo "check-regenerate: $PYTHON cannot import torch and numpy (Debian: apt-get install python3-torch)" >&2
  exit 2
fi
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ ! -f "$DATA/$f.gz" ] && [ ! -f "$DATA/$f" ]; then
    echo "check-regenerate: Fashion-MNIST file $f(.gz) not in $DATA (Debian: dataset-fashion-mnist; or set FASHION_MNIST_DIR)" >&2
    exit 2
  fi
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$PYTHON" "$ROOT/parity/generate.py" --out "$TMP/cases"
FASHION_MNIST_DIR="$DATA" "$PYTHON" "$ROOT/parity/whole_run.py" fixtures --out "$TMP/whole-run"

status=0
# compare_dir COMMITTED FRESH: every *.safetensors in either must be in both, with the same bytes
compare_dir() {
  local committed="$1" fresh="$2" f
  while IFS= read -r f; do
    if [ ! -f "$committed/$f" ]; then echo "new file (not committed): $committed/$f"; status=1; fi
  done < <(cd "$fresh" && ls -1 -- *.safetensors)
  while IFS= read -r f; do
    if [ ! -f "$fresh/$f" ]; then echo "committed file no longer generated: $committed/$f"; status=1
    elif ! cmp -s -- "$committed/$f" "$fresh/$f"; then echo "differs: $committed/$f"; status=1; fi
  done < <(cd "$committed" && ls -1 -- *.safetensors 2>/dev/null)
}
compare_dir "$CASES" "$TMP/cases"
compare_dir "$WHOLE" "$TMP/whole-run"

if [ "$status" -ne 0 ]; then
  echo "check-regenerate: parity/cases or parity/whole-run does not match a fresh regeneration; run" >&2
  echo "  /usr/bin/python3 parity/generate.py --out parity/cases" >&2
  echo "  /usr/bin/python3 parity/whole_run.py fixtures --out parity/whole-run   and commit the result" >&2
  exit 1
fi
echo "check-regenerate: $(ls -1 "$CASES"/*.safetensors | wc -l) cases and $(ls -1 "$WHOLE"/*.safetensors | wc -l) whole-run fixtures identical to a fresh regeneration"
