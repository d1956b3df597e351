// Emits the TypeScript binding: PARAMS and the raw export signatures (params.ts), and per family the
// checked calls — Storage live / dtype / length and size / number checks, then the export.

import { HEADER } from './common.mjs';
import { describeParam, wrap } from './rust.mjs';

const DTYPE = { f32: 'float32', i32: 'int32', u32: 'int32', u8: 'uint8' };

function tsType(p) {
  if (p.kind === 'bool') return 'boolean';
  if (p.kind !== 'buffer') return 'number';
  if (p.scratch) return 'number';
  return p.cond ? 'Storage | null' : 'Storage';
}

/** The TypeScript length of buffer p, or null when the wrapper must pass it (`need`). */
function tsLength(e, p) {
  const f = p.length.factors;
  if (f === undefined) return null;
  const ts = [];
  for (const x of f) {
    if (/^\d+$/.test(x)) ts.push(x);
    else {
      const q = e.params.find((r) => r.name === x && r.kind !== 'buffer');
      if (q === undefined) return null;
      ts.push(q.ts);
    }
  }
  return { expr: ts.join(' * '), how: ts.length > 1 ? `dimsText(${ts.join(', ')})` : null };
}

function checkedCall(e) {
  const checked = e.params.filter((p) => p.kind === 'buffer' && !p.scratch);
  const needs = checked.filter((p) => tsLength(e, p) === null);
  const keys = checked.map((p) => `'${p.ts}'`).join(' | ') || 'never';
  const optsType = `CallOpts<${keys}>${needs.length > 0 ? ` & { need: { ${needs.map((p) => `${p.ts}: number`).join('; ')} } }` : ''}`;
  const params = [...(e.ref ? ['ref: boolean'] : []), ...e.params.map((p) => `${p.ts}: ${tsType(p)}`), `opts: ${optsType}${needs.length > 0 ? '' : ' = {}'}`];
  const lines = [e.ref ? `const kernel = exportName('${e.name}', ref);` : `const kernel = '${e.name}';`];
  for (const p of e.params) if (p.kind === 'usize' || p.kind === 'u32') lines.push(`checkSize(kernel, '${p.ts}', ${p.ts});`);
  for (const p of checked) {
    const len = tsLength(e, p);
    const need = len === null ? `opts.need.${p.ts}` : len.expr;
    const how = len?.how ? `opts.how?.${p.ts} ?? ${len.how}` : `opts.how?.${p.ts}`;
    const check = `checkBuf(kernel, '${p.ts}', ${p.ts}, '${DTYPE[p.elem]}', ${need}, ${how})`;
    lines.push(`const ptr${p.ts[0].toUpperCase()}${p.ts.slice(1)} = ${p.cond ? `${p.ts} === null ? 0 : ${check}` : check};`);
  }
  lines.push('opts.before?.();');
  const args = e.params.map((p) => {
    if (p.kind === 'bool') return `${p.ts} ? 1 : 0`;
    if (p.kind === 'f32' || p.kind === 'f64') return `checkNum(kernel, '${p.ts}', ${p.ts})`;
    if (p.kind === 'buffer' && !p.scratch) return `ptr${p.ts[0].toUpperCase()}${p.ts.slice(1)}`;
    return p.ts;
  });
  lines.push(`callExport(kernel, [${args.join(', ')}], opts.hint4);`);
  const doc = ['/**', ...e.doc.map((d) => ` * ${d}`), ...(e.doc.length > 0 ? [' *'] : [])];
  const about = `\`${e.name}\`${e.ref ? ' (`ref`: its `_ref` twin)' : ''}. Parameters: ${e.params.map((p) => describeParam(p, (q) => q.ts)).join(', ')}.`;
  doc.push(...wrap(about, 100).map((l) => ` * ${l}`), ' */');
  return [...doc, `export function ${e.name}(${params.join(', ')}): void {`, ...lines.map((l) => `  ${l}`), '}'].join('\n');
}

/** The checked calls of one family. */
export function tsFamily(fam) {
  const fns = fam.exports.filter((e) => !e.manual).map(checkedCall);
  const text = fns.join('\n\n');
  // call.ts's names, renamed so that no parameter (`dim`, `buf`) shadows them.
  const HELPERS = { callExport: 'call', checkBuf: 'buf', checkNum: 'num', checkSize: 'dim', dimsText: 'dims', exportName: 'exportName' };
  const helpers = Object.entries(HELPERS)
    .filter(([local]) => new RegExp(`\\b${local}\\(`).test(text))
    .map(([local, name]) => (local === name ? local : `${name} as ${local}`));
  const head = [
    `// ${HEADER}`,
    `/** Checked calls of the exports of ${fam.doc}. */`,
    `import { ${[...helpers, 'type CallOpts'].join(', ')} } from '../call.js';`,
    ...(/\bStorage\b/.test(text) ? [`import type { Storage } from '../memory.js';`] : []),
    '',
  ];
  return `${head.join('\n')}\n${text}\n`;
}

/** params.ts: parameter names for messages and the raw signatures. */
export function tsParams(families) {
  const all = families.flatMap((f) => f.exports);
  const lines = [`// ${HEADER}`, `/** The parameter lists of softmax-core's exports, from the one table of the ABI. */`, ''];
  lines.push('/** Parameter names of every export, in ABI order (the `_ref` twins have the same), for messages. */');
  lines.push('export const PARAMS: Readonly<Record<string, readonly string[]>> = {');
  for (const e of all) lines.push(`  ${e.name}: [${e.params.map((p) => `'${p.ts}'`).join(', ')}],`);
  lines.push('};', '');
  lines.push('/** The raw exports: addresses, sizes and scalars in (bools as 0 / 1), a status out. */');
  lines.push('export interface RawKernelExports {');
  for (const e of all) {
    const sig = `(${e.params.map((p) => `${p.ts}: number`).join(', ')}): number;`;
    lines.push(`  ${e.name}${sig}`);
    if (e.ref) lines.push(`  ${e.name}_ref${sig}`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function tsIndex(families) {
  const names = families.filter((f) => f.exports.some((e) => !e.manual)).map((f) => f.name);
  const lines = [`// ${HEADER}`, '/** Every checked call, by export name. */'];
  for (const n of names) lines.push(`export * from './${n.replace(/_/g, '-')}.js';`);
  return `${lines.join('\n')}\n`;
}
