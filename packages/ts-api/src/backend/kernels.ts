/**
 * Typed wrappers over every kernel export of softmax-core. Each wrapper checks, before calling wasm,
 * that every Storage is live, has the right dtype and is long enough for the sizes given, then turns a
 * non-zero status into a KernelError. `kernels` calls the fast (SIMD) exports, `reference` the scalar
 * `*_ref` twins (falling back to the fast export for the scalar-only kernels that have no twin: copy,
 * cast, the int32 / byte expands, the generator and the image augmentations).
 *
 * Length rules where no size is given: unary / scalar element-wise ops work on n = x.length elements
 * (y must have at least n); `fill` on y.length; `binary` on n = y.length with a.length and b.length each
 * equal to n or dividing it; `binaryRows` on rows = col.length; `sum` on x.length; the optimisers on
 * param.length; `gatherI32` on indices.length, the row gathers on rows = indices.length; `confusion` on
 * n = pred.length (target needs n, out classes × classes).
 */
import { KernelError, Status } from './errors.js';
import { buf, call, dim, dims, exportName, lengthOf, num, type CallOpts } from './call.js';
import * as abi from './generated/index.js';
import { asWords, scratchPtr, type Storage } from './memory.js';
import { wasmMemory } from './load.js';

export type Reduction = 'none' | 'mean' | 'sum';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum';
/** The unary op table of the core (`unary_f32`), in code order. */
export const UNARY_OPS = ['tanh', 'floor', 'ceil', 'round', 'reciprocal', 'rsqrt', 'log1p', 'expm1', 'sin', 'cos',
  'zeroInf', 'reciprocalOrZero'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type LogicalOp = 'and' | 'or' | 'xor';

export interface Kernels {
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       a: Storage, b: Storage, beta: number, c: Storage): void;
  softmax(x: Storage, y: Storage, outer: number, dim: number, inner: number): void;
  logSoftmax(x: Storage, y: Storage, outer: number, dim: number, inner: number): void;
  softmaxBackward(y: Storage, dy: Storage, dx: Storage, outer: number, dim: number, inner: number): void;
  logSoftmaxBackward(y: Storage, dy: Storage, dx: Storage, outer: number, dim: number, inner: number): void;
  crossEntropy(logits: Storage, labels: Storage, rows: number, classes: number, labelSmoothing: number,
               reduction: Reduction, loss: Storage): void;
  crossEntropyBackward(logits: Storage, labels: Storage, rows: number, classes: number, labelSmoothing: number,
               dloss: Storage, scale: number, grad: Storage): void;
  /**
   * Cross-entropy with class weights (`weight` empty: each class weighs 1) and an ignored label: rows
   * whose label is ignoreIndex give 0 and weigh 0, 'mean' divides by Σ weight[label].
   */
  crossEntropyWeighted(logits: Storage, labels: Storage, weight: Storage, rows: number, classes: number, ignoreIndex: number,
               labelSmoothing: number, reduction: Reduction, loss: Storage): void;
  crossEntropyWeightedBackward(logits: Storage, labels: Storage, weight: Storage, rows: number, classes: number,
               ignoreIndex: number, labelSmoothing: number, reduction: Reduction, dloss: Storage, grad: Storage): void;
  relu(x: Storage, y: Storage): void;
  reluBackward(x: Storage, dy: Storage, dx: Storage): void;
  sigmoid(x: Storage, y: Storage): void;
  sigmoidBackward(y: Storage, dy: Storage, dx: Storage): void;
  exp(x: Storage, y: Storage): void;
  log(x: Storage, y: Storage): void;
  abs(x: Storage, y: Storage): void;
  neg(x: Storage, y: Storage): void;
  sign(x: Storage, y: Storage): void;
  /** y = op(x) for an op of UNARY_OPS (zeroInf: ±inf → 0; reciprocalOrZero: 1/x, 0 where x = 0). */
  unary(op: UnaryOp, x: Storage, y: Storage): void;
  /** dx of `op` from its forward input x, output y and dy (0 for the rounding ops and the helpers). */
  unaryBackward(op: UnaryOp, x: Storage, y: Storage, dy: Storage, dx: Storage): void;
  /** y = min(max(x, lo), hi); pass ∓Infinity for a missing bound. */
  clamp(x: Storage, lo: number, hi: number, y: Storage): void;
  /** dx = dy where lo ≤ x ≤ hi, else 0. */
  clampBackward(x: Storage, dy: Storage, lo: number, hi: number, dx: Storage): void;
  /**
   * dx, dlo, dhi of clamp(x, lo, hi) with tensor bounds, all of x.length elements; a bound that is not
   * given is null, and so is its gradient.
   */
  clampTensorBackward(x: Storage, lo: Storage | null, hi: Storage | null, dy: Storage, dx: Storage, dlo: Storage | null, dhi: Storage | null): void;
  /** da, db of maximum / minimum(a, b), a, b, dy of one length: ties split half / half (PyTorch 1.13). */
  maxminBackward(op: 'maximum' | 'minimum', a: Storage, b: Storage, dy: Storage, da: Storage, db: Storage): void;
  powScalar(x: Storage, p: number, y: Storage): void;
  /** y[i] = a[i]^b[i] (a tensor exponent), a, b and y of one length. */
  powTensor(a: Storage, b: Storage, y: Storage): void;
  scale(x: Storage, alpha: number, y: Storage): void;
  addScalar(x: Storage, s: number, y: Storage): void;
  axpy(alpha: number, x: Storage, y: Storage): void;
  fill(y: Storage, value: number): void;
  binary(op: BinaryOp, a: Storage, b: Storage, y: Storage): void;
  binaryRows(op: BinaryOp, a: Storage, col: Storage, y: Storage, cols: number): void;
  biasAdd(x: Storage, bias: Storage, y: Storage, rows: number, cols: number): void;
  biasGrad(dy: Storage, db: Storage, rows: number, cols: number): void;
  sum(x: Storage): number;
  sumAxis(x: Storage, y: Storage, outer: number, dim: number, inner: number): void;
  maxAxis(x: Storage, y: Storage, outer: number, dim: number, inner: number): void;
  argmaxAxis(x: Storage, y: Storage /* int32 */, outer: number, dim: number, inner: number): void;
  minAxis(x: Storage, y: Storage, outer: number, dim: number, inner: number): void;
  argminAxis(x: Storage, y: Storage /* int32 */, outer: number, dim: number, inner: number): void;
  prodAxis(x: Storage, y: Storage, outer: number, dim: number, inner: number): void;
  /** dx[o, d, i] = Π_{j≠d} x[o, j, i] (prod's gradient, exact with zeros). */
  prodOthersAxis(x: Storage, dx: Storage, outer: number, dim: number, inner: number): void;
  /** Cumulative sum along the middle axis (from the end when `reverse`), accumulated in float64. */
  cumsumAxis(x: Storage, y: Storage, outer: number, dim: number, inner: number, reverse: boolean): void;
  /** int32 sum along the middle axis; returns how many outputs overflow int32 (those are saturated). */
  sumAxisI32(x: Storage, y: Storage, outer: number, dim: number, inner: number): number;
  /** dx = 0, then dx[o, idx[o, i], i] = g[o, i]; throws for an index outside [0, dim). */
  scatterAxis(g: Storage, idx: Storage /* int32 */, dx: Storage, outer: number, dim: number, inner: number): void;
  expand(x: Storage, y: Storage, shape: readonly number[], xStrides: readonly number[]): void;
  sumTo(dy: Storage, dx: Storage, shape: readonly number[], xStrides: readonly number[]): void;
  /** y[Σ idx·yStrides] = x[Σ idx·xStrides] over `shape`; x and y of one dtype (any); y elsewhere unchanged. */
  stridedCopy(x: Storage, y: Storage, shape: readonly number[], xStrides: readonly number[], yStrides: readonly number[]): void;
  /** y[r] = src[indices[r]] by rows of rowLen; src and y of one dtype (any), rows = indices.length. */
  gatherRows(src: Storage, rowLen: number, indices: Storage, y: Storage): void;
  /** y[indices[r]] = src[r] by rows of rowLen (a later row wins); src and y of one dtype. */
  putRows(src: Storage, rowLen: number, indices: Storage, y: Storage): void;
  /** y[indices[r]] += src[r] by rows of rowLen, float32 (repeated indices accumulate). */
  addRows(src: Storage, rowLen: number, indices: Storage, y: Storage): void;
  /** y = cond ? a : b element-wise over y.length; cond uint8, a, b and y of one dtype. */
  select(cond: Storage, a: Storage, b: Storage, y: Storage): void;
  sgdStep(param: Storage, grad: Storage, buf: Storage | null, o: { lr: number; momentum: number;
          dampening: number; weightDecay: number; nesterov: boolean; firstStep: boolean }): void;
  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, o: { lr: number; beta1: number; beta2: number;
          eps: number; weightDecay: number; step: number; decoupled: boolean }): void;
  /** gradAvg is needed only when centered, buf only when momentum > 0 (else null). */
  rmspropStep(param: Storage, grad: Storage, squareAvg: Storage, gradAvg: Storage | null, buf: Storage | null, o: { lr: number;
          alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean }): void;
  adagradStep(param: Storage, grad: Storage, sum: Storage, o: { lr: number; lrDecay: number; weightDecay: number; eps: number; step: number }): void;
  gatherU8ToF32(src: Storage, rowLen: number, indices: Storage, scale: number, y: Storage): void;
  gatherI32(src: Storage, indices: Storage, y: Storage): void;
  /**
   * One step of Flatten → Linear with cross-entropy on the uint8 images `indices` of `pixels` (fused.rs):
   * gradients into gradW / gradB (null: no bias), stats = [summed loss, correct predictions].
   */
  linearCeStepU8(pixels: Storage, targets: Storage, indices: Storage, o: { inFeatures: number; classes: number; scale: number;
    weight: Storage; bias: Storage | null; labelSmoothing: number; reduction: number; gradW: Storage; gradB: Storage | null; stats: Storage }): void;
  /** The same for Flatten → Linear → ReLU → [Dropout(p); p 0: none] → Linear (the mask from the global generator). */
  mlpCeStepU8(pixels: Storage, targets: Storage, indices: Storage, o: { inFeatures: number; hidden: number; classes: number; scale: number;
    w1: Storage; b1: Storage | null; w2: Storage; b2: Storage | null; p: number; labelSmoothing: number; reduction: number;
    gradW1: Storage; gradB1: Storage | null; gradW2: Storage; gradB2: Storage | null; stats: Storage }): void;
  gatherF32(src: Storage, rowLen: number, indices: Storage, y: Storage): void;
  // convert.rs / image.rs:
  /** y = x for x.length elements of the same dtype (any dtype). */
  copy(x: Storage, y: Storage): void;
  /**
   * y = x converted: int32 → float32 (exact below 2^24), float32 → int32 (toward zero; NaN, ±inf or a
   * value outside int32 throws status 4 naming the first), to uint8 (bool) `x != 0`, uint8 → 0 / 1;
   * same dtype = copy.
   */
  cast(x: Storage, y: Storage): void;
  /** y (uint8 0 / 1) = a op b over y.length elements, a and b both float32 or both int32, each of y's length or dividing it. */
  compare(op: CompareOp, a: Storage, b: Storage, y: Storage): void;
  /** y (uint8 0 / 1) = a op b on uint8 bools (non-zero = true), broadcast as `compare`. */
  logical(op: LogicalOp, a: Storage, b: Storage, y: Storage): void;
  /** y = a op b in int32, broadcast as `compare`; an overflowing element throws (status 4) before anything is written. */
  binaryInt(op: 'add' | 'sub' | 'mul', a: Storage, b: Storage, y: Storage): void;
  /** y[o, i] (uint8) = all / any of x[o, ·, i] (uint8) != 0. */
  allAny(op: 'all' | 'any', x: Storage, y: Storage, outer: number, dim: number, inner: number): void;
  /** Bilinear resize (PyTorch align_corners=False) of `planes` h×w images to oh×ow. */
  resizeBilinear(x: Storage, y: Storage, planes: number, h: number, w: number, oh: number, ow: number): void;
  /**
   * Each of n images (c planes of h×w) warped by its inverse map matrices[6i..6i+6]: output pixel (col, row)
   * samples x at (m0·col + m1·row + m2, m3·col + m4·row + m5), bilinearly or at the nearest pixel (ties to
   * even), `fill` (finite) standing for the pixels outside the image.
   */
  affineWarp(x: Storage, y: Storage, matrices: Storage, n: number, c: number, h: number, w: number, fill: number,
             mode: 'bilinear' | 'nearest'): void;
  // metrics.rs:
  /**
   * Confusion matrix: out[target[i] × classes + pred[i]] += 1 for i < pred.length (row = true class,
   * column = predicted, like sklearn / torchmetrics). Counts are added (zero `out` for a fresh matrix);
   * all int32. A target or prediction outside [0, classes) throws before anything is written.
   */
  confusion(pred: Storage, target: Storage, classes: number, out: Storage): void;
}

