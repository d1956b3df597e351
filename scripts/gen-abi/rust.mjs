// Emits the Rust exports of one family: region / overflow / aliasing checks in the declared order, then
// the kernel call (through `with_rng` when it uses the global generator).

import { HEADER } from './common.mjs';

const KERNEL_MODULES = ['compare', 'conv', 'convert', 'cross_entropy', 'data', 'elementwise', 'fused', 'gemm', 'image', 'index', 'inflate', 'join', 'metrics', 'optim', 'optim_adaptive', 'reduce', 'rng', 'softmax', 'strided'];
const ABI_TYPE = { usize: 'usize', u32: 'u32', bool: 'u32', f32: 'f32', f64: 'f64', buffer: 'usize' };
const SLICE = { f32: 'f32s', i32: 'i32s', u32: 'u32s', u8: 'u8s' };

/** `@p` → p's position, `#b` → b's Region. */
function subst(e, expr) {
  return expr
    .replace(/@(\w+)/g, (_, n) => String(e.params.find((p) => p.name === n).pos))
    .replace(/#(\w+)/g, (_, n) => `r_${n}`);
}

function lengthExpr(e, p) {
  const l = p.length;
  if (l.expr !== undefined) return subst(e, l.expr);
  if (l.factors.length === 1) return l.factors[0];
  const blame = l.blame === null ? p.pos : e.params.find((q) => q.name === l.blame).pos;
  return l.factors.length === 2 ? `mul(${l.factors[0]}, ${l.factors[1]}, ${blame})?` : `prod(&[${l.factors.join(', ')}], ${blame})?`;
}

/** A parameter for docs: `6 a (in f32[m·k])`, `2 m (usize)`. */
export function describeParam(p, nameOf = (q) => q.name) {
  if (p.kind !== 'buffer') return `${p.pos} ${nameOf(p)} (${p.kind})`;
  const len = p.length.expr !== undefined ? p.length.expr.replace(/,\s*@\w+/g, '').replace(/[#?]/g, '') : p.length.factors.join('·');
  return `${p.pos} ${nameOf(p)} (${p.dir} ${p.elem}[${len}]${p.cond ? `, when ${p.cond}` : ''}${p.scratch ? ', scratch' : ''})`;
}

const uses = (text, name) => new RegExp(`(^|[^\\w:.])${name}\\b`).test(text);

function body(e, used) {
  const lines = [];
  const bufs = e.params.filter((p) => p.kind === 'buffer');
  const region = (p) => {
    used.add('region');
    const len = lengthExpr(e, p);
    if (/\bmul\(/.test(len)) used.add('mul');
    if (/\bprod\(/.test(len)) used.add('prod');
    const r = `region(${p.name}, ${len}, ${p.elemBytes}, ${p.pos})?`;
    if (p.cond === null) return `let r_${p.name} = ${r};`;
    used.add('Region');
    return `let r_${p.name} = if ${p.cond} {\n        ${r}\n    } else {\n        Region::empty(${p.pos})\n    };`;
  };
  const steps = e.steps ?? [...bufs.map((p) => ({ buffer: p.name })), ...e.checks.map((c) => ({ check: c }))];
  for (const s of steps) {
    if (s.buffer !== undefined) lines.push(region(bufs.find((p) => p.name === s.buffer)));
    else if (s.check !== undefined) lines.push(`${subst(e, s.check)}?;`);
    else lines.push(`let ${subst(e, s.let)};`);
  }
  const outs = bufs.filter((p) => p.dir !== 'in');
  const ins = bufs.filter((p) => p.dir === 'in');
  if (outs.length > 0 && (ins.length > 0 || outs.length > 1)) {
    used.add('no_alias');
    lines.push(`no_alias(&[${outs.map((p) => `r_${p.name}`).join(', ')}], &[${ins.map((p) => `r_${p.name}`).join(', ')}])?;`);
  }
  const slices = bufs.filter((p) => uses(e.call, p.name));
  if (slices.length > 0) {
    const acc = (p) => `r_${p.name}.${SLICE[p.elem]}${p.dir === 'in' ? '' : '_mut'}()`;
    lines.push('// SAFETY: every region is validated and no output overlaps another buffer (see `Region`).');
    if (slices.length === 1) lines.push(`let ${slices[0].name} = unsafe { ${acc(slices[0])} };`);
    else lines.push(`let (${slices.map((p) => p.name).join(', ')}) = unsafe { (${slices.map(acc).join(', ')}) };`);
  }
  for (const p of e.params) if (p.kind === 'bool' && uses(e.call, p.name)) lines.push(`let ${p.name} = ${p.name} != 0;`);
  const rng = (x) => (uses(x, 'global_rng') ? (used.add('with_rng'), `with_rng(|global_rng| ${x})`) : x);
  let call = e.call;
  if (e.ref) {
    // Both arms coerce to one fn pointer, as the hand-written exports passed their kernel.
    const path = /(\w+::\w+)\(/.exec(call)[1];
    lines.push(`let kernel = if reference { ${path}_ref } else { ${path} };`);
    call = call.replace(`${path}(`, 'kernel(');
  }
  const c = rng(call);
  if (e.try) lines.push(c);
  else lines.push(`${c};`, 'Ok(())');
  return lines.map((l) => `    ${l}`).join('\n');
}

/** Breaks `text` into lines of at most `width` characters (at spaces). */
export function wrap(text, width) {
  const lines = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur !== '' && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur === '' ? word : `${cur} ${word}`;
  }
  if (cur !== '') lines.push(cur);
  return lines;
}

function docLines(e) {
  const out = e.doc.map((d) => `/// ${d}`);
  if (out.length > 0) out.push('///');
  for (const l of wrap(`Parameters: ${e.params.map((p) => describeParam(p)).join(', ')}.`, 100)) out.push(`/// ${l}`);
  return out;
}

function exportFn(e) {
  const params = e.params.map((p) => `${p.name}: ${ABI_TYPE[p.kind]}`).join(', ');
  const args = e.params.map((p) => p.name).join(', ');
  const used = new Set(['run']);
  const b = body(e, used);
  const out = [];
  if (e.ref) {
    out.push(...docLines(e), '#[no_mangle]', `pub extern "C" fn ${e.name}(${params}) -> u32 {`, `    ${e.name}_checked(false, ${args})`, '}', '');
    out.push(`/// Scalar reference of [\`${e.name}\`]: the same parameters and checks.`, '#[no_mangle]');
    out.push(`pub extern "C" fn ${e.name}_ref(${params}) -> u32 {`, `    ${e.name}_checked(true, ${args})`, '}', '');
    out.push(`/// Checks the arguments, calls the fast or the reference kernel, returns the status.`);
    out.push(`fn ${e.name}_checked(reference: bool, ${params}) -> u32 {`, '    run(|| {', b.replace(/^/gm, '    '), '    })', '}');
  } else {
    out.push(...docLines(e), '#[no_mangle]', `pub extern "C" fn ${e.name}(${params}) -> u32 {`, '    run(|| {', b.replace(/^/gm, '    '), '    })', '}');
  }
  return { text: out.join('\n'), used };
}

/** The Rust file of one family. */
export function rustFamily(fam) {
  const fns = fam.exports.filter((e) => !e.manual).map(exportFn);
  const used = new Set(fns.flatMap((f) => [...f.used]));
  const text = fns.map((f) => f.text).join('\n\n');
  const modules = KERNEL_MODULES.filter((m) => new RegExp(`\\b${m}::`).test(text));
  const checks = new Set();
  for (const e of fam.exports) {
    for (const x of [...e.checks, e.call ?? '', ...(e.steps ?? []).map((s) => s.check ?? s.let ?? ''), ...e.params.map((p) => p.length?.expr ?? '')]) {
      for (const [, n] of x.matchAll(/(?:^|[^\w:.])([a-z_][a-z0-9_]*)\(/g)) if (!['with_rng', 'mul', 'prod', 'region'].includes(n) && !KERNEL_MODULES.includes(n)) checks.add(n);
    }
  }
  const abiItems = [...used].sort((a, b) => a.localeCompare(b, 'en', { caseFirst: 'upper' }));
  const head = [
    `// ${HEADER}`,
    `//! The exports of ${fam.doc}.`,
    '',
    ...(checks.size > 0 ? [`use crate::abi::checks::{${[...checks].sort().join(', ')}};`] : []),
    `use crate::abi::{${abiItems.join(', ')}};`,
    ...(modules.length === 1 ? [`use crate::${modules[0]};`] : modules.length > 1 ? [`use crate::{${modules.join(', ')}};`] : []),
    '',
  ];
  return `${head.join('\n')}\n${text}\n`;
}

/** src/abi/generated/mod.rs: the families, their exports re-exported. */
export function rustMod(families) {
  const names = families.filter((f) => f.exports.some((e) => !e.manual)).map((f) => f.name);
  const lines = [`// ${HEADER}`, '//! The generated exports, one module per kernel family.', ''];
  for (const n of names) lines.push(`mod ${n};`);
  lines.push('');
  for (const n of names) lines.push(`pub use self::${n}::*;`);
  return `${lines.join('\n')}\n`;
}
