#!/usr/bin/env bash
# Build crates/softmax-core for wasm32-unknown-unknown (release, +simd128 from .cargo/config.toml, symbols
# stripped by the release profile) and copy it to packages/ts-api/wasm/softmax_core.wasm.
#
# Usage: bash scripts/build-wasm.sh          (works from any directory)
# The compiler is chosen as the first of $RUSTC, /usr/bin/rustc, `rustc` on PATH whose sysroot has the
# wasm32-unknown-unknown target; the cargo next to it is used ($CARGO overrides).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET=wasm32-unknown-unknown
OUT_DIR="$ROOT/packages/ts-api/wasm"
OUT="$OUT_DIR/softmax_core.wasm"

has_wasm_target() {
  local rc="$1" sysroot
  [ -x "$rc" ] || rc="$(command -v "$rc" 2>/dev/null)" || return 1
  [ -n "$rc" ] || return 1
  sysroot="$("$rc" --print sysroot 2>/dev/null)" || return 1
  [ -d "$sysroot/lib/rustlib/$TARGET" ]
}

candidates=()
[ -n "${RUSTC:-}" ] && candidates+=("$RUSTC")
candidates+=(/usr/bin/rustc)
command -v rustc >/dev/null 2>&1 && candidates+=("$(command -v rustc)")

RUSTC_SEL=""
for rc in "${candidates[@]}"; do
  if has_wasm_target "$rc"; then RUSTC_SEL="$(command -v "$rc")"; break; fi
done

if [ -z "$RUSTC_SEL" ]; then
  cat >&2 <<EOF
error: no rustc with the $TARGET target was found (tried: ${candidates[*]}).
Install one of:
  Debian/Ubuntu:  apt-get install -y rustc cargo libstd-rust-dev-wasm32 lld-14
  rustup:         rustup target add $TARGET
then re-run: bash scripts/build-wasm.sh   (or set RUSTC=/path/to/rustc)
EOF
  exit 1
fi

# The cargo that belongs to that rustc: same directory first, then PATH.
if [ -n "${CARGO:-}" ]; then
  CARGO_SEL="$CARGO"
elif [ -x "$(dirname "$RUSTC_SEL")/cargo" ]; then
  CARGO_SEL="$(dirname "$RUSTC_SEL")/cargo"
else
  CARGO_SEL="$(command -v cargo)" || { echo "error: no cargo found next to $RUSTC_SEL or on PATH" >&2; exit 1; }
fi

echo "rustc: $RUSTC_SEL ($("$RUSTC_SEL" --version))"
echo "cargo: $CARGO_SEL"
cd "$ROOT"
# Make sure rustup proxies (if CARGO_SEL is one) do not swap in another compiler.
RUSTC="$RUSTC_SEL" "$CARGO_SEL" build -p softmax-core --target "$TARGET" --release

BUILT="$ROOT/target/$TARGET/release/softmax_core.wasm"
[ -f "$BUILT" ] || { echo "error: build finished but $BUILT is missing" >&2; exit 1; }
mkdir -p "$OUT_DIR"
cp "$BUILT" "$OUT"
BYTES=$(wc -c <"$OUT" | tr -d ' ')
KIB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1024 }')
echo "wrote $OUT: $BYTES bytes ($KIB KiB)"
