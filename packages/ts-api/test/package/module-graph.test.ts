// What package.json promises about the modules, checked on the sources: the Node entries' static
// import graphs hold no top-level await (require('softmax-nn') needs that: require(esm)), and every
// module that does something when imported is listed in "sideEffects" (else bundlers may drop it).

import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
  sideEffects: string[];
};

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

/** src/x.ts for ./dist/x.js. */
const sourceOf = (dist: string): string => join(PKG, dist.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));

/** True when `node` holds an await outside any function (a top-level await, or a for await). */
function hasTopLevelAwait(node: ts.Node): boolean {
  if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return false;
  if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) return true;
  return ts.forEachChild(node, hasTopLevelAwait) ?? false;
}

/** The module and every module it imports statically (type-only imports excluded), transitively. */
function staticGraph(entry: string): Map<string, ts.SourceFile> {
  const seen = new Map<string, ts.SourceFile>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const sf = parse(file);
    seen.set(file, sf);
    for (const st of sf.statements) {
      const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) ? st.moduleSpecifier : undefined;
      if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
      if (ts.isImportDeclaration(st) && st.importClause?.isTypeOnly) continue;
      if (ts.isExportDeclaration(st) && st.isTypeOnly) continue;
      visit(resolve(dirname(file), spec.text.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return seen;
}

/** Whether `path` (./dist/…) matches one of the sideEffects patterns (`*` within one folder). */
function listed(path: string): boolean {
  return manifest.sideEffects.some((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(path));
}

describe('package.json and the module graph', () => {
  it('the Node entries (the "node" condition) import no module with a top-level await', () => {
    const entries = Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [] : [e.node ?? e.default]));
    expect(entries).toEqual(['./dist/index.js', './dist/backend/index.js', './dist/worker/index.js']);
    for (const entry of entries) {
      const graph = staticGraph(sourceOf(entry));
      expect(graph.size, entry).toBeGreaterThan(entry.includes('worker') ? 3 : 20); // the walk followed the imports
      const withAwait = [...graph].filter(([, sf]) => sf.statements.some(hasTopLevelAwait)).map(([f]) => relative(PKG, f));
      expect(withAwait, entry).toEqual([]);
    }
  });

  it('the browser entries do await the wasm (the check above would see it)', () => {
    for (const file of ['src/browser.ts', 'src/backend/browser.ts']) {
      expect(parse(join(PKG, file)).statements.some(hasTopLevelAwait), file).toBe(true);
    }
  });

  it('every module with top-level statements that run on import is in "sideEffects", and nothing else', () => {
    const all = new Set<string>();
    for (const entry of ['./dist/index.js', './dist/browser.js', './dist/backend/browser.js', './dist/worker/index.js',
      './dist/worker/worker-entry.js', './dist/parallel/worker-entry.js', './dist/parallel/runner.js', './dist/worker/trainer.js', './dist/cli/main.js']) {
      for (const f of staticGraph(sourceOf(entry)).keys()) all.add(f);
    }
    const effectful: string[] = [];
    for (const file of all) {
      const runs = parse(file).statements.some((st) =>
        ts.isExpressionStatement(st) || ts.isIfStatement(st) || ts.isIterationStatement(st, false) || ts.isTryStatement(st)
        || (ts.isImportDeclaration(st) && st.importClause === undefined)
        || (ts.isVariableStatement(st) && hasTopLevelAwait(st)));
      if (runs) effectful.push(`./${relative(PKG, file).replace(/^src\//, 'dist/').replace(/\.ts$/, '.js')}`);
    }
    expect(effectful.length).toBeGreaterThan(5);
    for (const f of effectful) expect(listed(f), `${f} has side effects but is not in package.json "sideEffects"`).toBe(true);
    // No stale entries: each pattern matches a module that has side effects.
    for (const p of manifest.sideEffects) {
      expect(effectful.some((f) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(f)), p).toBe(true);
    }
  });
});