const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };
const OPS: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };

function unaryCode(k: string, op: UnaryOp): number {
  const c = (UNARY_OPS as readonly string[]).indexOf(op);
  if (c < 0) throw new KernelError(k, Status.INVALID_ARGUMENT, `op must be one of ${UNARY_OPS.join(', ')}, got ${String(op)}`);
  return c;
}

function opCode(k: string, op: BinaryOp): number {
  const c = OPS[op];
  if (c === undefined) {
    throw new KernelError(k, Status.INVALID_ARGUMENT, `op must be 'add', 'sub', 'mul', 'div', 'maximum' or 'minimum', got ${String(op)}`);
  }
  return c;
}

/** The code of `op` in `codes` (an object literal of ours), or a KernelError listing them. */
function codeOf(k: string, codes: Readonly<Record<string, number>>, op: string): number {
  const c = Object.prototype.hasOwnProperty.call(codes, op) ? codes[op] : undefined;
  if (c === undefined) {
    throw new KernelError(k, Status.INVALID_ARGUMENT, `op must be one of ${Object.keys(codes).map((o) => `'${o}'`).join(', ')}; got ${String(op)}`);
  }
  return c;
}

const COMPARE_OPS: Record<CompareOp, number> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
const LOGICAL_OPS: Record<LogicalOp, number> = { and: 0, or: 1, xor: 2 };
const INT_OPS = { add: 0, sub: 1, mul: 2 } as const;
const ALL_ANY = { all: 0, any: 1 } as const;

