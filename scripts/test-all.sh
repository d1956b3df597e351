#!/usr/bin/env bash
# Every test: installs what it needs, builds, then runs the Rust checks (fmt, clippy, tests) and the
# TypeScript ones (typecheck, Vitest: kernels in wasm, API, data, training, CLI, examples, parity).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"

log() { printf '\n== %s\n' "$*"; }

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy -- -D warnings"
cargo clippy --all-targets -- -D warnings
log "cargo test"
cargo test --quiet

log "typecheck (tsc --noEmit, strict)"
pnpm -C packages/ts-api run typecheck

if [ -f parity/check-regenerate.sh ]; then
  log "parity cases: regenerating them with PyTorch gives the committed bytes"
  bash parity/check-regenerate.sh
fi

log "vitest"
mkdir -p test-output
status=0
pnpm -C packages/ts-api exec vitest run --reporter=default --reporter=json --outputFile="$ROOT/test-output/vitest.json" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`\nvitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$ROOT/test-output/vitest.json" || true
exit "$status"
