#!/usr/bin/env bash
# Installs what softmax-nn needs on Debian 12 + Node 20 and builds it: apt packages (when root), pnpm,
# node modules, the wasm core and the TypeScript package. Safe to run again: it skips what is present.
#   bash scripts/setup.sh            everything the tests need (PyTorch, Chromium included)
#   bash scripts/setup.sh --minimal  only what training needs (Rust for wasm, the dataset, node modules)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '\n== %s\n' "$*"; }

APT_PACKAGES=(rustc cargo libstd-rust-dev-wasm32 lld-14 dataset-fashion-mnist)
if [ "${1:-}" != "--minimal" ]; then
  APT_PACKAGES+=(python3-torch python3-numpy libopenblas0-pthread chromium)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]}"
    echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

if ! command -v pnpm >/dev/null 2>&1; then
  log "npm install -g pnpm@9"
  npm install -g pnpm@9 >/dev/null
fi

log "pnpm install"
pnpm install --frozen-lockfile

log "build the wasm core"
bash scripts/build-wasm.sh

log "build the TypeScript package"
pnpm -C packages/ts-api run build