/**
 * Checks shape / xStrides, writes them to the scratch words the core reads, and checks that the strided
 * buffer (`name`, `length` elements) holds every element the strides reach. Returns the element count
 * of the dense side and the number of dimensions.
 */
function sameDType(k: string, a: Storage, b: Storage): void {
  if (a.dtype !== b.dtype) throw new KernelError(k, Status.INVALID_ARGUMENT, `both buffers must have one dtype, got ${a.dtype} and ${b.dtype}`);
}

/** A float32 Storage seen as int32 words (the 32-bit kernels copy bits, whatever they mean). */
function words(s: Storage): Storage {
  return s.dtype === 'float32' ? asWords(s) : s;
}

function shapeArgs(k: string, shape: readonly number[], xStrides: readonly number[], name: string, length: number): { count: number; ndim: number } {
  const ndim = shape.length;
  if (ndim > 8) throw new KernelError(k, Status.INVALID_ARGUMENT, `shape has ${ndim} dimensions, at most 8 are supported`);
  if (xStrides.length !== ndim) {
    throw new KernelError(k, Status.INVALID_ARGUMENT, `xStrides must have one entry per dimension of shape [${shape.join(', ')}], got ${xStrides.length}`);
  }
  let count = 1;
  let maxOff = 0;
  for (let d = 0; d < ndim; d++) {
    const s = dim(k, `shape[${d}]`, shape[d]);
    const st = dim(k, `xStrides[${d}]`, xStrides[d]);
    count *= s;
    maxOff += s > 0 ? (s - 1) * st : 0;
  }
  const span = count > 0 ? maxOff + 1 : 0;
  if (span > length) {
    throw new KernelError(k, Status.INVALID_ARGUMENT,
      `shape [${shape.join(', ')}] with xStrides [${xStrides.join(', ')}] reaches element ${span - 1} of ${name}, which has ${length}`);
  }
  const p = scratchPtr();
  const words = new Uint32Array(wasmMemory().buffer, p + 32, 16);
  for (let d = 0; d < ndim; d++) {
    words[d] = shape[d];
    words[8 + d] = xStrides[d];
  }
  return { count, ndim };
}

