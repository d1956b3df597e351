#!/usr/bin/env bash
# CI check: regenerating the parity fixtures with Debian's PyTorch gives the committed ones.
# Regenerates parity/cases (generate.py) and parity/whole-run (whole_run.py fixtures: one epoch of two
# models on Fashion-MNIST) into a temporary directory and compares them with compare_fixtures.py: what
# torch computes within the float32 tolerances of parity/tolerances.json (torch picks its BLAS and
# vector kernels by CPU, so the last bits differ between machines), everything else byte for byte —
# inputs, initial weights, the batch order, integer results, names, shapes, metadata.
# Exits 1 on any difference beyond that (a file changed, added or removed; each difference printed), 0
# when everything matches, 2 when PyTorch (or the Fashion-MNIST files) is not available.
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

# Which kernels this regeneration uses, so a difference on another machine can be traced: torch's CPU
# capability, the library torch's sgemm_ really binds to (LD_LIBRARY_PATH can swap it), OpenBLAS's core.
"$PYTHON" - <<'EOF'
import ctypes, os, re
import torch
class DlInfo(ctypes.Structure):
    _fields_ = [('fname', ctypes.c_char_p), ('fbase', ctypes.c_void_p), ('sname', ctypes.c_char_p), ('saddr', ctypes.c_void_p)]
info = DlInfo()
blas = 'unknown'
try:  # only a description of the run: it must not fail the check
    torch_cpu = ctypes.CDLL(os.path.join(os.path.dirname(torch.__file__), 'lib', 'libtorch_cpu.so'))
    if ctypes.CDLL(None).dladdr(ctypes.cast(torch_cpu.sgemm_, ctypes.c_void_p), ctypes.byref(info)):
        blas = os.path.realpath(info.fname.decode())
        lib = ctypes.CDLL(blas)
        if hasattr(lib, 'openblas_get_corename'):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            blas += f' (OpenBLAS, core {lib.openblas_get_corename().decode()})'
except (OSError, AttributeError) as err:
    blas = f'unknown ({err})'
cap = re.search(r'CPU capability usage: (\S+)', torch.__config__.show())
print(f'check-regenerate: torch {torch.__version__}, CPU capability {cap.group(1) if cap else "unknown"}, sgemm_ from {blas}')
EOF

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$PYTHON" "$ROOT/parity/generate.py" --out "$TMP/cases"
FASHION_MNIST_DIR="$DATA" "$PYTHON" "$ROOT/parity/whole_run.py" fixtures --out "$TMP/whole-run"

status=0
"$PYTHON" "$ROOT/parity/compare_fixtures.py" --tolerances "$ROOT/parity/tolerances.json" \
  --cases "$CASES" "$TMP/cases" --whole-run "$WHOLE" "$TMP/whole-run" || status=$?

if [ "$status" -ne 0 ]; then
  # any failure of the comparison is 1: 2 is kept for "PyTorch or the data is missing"
  echo "check-regenerate: parity/cases or parity/whole-run does not match a fresh regeneration (above); if" >&2
  echo "generate.py or whole_run.py changed on purpose, run" >&2
  echo "  /usr/bin/python3 parity/generate.py --out parity/cases" >&2
  echo "  /usr/bin/python3 parity/whole_run.py fixtures --out parity/whole-run   and commit the result" >&2
  exit 1
fi
echo "check-regenerate: $(ls -1 "$CASES"/*.safetensors | wc -l) cases and $(ls -1 "$WHOLE"/*.safetensors | wc -l) whole-run fixtures match a fresh regeneration"
