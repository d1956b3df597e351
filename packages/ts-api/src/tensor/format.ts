// Printing a tensor as PyTorch's str(t) does (torch/_tensor_str.py with its default print options):
// precision 4, fixed or scientific notation chosen from the values, integer-valued floats as `1.`,
// columns aligned, lines wrapped at 80 characters, tensors over 1000 elements summarised with `...`.

import { numel } from './shape.js';
import type { Tensor } from './tensor.js';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/** |x| = n / 10^s exactly (x finite): a float64 is a dyadic rational, so its decimal expansion is finite. */
function exactDecimal(x: number): { n: bigint; s: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = -1074;
  if (biased !== 0) {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  if (e >= 0) return { n: mant << BigInt(e), s: 0 };
  return { n: mant * 5n ** BigInt(-e), s: -e };
}

/** n / 10^k rounded half to even, as Python's float formatting rounds. */
function roundDiv(n: bigint, k: number): bigint {
  if (k <= 0) return n * 10n ** BigInt(-k);
  const d = 10n ** BigInt(k);
  let q = n / d;
  const twice = 2n * (n % d);
  if (twice > d || (twice === d && q % 2n === 1n)) q += 1n;
  return q;
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

function sign(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** Python's `'{:.pf}'.format(x)`. */
export function formatFixed(x: number, p: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  const { n, s } = exactDecimal(x);
  const digits = roundDiv(n, s - p).toString().padStart(p + 1, '0');
  return sign(x) + (p === 0 ? digits : `${digits.slice(0, -p)}.${digits.slice(-p)}`);
}

/** Python's `'{:.pe}'.format(x)` for p ≥ 1. */
export function formatExponent(x: number, p: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  let m = 0n;
  let e10 = 0;
  if (x !== 0) {
    const { n, s } = exactDecimal(x);
    const len = n.toString().length;
    e10 = len - 1 - s;
    m = roundDiv(n, len - 1 - p);
    if (m.toString().length > p + 1) {
      m /= 10n;
      e10 += 1;
    }
  }
  const ms = m.toString().padStart(p + 1, '0');
  return `${sign(x)}${ms[0]}.${ms.slice(1)}e${e10 < 0 ? '-' : '+'}${String(Math.abs(e10)).padStart(2, '0')}`;
}

interface Formatter {
  width: number;
  format(v: number): string;
}

/** PyTorch's _Formatter over the (summarised) values: one width and one notation for every element. */
function formatter(values: ArrayLike<number>, dtype: Tensor['dtype']): Formatter {
  if (dtype !== 'float32') {
    const str = dtype === 'bool' ? (v: number): string => (v !== 0 ? 'True' : 'False') : (v: number): string => String(v);
    let width = 1;
    for (let i = 0; i < values.length; i++) width = Math.max(width, str(values[i]).length);
    return { width, format: (v) => str(v).padStart(width) };
  }
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] !== 0) finite.push(values[i]);
  let intMode = true;
  let sci = false;
  let width = 1;
  if (finite.length > 0) {
    let min = Infinity;
    let max = 0;
    for (const v of finite) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
      if (v !== Math.ceil(v)) intMode = false;
    }
    sci = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
    for (const v of finite) {
      const len = sci ? formatExponent(v, PRECISION).length : intMode ? formatFixed(v, 0).length + 1 : formatFixed(v, PRECISION).length;
      width = Math.max(width, len);
    }
  }
  const format = (v: number): string => {
    let s: string;
    if (sci) s = formatExponent(v, PRECISION);
    else if (intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, PRECISION);
    return s.padStart(width);
  };
  return { width, format };
}

/** The indices of dim `size` that are printed: all, or the edge items on each side when summarising. */
function shown(size: number, summarize: boolean): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (!summarize || size <= 2 * EDGE_ITEMS) return all;
  return [...all.slice(0, EDGE_ITEMS), ...all.slice(size - EDGE_ITEMS)];
}

/** The values PyTorch's formatter sees (get_summarized_data): the printed elements only. */
function summarizedValues(data: ArrayLike<number>, shape: readonly number[], strides: number[], summarize: boolean): number[] {
  const out: number[] = [];
  const walk = (offset: number, d: number): void => {
    if (d === shape.length) {
      out.push(data[offset]);
      return;
    }
    for (const i of shown(shape[d], summarize)) walk(offset + i * strides[d], d + 1);
  };
  walk(0, 0);
  return out;
}