function makeKernels(ref: boolean): Kernels {
  type Unary = (ref: boolean, x: Storage, y: Storage, n: number, opts: CallOpts<'x' | 'y'>) => void;
  const unary = (f: Unary) => (x: Storage, y: Storage): void => {
    const n = lengthOf(x);
    f(ref, x, y, n, { how: { y: `x has ${n}` } });
  };
  type Scalar = (ref: boolean, x: Storage, s: number, y: Storage, n: number, opts: CallOpts<'x' | 'y'>) => void;
  const scalarOp = (f: Scalar) => (x: Storage, s: number, y: Storage): void => {
    const n = lengthOf(x);
    f(ref, x, s, y, n, { how: { y: `x has ${n}` } });
  };
  const labelHint = (classes: number) => (i: number, v: number): string =>
    `label ${v} at index ${i} is outside [0, ${classes})`;
  const indexHint = (rowsInSrc: number | null) => (i: number, v: number): string =>
    rowsInSrc === null
      ? `index ${v} at position ${i} is negative`
      : `index ${v} at position ${i} is outside [0, ${rowsInSrc}) (the rows of src)`;
  /** Which of pred / target holds the bad value reported at position i (the core checks target first). */
  const confusionHint = (target: Storage, classes: number) => (i: number, v: number): string => {
    const t = target.i32()[i];
    const which = t === v && !(t >= 0 && t < classes) ? 'target' : 'pred';
    return `${which} class ${v} at index ${i} is outside [0, ${classes})`;
  };
  const smoothing = (k: string, e: number): number => {
    if (typeof e !== 'number' || !(e >= 0 && e <= 1)) {
      throw new KernelError(k, Status.INVALID_ARGUMENT, `labelSmoothing must be in [0, 1], got ${String(e)}`);
    }
    return e;
  };
  const reduceDim = (k: string, d: number, outer: number, inner: number): void => {
    if (d === 0 && outer * inner > 0) {
      throw new KernelError(k, Status.INVALID_ARGUMENT, `cannot reduce over an empty dimension (dim = 0, outer = ${outer}, inner = ${inner})`);
    }
  };
  const nm = (base: string): string => exportName(base, ref);
  /** Lengths of a modulo-broadcast pair: each equals y's n or divides it. */
  const pairCheck = (k: string, a: Storage, b: Storage, n: number) => (): void => {
    for (const [name, s] of [['a', a], ['b', b]] as const) {
      if (s.length !== n && (s.length === 0 || n % s.length !== 0)) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `${name} has ${s.length} elements, which neither equals nor divides y's ${n}`);
      }
    }
  };

  const ks: Kernels = {
    gemm(transA, transB, m, n, k, alpha, a, b, beta, c) {
      const how = { A: transA ? dims(k, m) : dims(m, k), B: transB ? dims(n, k) : dims(k, n) };
      abi.gemm_f32(ref, transA, transB, m, n, k, alpha, a, b, beta, c, { how });
    },
    softmax: (x, y, outer, d, inner) => abi.softmax_f32(ref, x, y, outer, d, inner),
    logSoftmax: (x, y, outer, d, inner) => abi.log_softmax_f32(ref, x, y, outer, d, inner),
    softmaxBackward: (y, dy, dx, outer, d, inner) => abi.softmax_backward_f32(ref, y, dy, dx, outer, d, inner),
    logSoftmaxBackward: (y, dy, dx, outer, d, inner) => abi.log_softmax_backward_f32(ref, y, dy, dx, outer, d, inner),
    crossEntropy(logits, labels, rows, classes, labelSmoothing, reduction, loss) {
      const k = nm('cross_entropy_f32');
      const red = REDUCTION[reduction];
      if (red === undefined) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `reduction must be 'none', 'mean' or 'sum', got ${String(reduction)}`);
      }
      const how = { labels: 'one per row', loss: red === 0 ? "one per row for reduction 'none'" : `reduction '${reduction}'` };
      abi.cross_entropy_f32(ref, logits, labels, rows, classes, smoothing(k, labelSmoothing), red, loss, {
        need: { loss: red === 0 ? rows : 1 }, how, hint4: labelHint(classes),
      });
    },
    crossEntropyBackward(logits, labels, rows, classes, labelSmoothing, dloss, scale, grad) {
      const k = nm('cross_entropy_backward_f32');
      const dlen = dloss instanceof Object && dloss.length === 1 ? 1 : rows;
      const how = { labels: 'one per row', dloss: dlen === 1 ? undefined : 'one per row, or 1 for a reduced loss' };
      abi.cross_entropy_backward_f32(ref, logits, labels, rows, classes, smoothing(k, labelSmoothing), dloss, dlen, scale, grad, {
        how, hint4: labelHint(classes),
      });
    },
    crossEntropyWeighted(logits, labels, weight, rows, classes, ignoreIndex, labelSmoothing, reduction, loss) {
      const k = nm('cross_entropy_weighted_f32');
      const red = REDUCTION[reduction];
      if (red === undefined) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `reduction must be 'none', 'mean' or 'sum', got ${String(reduction)}`);
      }
      const how = { labels: 'one per row', weight: 'one per class, or none', loss: red === 0 ? "one per row for reduction 'none'" : `reduction '${reduction}'` };
      abi.cross_entropy_weighted_f32(ref, logits, labels, weight, weight.length, rows, classes, ignoreIndex, smoothing(k, labelSmoothing), red, loss, {
        need: { loss: red === 0 ? rows : 1 }, how, hint4: labelHint(classes),
      });
    },
    crossEntropyWeightedBackward(logits, labels, weight, rows, classes, ignoreIndex, labelSmoothing, reduction, dloss, grad) {
      const k = nm('cross_entropy_weighted_backward_f32');
      const red = REDUCTION[reduction];
      if (red === undefined) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `reduction must be 'none', 'mean' or 'sum', got ${String(reduction)}`);
      }
      const dlen = red === 0 ? rows : 1;
      const how = { labels: 'one per row', weight: 'one per class, or none', dloss: red === 0 ? "one per row for reduction 'none'" : undefined };
      abi.cross_entropy_weighted_backward_f32(ref, logits, labels, weight, weight.length, rows, classes, ignoreIndex, smoothing(k, labelSmoothing), red,
        dloss, dlen, grad, { how, hint4: labelHint(classes) });
    },
    relu: unary(abi.relu_f32),
    reluBackward(x, dy, dx) {
      const n = lengthOf(x);
      abi.relu_backward_f32(ref, x, dy, dx, n, { how: { dy: `x has ${n}`, dx: `x has ${n}` } });
    },
    sigmoid: unary(abi.sigmoid_f32),
    sigmoidBackward(y, dy, dx) {
      const n = lengthOf(y);
      abi.sigmoid_backward_f32(ref, y, dy, dx, n, { how: { dy: `y has ${n}`, dx: `y has ${n}` } });
    },
    exp: unary(abi.exp_f32),
    log: unary(abi.log_f32),
    abs: unary(abi.abs_f32),
    neg: unary(abi.neg_f32),
    sign: unary(abi.sign_f32),
    unary(op, x, y) {
      const n = lengthOf(x);
      abi.unary_f32(ref, unaryCode(nm('unary_f32'), op), x, y, n, { how: { y: `x has ${n}` } });
    },
    unaryBackward(op, x, y, dy, dx) {
      const n = lengthOf(x);
      const how = `x has ${n}`;
      abi.unary_backward_f32(ref, unaryCode(nm('unary_backward_f32'), op), x, y, dy, dx, n, { how: { y: how, dy: how, dx: how } });
    },
    clamp(x, lo, hi, y) {
      const n = lengthOf(x);
      abi.clamp_f32(ref, x, lo, hi, y, n, { how: { y: `x has ${n}` } });
    },
    clampBackward(x, dy, lo, hi, dx) {
      const n = lengthOf(x);
      abi.clamp_backward_f32(ref, x, dy, lo, hi, dx, n, { how: { dy: `x has ${n}`, dx: `x has ${n}` } });
    },
    clampTensorBackward(x, lo, hi, dy, dx, dlo, dhi) {
      const k = nm('clamp_tensor_backward_f32');
      if ((lo === null) !== (dlo === null) || (hi === null) !== (dhi === null)) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, 'a bound and its gradient must both be given or both be null');
      }
      const n = lengthOf(x);
      const how = `x has ${n}`;
      abi.clamp_tensor_backward_f32(ref, x, lo, hi, dy, dx, dlo, dhi, n, lo !== null, hi !== null, {
        how: { lo: how, hi: how, dy: how, dx: how, dlo: how, dhi: how },
      });
    },
    maxminBackward(op, a, b, dy, da, db) {
      const k = nm('maxmin_backward_f32');
      if (op !== 'maximum' && op !== 'minimum') {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `op must be 'maximum' or 'minimum', got ${String(op)}`);
      }
      const n = lengthOf(a);
      const how = `a has ${n}`;
      abi.maxmin_backward_f32(ref, OPS[op], a, b, dy, da, db, n, { how: { b: how, dy: how, da: how, db: how } });
    },
    powScalar: scalarOp(abi.pow_scalar_f32),
    powTensor(a, b, y) {
      const n = lengthOf(y);
      abi.pow_tensor_f32(a, b, y, n, { how: { a: `y has ${n}`, b: `y has ${n}` } });
    },
    scale: scalarOp(abi.scale_f32),
    addScalar: scalarOp(abi.add_scalar_f32),
    axpy(alpha, x, y) {
      const n = lengthOf(x);
      abi.axpy_f32(ref, alpha, x, y, n, { how: { y: `x has ${n}` } });
    },
    fill: (y, value) => abi.fill_f32(ref, y, value, lengthOf(y)),
    binary(op, a, b, y) {
      const k = nm('binary_f32');
      const n = lengthOf(y);
      const before = (): void => {
        for (const [name, s] of [['a', a], ['b', b]] as const) {
          if (s.length !== n && (s.length === 0 || n % s.length !== 0)) {
            throw new KernelError(k, Status.INVALID_ARGUMENT, `${name} has ${s.length} floats, which neither equals nor divides y's ${n}`);
          }
        }
      };
      abi.binary_f32(ref, opCode(k, op), a, lengthOf(a), b, lengthOf(b), y, n, { before });
    },
    binaryRows(op, a, col, y, cols) {
      const k = nm('binary_rows_f32');
      const rows = lengthOf(col);
      const how = `${dims(rows, cols)}: one row per element of col`;
      abi.binary_rows_f32(ref, opCode(k, op), a, col, y, rows, cols, { how: { a: how, y: how } });
    },
    biasAdd: (x, bias, y, rows, cols) => abi.bias_add_f32(ref, x, bias, y, rows, cols),
    biasGrad: (dy, db, rows, cols) => abi.bias_grad_f32(ref, dy, db, rows, cols),
    sum(x) {
      const out = scratchPtr() + 16;
      abi.sum_f32(ref, x, lengthOf(x), out);
      return new Float32Array(wasmMemory().buffer, out, 1)[0];
    },
    sumAxis: (x, y, outer, d, inner) => abi.sum_axis_f32(ref, x, y, outer, d, inner),
    maxAxis(x, y, outer, d, inner) {
      reduceDim(nm('max_axis_f32'), d, outer, inner);
      abi.max_axis_f32(ref, x, y, outer, d, inner);
    },
    argmaxAxis(x, y, outer, d, inner) {
      reduceDim(nm('argmax_axis_f32'), d, outer, inner);
      abi.argmax_axis_f32(ref, x, y, outer, d, inner);
    },
    minAxis(x, y, outer, d, inner) {
      reduceDim(nm('min_axis_f32'), d, outer, inner);
      abi.min_axis_f32(ref, x, y, outer, d, inner);
    },
    argminAxis(x, y, outer, d, inner) {
      reduceDim(nm('argmin_axis_f32'), d, outer, inner);
      abi.argmin_axis_f32(ref, x, y, outer, d, inner);
    },
    prodAxis: (x, y, outer, d, inner) => abi.prod_axis_f32(ref, x, y, outer, d, inner),
    prodOthersAxis: (x, dx, outer, d, inner) => abi.prod_others_axis_f32(ref, x, dx, outer, d, inner),
    cumsumAxis: (x, y, outer, d, inner, reverse) => abi.cumsum_axis_f32(ref, x, y, outer, d, inner, reverse),
    sumAxisI32(x, y, outer, d, inner) {
      const out = scratchPtr() + 16;
      abi.sum_axis_i32(ref, x, y, outer, d, inner, out);
      return new Uint32Array(wasmMemory().buffer, out, 1)[0];
    },
    scatterAxis(g, idx, dx, outer, d, inner) {
      abi.scatter_axis_f32(ref, g, idx, dx, outer, d, inner, {
        hint4: (i: number, v: number): string => `index ${v} at position ${i} is outside [0, ${d})`,
      });
    },
    expand(x, y, shape, xStrides) {
      const dtype = x instanceof Object ? x.dtype : 'float32';
      const k = dtype === 'int32' ? 'expand_u32' : dtype === 'uint8' ? 'expand_u8' : nm('expand_f32');
      buf(k, 'x', x, dtype, 0);
      const { count, ndim } = shapeArgs(k, shape, xStrides, 'x', x.length);
      const p = scratchPtr();
      const opts = { need: { y: count }, how: { y: `shape [${shape.join(', ')}]` } };
      if (dtype === 'int32') abi.expand_u32(x, x.length, y, p + 32, p + 64, ndim, opts);
      else if (dtype === 'uint8') abi.expand_u8(x, x.length, y, p + 32, p + 64, ndim, opts);
      else abi.expand_f32(ref, x, x.length, y, p + 32, p + 64, ndim, opts);
    },
    sumTo(dy, dx, shape, xStrides) {
      const k = nm('sum_to_f32');
      buf(k, 'dx', dx, 'float32', 0);
      const { count, ndim } = shapeArgs(k, shape, xStrides, 'dx', dx.length);
      const p = scratchPtr();
      abi.sum_to_f32(ref, dy, dx, dx.length, p + 32, p + 64, ndim, { need: { dy: count }, how: { dy: `shape [${shape.join(', ')}]` } });
    },
    stridedCopy(x, y, shape, xStrides, yStrides) {
      const k = nm(x.dtype === 'uint8' ? 'strided_copy_u8' : 'strided_copy_u32');
      const px = buf(k, 'x', x, x.dtype, 0);
      const py = buf(k, 'y', y, x.dtype, 0, `x is ${x.dtype}`);
      const { ndim } = shapeArgs(k, shape, xStrides, 'x', x.length);
      shapeArgs(k, shape, yStrides, 'y', y.length);
      const p = scratchPtr();
      const words = new Uint32Array(wasmMemory().buffer, p + 32, 24);
      for (let d = 0; d < ndim; d++) {
        words[8 + d] = xStrides[d];
        words[16 + d] = yStrides[d];
      }
      call(k, [px, x.length, py, y.length, p + 32, p + 64, p + 96, ndim]);
    },
    gatherRows(src, rowLen, indices, y) {
      const rows = lengthOf(indices);
      const srcRows = rowLen === 0 ? null : Math.floor(lengthOf(src) / rowLen);
      const how = { y: `${dims(rows, rowLen)}: one row per index` };
      sameDType('gather_rows', src, y);
      if (src.dtype === 'uint8') abi.gather_rows_u8(ref, src, lengthOf(src), rowLen, indices, rows, y, { how, hint4: indexHint(srcRows) });
      else abi.gather_rows_u32(ref, words(src), lengthOf(src), rowLen, indices, rows, words(y), { how, hint4: indexHint(srcRows) });
    },
    putRows(src, rowLen, indices, y) {
      const rows = lengthOf(indices);
      const yRows = rowLen === 0 ? null : Math.floor(lengthOf(y) / rowLen);
      const how = { src: `${dims(rows, rowLen)}: one row per index` };
      sameDType('put_rows', src, y);
      if (src.dtype === 'uint8') abi.put_rows_u8(ref, src, rowLen, indices, rows, y, lengthOf(y), { how, hint4: indexHint(yRows) });
      else abi.put_rows_u32(ref, words(src), rowLen, indices, rows, words(y), lengthOf(y), { how, hint4: indexHint(yRows) });
    },
    addRows(src, rowLen, indices, y) {
      const rows = lengthOf(indices);
      const yRows = rowLen === 0 ? null : Math.floor(lengthOf(y) / rowLen);
      abi.add_rows_f32(ref, src, rowLen, indices, rows, y, lengthOf(y), { how: { src: `${dims(rows, rowLen)}: one row per index` }, hint4: indexHint(yRows) });
    },
    select(cond, a, b, y) {
      const n = lengthOf(y);
      const how = { cond: `y has ${n}`, a: `y has ${n}`, b: `y has ${n}` };
      sameDType('select', a, y);
      sameDType('select', b, y);
      if (y.dtype === 'uint8') abi.select_u8(ref, cond, a, b, y, n, { how });
      else abi.select_u32(ref, cond, words(a), words(b), words(y), n, { how });
    },
    sgdStep(param, grad, b, o) {
      const k = nm('sgd_step_f32');
      const n = lengthOf(param);
      const momentum = num(k, 'momentum', o.momentum);
      const before = (): void => {
        if (momentum !== 0 && b === null) {
          throw new KernelError(k, Status.NULL_POINTER, `momentum ${o.momentum} needs a momentum buffer of ${n} floats, got null`);
        }
      };
      abi.sgd_step_f32(ref, param, grad, momentum !== 0 ? b : null, n, o.lr, momentum, o.dampening, o.weightDecay, o.nesterov, o.firstStep, {
        how: { grad: `param has ${n}`, buf: `param has ${n}` }, before,
      });
    },
    adamStep(param, grad, m, v, o) {
      const k = nm('adam_step_f32');
      const n = lengthOf(param);
      const how = `param has ${n}`;
      const before = (): void => {
        if (o.step < 1) throw new KernelError(k, Status.INVALID_ARGUMENT, 'step counts from 1, got 0');
      };
      abi.adam_step_f32(ref, param, grad, m, v, n, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.step, o.decoupled, {
        how: { grad: how, m: how, v: how }, before,
      });
    },
    rmspropStep(param, grad, squareAvg, gradAvg, b, o) {
      const k = nm('rmsprop_step_f32');
      const n = lengthOf(param);
      const how = `param has ${n}`;
      const before = (): void => {
        if (o.centered && gradAvg === null) throw new KernelError(k, Status.NULL_POINTER, `centered needs a gradient average buffer of ${n} floats, got null`);
        if (o.momentum > 0 && b === null) throw new KernelError(k, Status.NULL_POINTER, `momentum ${o.momentum} needs a momentum buffer of ${n} floats, got null`);
      };
      abi.rmsprop_step_f32(ref, param, grad, squareAvg, o.centered ? gradAvg : null, o.momentum > 0 ? b : null, n, o.lr, o.alpha, o.eps,
        o.weightDecay, o.momentum, o.centered, { how: { grad: how, squareAvg: how, gradAvg: how, buf: how }, before });
    },
    adagradStep(param, grad, sum, o) {
      const k = nm('adagrad_step_f32');
      const n = lengthOf(param);
      const how = `param has ${n}`;
      const before = (): void => {
        if (o.step < 1) throw new KernelError(k, Status.INVALID_ARGUMENT, 'step counts from 1, got 0');
      };
      abi.adagrad_step_f32(ref, param, grad, sum, n, o.lr, o.lrDecay, o.weightDecay, o.eps, o.step, { how: { grad: how, sum: how }, before });
    },
    gatherU8ToF32(src, rowLen, indices, scale, y) {
      const rows = lengthOf(indices);
      const srcRows = rowLen === 0 ? null : Math.floor(lengthOf(src) / rowLen);
      abi.gather_u8_to_f32(ref, src, lengthOf(src), rowLen, indices, rows, scale, y, {
        how: { y: `${dims(rows, rowLen)}: one row per index` }, hint4: indexHint(srcRows),
      });
    },
    linearCeStepU8(pixels, targets, indices, o) {
      const hasBias = o.bias !== null && o.gradB !== null;
      abi.linear_ce_step_u8_f32(ref, pixels, lengthOf(pixels), targets, lengthOf(targets), indices, lengthOf(indices), o.inFeatures, o.classes,
        o.scale, o.weight, hasBias ? o.bias : null, hasBias, o.labelSmoothing, o.reduction, o.gradW, hasBias ? o.gradB : null, o.stats);
    },
    mlpCeStepU8(pixels, targets, indices, o) {
      const has1 = o.b1 !== null && o.gradB1 !== null;
      const has2 = o.b2 !== null && o.gradB2 !== null;
      abi.mlp_ce_step_u8_f32(ref, pixels, lengthOf(pixels), targets, lengthOf(targets), indices, lengthOf(indices), o.inFeatures, o.hidden,
        o.classes, o.scale, o.w1, has1 ? o.b1 : null, has1, o.w2, has2 ? o.b2 : null, has2, o.p, o.labelSmoothing, o.reduction, o.gradW1,
        has1 ? o.gradB1 : null, o.gradW2, has2 ? o.gradB2 : null, o.stats);
    },
    gatherI32(src, indices, y) {
      const n = lengthOf(indices);
      abi.gather_i32(ref, src, lengthOf(src), indices, n, y, { how: { y: 'one per index' }, hint4: indexHint(lengthOf(src)) });
    },
    gatherF32(src, rowLen, indices, y) {
      const rows = lengthOf(indices);
      const srcRows = rowLen === 0 ? null : Math.floor(lengthOf(src) / rowLen);
      abi.gather_f32(ref, src, lengthOf(src), rowLen, indices, rows, y, {
        how: { y: `${dims(rows, rowLen)}: one row per index` }, hint4: indexHint(srcRows),
      });
    },
    copy(x, y) {
      // The dtype is the caller's (float32 or int32 words alike; uint8 is a memmove): checked here.
      const k = x.dtype === 'uint8' ? 'copy_u8' : 'copy_u32';
      const px = buf(k, 'x', x, x.dtype, 0);
      const n = x.length;
      const py = buf(k, 'y', y, x.dtype, n, `x has ${n}`);
      if (x.dtype === 'uint8') {
        // Bytes: a memmove inside the wasm memory (no kernel needed).
        if (n > 0 && px !== py) new Uint8Array(wasmMemory().buffer).copyWithin(py, px, px + n);
        return;
      }
      call(k, [px, py, n]);
    },
    cast(x, y) {
      if (x.dtype === y.dtype) {
        ks.copy(x, y);
        return;
      }
      const n = lengthOf(x);
      const how = { y: `x has ${n}` };
      const pair = `${x.dtype}>${y.dtype}`;
      if (pair === 'int32>float32') abi.cast_i32_to_f32(x, y, n, { how });
      else if (pair === 'float32>int32') {
        const hint4 = (i: number): string => `float32 value ${x.f32()[i]} at index ${i} cannot be represented as int32 (it must be finite and truncate into [-2147483648, 2147483647])`;
        abi.cast_f32_to_i32(x, y, n, { how, hint4 });
      } else if (pair === 'float32>uint8') abi.cast_f32_to_u8(x, y, n, { how });
      else if (pair === 'int32>uint8') abi.cast_i32_to_u8(x, y, n, { how });
      else if (pair === 'uint8>float32') abi.cast_u8_to_f32(x, y, n, { how });
      else if (pair === 'uint8>int32') abi.cast_u8_to_i32(x, y, n, { how });
      else throw new KernelError('cast', Status.INVALID_ARGUMENT, `cannot cast ${x.dtype} to ${y.dtype}`);
    },
    compare(op, a, b, y) {
      const f32 = a instanceof Object && a.dtype === 'float32';
      const k = nm(f32 ? 'compare_f32' : 'compare_i32');
      const code = codeOf(k, COMPARE_OPS, op);
      const n = lengthOf(y);
      const before = pairCheck(k, a, b, n);
      if (f32) abi.compare_f32(ref, code, a, lengthOf(a), b, lengthOf(b), y, n, { before });
      else abi.compare_i32(ref, code, a, lengthOf(a), b, lengthOf(b), y, n, { before });
    },
    logical(op, a, b, y) {
      const k = nm('logical_u8');
      const n = lengthOf(y);
      abi.logical_u8(ref, codeOf(k, LOGICAL_OPS, op), a, lengthOf(a), b, lengthOf(b), y, n, { before: pairCheck(k, a, b, n) });
    },
    binaryInt(op, a, b, y) {
      const k = nm('binary_i32');
      const n = lengthOf(y);
      const hint4 = (i: number): string => {
        const [p, q] = [a.i32()[i % a.length], b.i32()[i % b.length]];
        const exact = op === 'add' ? BigInt(p) + BigInt(q) : op === 'sub' ? BigInt(p) - BigInt(q) : BigInt(p) * BigInt(q);
        return `int32 overflow at element ${i}: ${p} ${op === 'add' ? '+' : op === 'sub' ? '-' : '*'} ${q} = ${exact} is outside [-2147483648, 2147483647]`;
      };
      abi.binary_i32(ref, codeOf(k, INT_OPS, op), a, lengthOf(a), b, lengthOf(b), y, n, { before: pairCheck(k, a, b, n), hint4 });
    },
    allAny(op, x, y, outer, d, inner) {
      abi.all_any_axis_u8(ref, codeOf(nm('all_any_axis_u8'), ALL_ANY, op), x, y, outer, d, inner);
    },
    resizeBilinear(x, y, planes, h, w, oh, ow) {
      const k = 'resize_bilinear_f32';
      for (const [name, v] of [['planes', planes], ['h', h], ['w', w], ['oh', oh], ['ow', ow]] as const) dim(k, name, v);
      if (planes * oh * ow > 0 && (h === 0 || w === 0)) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `cannot resize empty ${h}×${w} images to ${oh}×${ow}`);
      }
      abi.resize_bilinear_f32(x, y, planes, h, w, oh, ow);
    },
    affineWarp(x, y, matrices, n, c, h, w, fill, mode) {
      const k = 'affine_warp_f32';
      const code = mode === 'bilinear' ? 0 : mode === 'nearest' ? 1 : undefined;
      if (code === undefined) throw new KernelError(k, Status.INVALID_ARGUMENT, `mode must be 'bilinear' or 'nearest', got ${String(mode)}`);
      if (typeof fill !== 'number' || !Number.isFinite(Math.fround(fill))) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `fill must be a finite float32 number, got ${String(fill)}`);
      }
      abi.affine_warp_f32(x, y, matrices, n, c, h, w, fill, code);
    },
    confusion(pred, target, classes, out) {
      const n = lengthOf(pred);
      abi.confusion_i32(ref, pred, target, n, classes, out, { how: { target: `pred has ${n}` }, hint4: confusionHint(target, classes) });
    },
  };
  return ks;
}

/** The fast (SIMD) kernels. */
export const kernels: Kernels = makeKernels(false);
/** The scalar reference kernels (`*_ref` exports), same signatures — for tests and benchmarks. */
export const reference: Kernels = makeKernels(true);
