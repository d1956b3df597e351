#!/usr/bin/env bash
# Every test: installs what it needs, builds, then runs the Rust checks (fmt, clippy, tests) and the
# TypeScript ones (typecheck, Vitest: kernels in wasm, API, data, training, CLI, examples, parity),
# and the npm package as its users install it (publint, attw, the consumer test).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"

log() { printf '\n== %s\n' "$*"; }

# fmt and clippy come with a rustup toolchain; Debian's /usr/bin/cargo (used for the wasm build) has neither.
[ -d "$HOME/.cargo/bin" ] && PATH="$HOME/.cargo/bin:$PATH"
if ! cargo clippy --version >/dev/null 2>&1 || ! cargo fmt --version >/dev/null 2>&1; then
  echo "cargo clippy / cargo fmt not found: install a rustup toolchain with the clippy and rustfmt components"
  exit 1
fi

log "generated ABI files match crates/softmax-core/abi.spec"
node scripts/gen-abi.mjs --check

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy -- -D warnings"
cargo clippy --all-targets -- -D warnings
log "cargo test"
cargo test --quiet

log "typecheck (tsc --noEmit, strict): the package, the demo, the benchmark harness"
pnpm -C packages/ts-api run typecheck
pnpm -C packages/demo run typecheck
pnpm -C packages/ts-api exec tsc -p ../../bench/tsconfig.json

log "parity fixture comparator: its self-test on synthetic files (numpy only)"
"${PYTHON:-/usr/bin/python3}" parity/test_compare_fixtures.py
log "parity fixtures: a regeneration with PyTorch matches the committed ones (within the float32 tolerances)"
bash parity/check-regenerate.sh

log "vitest"
mkdir -p test-output
status=0
pnpm -C packages/ts-api exec vitest run --reporter=default --reporter=json --outputFile="$ROOT/test-output/vitest.json" || status=$?

# Node loads the threads build; pages that are not cross-origin isolated get the plain one (its own,
# unshared memory; fit's workers then copy through SharedArrayBuffers or messages): everything again on it.
log "vitest on the plain build (SOFTMAX_THREADS=0)"
SOFTMAX_THREADS=0 pnpm -C packages/ts-api exec vitest run --reporter=default --reporter=json --outputFile="$ROOT/test-output/vitest-plain.json" || status=$?

log "demo e2e (Vite dev server + headless Chromium)"
pnpm -C packages/demo exec vitest run --reporter=default --reporter=json --outputFile="$ROOT/test-output/vitest-demo.json" || status=$?

# The package as npm users get it: publint and attw on the packed tarball, then the consumer test.
log "npm package: publint, attw --pack"
package_status=0
pnpm -C packages/ts-api run lint:package || package_status=$?
log "npm package: consumer test (npm pack, plain npm install; ESM, CommonJS, tsc, Vite + Chromium, CLI)"
bash scripts/consumer-test.sh || package_status=$?
if [ "$package_status" -ne 0 ]; then
  echo "npm package checks FAILED"
  status=$package_status
fi

node -e '
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    try {
      const r = JSON.parse(require("fs").readFileSync(f, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests;
    } catch { failed += 1; console.log(`no report: ${f}`); }
  }
  console.log(`\n${passed} passed, ${failed} failed`);
' "$ROOT/test-output/vitest.json" "$ROOT/test-output/vitest-plain.json" "$ROOT/test-output/vitest-demo.json"
[ "$package_status" -eq 0 ] && echo "npm package checks passed (lint, consumer test)"
exit "$status"