function body(data: ArrayLike<number>, shape: readonly number[], strides: number[], fmt: Formatter, summarize: boolean): string {
  const ndim = shape.length;
  if (ndim === 0) return fmt.format(data[0]);
  const rec = (offset: number, d: number, indent: number): string => {
    const size = shape[d];
    const cut = summarize && size > 2 * EDGE_ITEMS;
    if (d === ndim - 1) {
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (fmt.width + 2)));
      const items = shown(size, summarize).map((i) => fmt.format(data[offset + i]));
      if (cut) items.splice(EDGE_ITEMS, 0, ' ...');
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
    }
    const slices = shown(size, summarize).map((i) => rec(offset + i * strides[d], d + 1, indent + 1));
    if (cut) slices.splice(EDGE_ITEMS, 0, '...');
    return `[${slices.join(`,${'\n'.repeat(ndim - d - 1)}${' '.repeat(indent + 1)}`)}]`;
  };
  return rec(0, 0, 'tensor('.length);
}

/** PyTorch's _add_suffixes: `, suffix` on the last line, or on a new line when it would pass 80 characters. */
function addSuffixes(text: string, suffixes: string[], indent: number): string {
  const parts = [text];
  let lastLine = text.length - text.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINE_WIDTH) {
      parts.push(`,\n${' '.repeat(indent)}${s}`);
      lastLine = indent + s.length;
    } else {
      parts.push(`, ${s}`);
      lastLine += s.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** PyTorch's node names for the ops whose node is always the same one (d2l prints them). */
const TORCH_NODES: Readonly<Record<string, string>> = {
  add: 'AddBackward0', sub: 'SubBackward0', mul: 'MulBackward0', div: 'DivBackward0', neg: 'NegBackward0',
  exp: 'ExpBackward0', log: 'LogBackward0', abs: 'AbsBackward0', relu: 'ReluBackward0', sigmoid: 'SigmoidBackward0',
  mean: 'MeanBackward0', meanDim: 'MeanBackward1', softmax: 'SoftmaxBackward0', logSoftmax: 'LogSoftmaxBackward0', linear: 'AddmmBackward0', bmm: 'BmmBackward0',
  clone: 'CloneBackward0', cat: 'CatBackward0', stack: 'StackBackward0', where: 'WhereBackward0',
  maskedFill: 'MaskedFillBackward0', cumsum: 'CumsumBackward0', sum: 'SumBackward0', sumDim: 'SumBackward1',
  select: 'SelectBackward0', unbind: 'UnbindBackward0', slice: 'SliceBackward0', narrow: 'SliceBackward0', unsqueeze: 'UnsqueezeBackward0',
  view: 'ViewBackward0', reshapeAlias: 'ReshapeAliasBackward0', unsafeView: 'UnsafeViewBackward0',
  copySlices: 'CopySlices', asStrided: 'AsStridedBackward0', indexPut: 'IndexPutBackward0',
};

/** PyTorch's name where one op always makes the same node; else `<Op>Backward` after softmax-nn's op. */
export function gradFnName(recorded: string): string {
  const op = recorded.endsWith('_') ? recorded.slice(0, -1) : recorded; // mul_ records as PyTorch's mul does
  return TORCH_NODES[op] ?? `${op[0].toUpperCase()}${op.slice(1)}Backward`;
}

/**
 * `str(t)` as PyTorch prints it. int32 plays the part of PyTorch's default integer type (int64), so like
 * it and bool it is named (`dtype=torch.int32`) only when the tensor is empty. A tensor computed by a recorded op
 * shows `grad_fn=<…>`: PyTorch's node name for the common ops, else one named after softmax-nn's op.
 */
export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return `tensor(<disposed>, size=(${t.shape.join(', ')}${t.ndim === 1 ? ',' : ''}))`;
  const suffixes: string[] = [];
  let text: string;
  if (t.numel() === 0) {
    if (t.ndim !== 1) suffixes.push(`size=(${t.shape.join(', ')}${t.ndim === 1 ? ',' : ''})`);
    if (t.dtype !== 'float32') suffixes.push(`dtype=torch.${t.dtype}`);
    text = '[]';
  } else {
    const data = t.toArray();
    const strides = t.shape.map((_, d) => numel(t.shape.slice(d + 1)));
    const summarize = t.numel() > THRESHOLD;
    const fmt = formatter(summarize ? summarizedValues(data, t.shape, strides, true) : data, t.dtype);
    text = body(data, t.shape, strides, fmt, summarize);
  }
  if (t._node !== null) suffixes.push(`grad_fn=<${gradFnName(t._node.op)}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(`tensor(${text}`, suffixes, 'tensor('.length);
}
