#!/usr/bin/env bash
# Build crates/softmax-core for wasm32-unknown-unknown (release, +simd128 from .cargo/config.toml, symbols
# stripped by the release profile) and copy it to packages/ts-api/wasm/softmax_core.wasm — and the
# threads build beside it, softmax_core_threads.wasm: the same code with +atomics, importing a shared
# memory that several threads' instances use at once (src/threads.rs says what that takes).
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

# The threads build. RUSTFLAGS replaces .cargo/config.toml's flags, so they are repeated here. std was
# compiled without atomics: --no-check-features lets it link into a shared memory (threads.rs puts a
# lock around its allocator); the stack pointer is exported so that each thread's host can give its
# instance a stack of its own.
THREADS_FLAGS="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals -C llvm-args=-disable-lsr \
  -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
  -C link-arg=--no-check-features -C link-arg=--export=__stack_pointer"
RUSTC="$RUSTC_SEL" RUSTFLAGS="$THREADS_FLAGS" "$CARGO_SEL" build -p softmax-core --target "$TARGET" --release \
  --features threads --target-dir "$ROOT/target/threads"

mkdir -p "$OUT_DIR"
copy_out() {
  local built="$1" out="$2" bytes kib
  [ -f "$built" ] || { echo "error: build finished but $built is missing" >&2; exit 1; }
  cp "$built" "$out"
  bytes=$(wc -c <"$out" | tr -d ' ')
  kib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1024 }')
  echo "wrote $out: $bytes bytes ($kib KiB)"
}
copy_out "$ROOT/target/$TARGET/release/softmax_core.wasm" "$OUT"
copy_out "$ROOT/target/threads/$TARGET/release/softmax_core.wasm" "$OUT_DIR/softmax_core_threads.wasm"
