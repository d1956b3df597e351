#!/usr/bin/env node
// Generates softmax-core's C exports and their TypeScript binding from crates/softmax-core/abi.spec.
//
//   node scripts/gen-abi.mjs           writes the generated files (and removes stale ones)
//   node scripts/gen-abi.mjs --check   fails, listing them, when a generated file is out of date
import { readFileSync, writeFileSync, readdirSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSpec } from './gen-abi/parse.mjs';
import { rustFamily, rustMod } from './gen-abi/rust.mjs';
import { tsFamily, tsIndex, tsParams } from './gen-abi/ts.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SPEC = join(ROOT, 'crates/softmax-core/abi.spec');
const RUST_DIR = join(ROOT, 'crates/softmax-core/src/abi/generated');
const TS_DIR = join(ROOT, 'packages/ts-api/src/backend/generated');

let families;
try {
  families = parseSpec(readFileSync(SPEC, 'utf8'), relative(ROOT, SPEC));
} catch (e) {
  console.error(`gen-abi: ${e.message}`);
  process.exit(2);
}
const withCode = families.filter((f) => f.exports.some((e) => !e.manual));

/** path → content of every generated file. */
const files = new Map();
files.set(join(RUST_DIR, 'mod.rs'), rustMod(families));
files.set(join(TS_DIR, 'params.ts'), tsParams(families));
files.set(join(TS_DIR, 'index.ts'), tsIndex(families));
for (const f of withCode) {
  files.set(join(RUST_DIR, `${f.name}.rs`), rustFamily(f));
  files.set(join(TS_DIR, `${f.name.replace(/_/g, '-')}.ts`), tsFamily(f));
}

const stale = [];
for (const dir of [RUST_DIR, TS_DIR]) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) if (!files.has(join(dir, name))) stale.push(join(dir, name));
}
const changed = [...files].filter(([path, text]) => !existsSync(path) || readFileSync(path, 'utf8') !== text).map(([p]) => p);

if (process.argv.includes('--check')) {
  if (changed.length + stale.length === 0) {
    console.log(`gen-abi: ${files.size} generated files are up to date with abi.spec`);
    process.exit(0);
  }
  for (const p of changed) console.error(`out of date: ${relative(ROOT, p)}`);
  for (const p of stale) console.error(`stale (not generated from abi.spec): ${relative(ROOT, p)}`);
  console.error('gen-abi: run `node scripts/gen-abi.mjs` and commit the result');
  process.exit(1);
}
for (const p of changed) {
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, files.get(p));
  console.log(`wrote ${relative(ROOT, p)}`);
}
for (const p of stale) {
  rmSync(p);
  console.log(`removed ${relative(ROOT, p)}`);
}
