#!/usr/bin/env bash
# The package as its users get it: npm pack of packages/ts-api, installed with plain npm into a fresh
# folder (what the package README's install section says), then (a) an ES module and (b) a CommonJS
# script train the notes' softmax regression for one epoch on a subset, (c) tsc type-checks a consumer
# with moduleResolution node16 and bundler (and a CommonJS one with nodenext), (d) a Vite production
# build of a page that trains in softmax-nn/worker runs in Chromium, (e) `npx softmax-nn --help` works.
# Needs the built package (scripts/setup.sh) and the npm registry. CONSUMER_KEEP=1 keeps the folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/scripts/consumer"
PKG="$ROOT/packages/ts-api"
DATA="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/softmax-nn-consumer.XXXXXX")"
[ "${CONSUMER_KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
log() { printf '\n== consumer: %s\n' "$*"; }

[ -f "$PKG/dist/index.js" ] || { echo "packages/ts-api/dist is missing: run bash scripts/setup.sh first"; exit 1; }

log "npm pack"
TARBALL="$WORK/$(cd "$PKG" && npm pack --silent --pack-destination "$WORK" | tail -n 1)"
listing="$(tar -tzf "$TARBALL")"
for f in package/README.md package/LICENSE package/dist/index.js package/dist/browser.js package/wasm/softmax_core.wasm package/wasm/softmax_core_threads.wasm; do
  grep -qx "$f" <<<"$listing" || { echo "the tarball lacks $f"; exit 1; }
done
if grep -q '^package/src/' <<<"$listing"; then echo "the tarball ships src/ (the maps embed their sources)"; exit 1; fi

log "npm install (a fresh folder, plain npm)"
mkdir -p "$WORK/app"
cd "$WORK/app"
npm init -y >/dev/null
# The README's install section: this line, with the tarball in place of the registry's version.
npm install --no-audit --no-fund "$TARBALL"
# For steps (c) and (d) only: a TypeScript compiler, Node's types and Vite.
npm install --no-audit --no-fund --save-dev typescript@5 @types/node@20 vite@7
cp "$HERE"/train.mjs "$HERE"/train.cjs "$HERE"/consumer.mts "$HERE"/consumer.cts "$HERE"/tsconfig.*.json .

log "(a) ES module: one epoch of softmax regression"
node train.mjs
log "(a) again on the plain build (SOFTMAX_THREADS=0)"
SOFTMAX_THREADS=0 node train.mjs
log "(b) CommonJS: require('softmax-nn')"
node train.cjs

log "(c) tsc: moduleResolution node16 and bundler; CommonJS require() with nodenext"
npx tsc -p tsconfig.node16.json
npx tsc -p tsconfig.bundler.json
npx tsc -p tsconfig.cjs.json

log "(e) npx softmax-nn --help"
help="$(npx --no-install softmax-nn --help)"
grep -q 'train' <<<"$help" || { echo "softmax-nn --help did not mention train:"; echo "$help"; exit 1; }

log "(d) Vite production build of a page training in softmax-nn/worker, in Chromium"
mkdir -p page/public/subset
cp "$HERE/page/index.html" "$HERE/page/main.js" "$HERE/page/vite.config.mjs" page/
# 512 training and 256 test images (raw bytes after the IDX headers: 16 for images, 8 for labels).
node -e '
  const fs = require("fs"), zlib = require("zlib");
  const [dir, out] = process.argv.slice(1);
  const take = (file, header, bytes, name) =>
    fs.writeFileSync(`${out}/${name}.bin`, zlib.gunzipSync(fs.readFileSync(`${dir}/${file}`)).subarray(header, header + bytes));
  take("train-images-idx3-ubyte.gz", 16, 512 * 784, "train-images");
  take("train-labels-idx1-ubyte.gz", 8, 512, "train-labels");
  take("t10k-images-idx3-ubyte.gz", 16, 256 * 784, "test-images");
  take("t10k-labels-idx1-ubyte.gz", 8, 256, "test-labels");
' "$DATA" page/public/subset
(cd page && npx vite build --logLevel warn)
PORT="${CONSUMER_PORT:-4873}"
# Started directly (not through npx), so that $preview is the server's own PID.
(cd page && exec node ../node_modules/vite/bin/vite.js preview --host 127.0.0.1 --port "$PORT" --strictPort) >"$WORK/preview.log" 2>&1 &
preview=$!
trap 'kill "$preview" 2>/dev/null || true; [ "${CONSUMER_KEEP:-}" = 1 ] || rm -rf "$WORK"' EXIT
node -e '
  const url = process.argv[1];
  (async () => {
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(url)).ok) return; } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    console.error(`vite preview did not answer at ${url}`);
    process.exit(1);
  })();
' "http://127.0.0.1:$PORT/" || { cat "$WORK/preview.log"; exit 1; }
node "$HERE/browser.mjs" "http://127.0.0.1:$PORT/"
log "all steps passed"
