/**
 * Typed wrappers over every kernel export of softmax-core. Each wrapper checks, before calling wasm,
 * that every Storage is live, has the right dtype and is long enough for the sizes given, then turns a
 * non-zero status into a KernelError. `kernels` calls the fast (SIMD) exports, `reference` the scalar
 * `*_ref` twins (falling back to the fast export for the scalar-only kernels that have no twin: copy,
 * cast and equal, the generator and the image augmentations).
 *
 * Length rules where no size is given: unary / scalar element-wise ops work on n = x.length elements
 * (y must have at least n); `fill` on y.length; `binary` on n = y.length with a.length and b.length each
 * equal to n or dividing it; `binaryRows` on rows = col.length; `sum` on x.length; the optimisers on
 * param.length; `gatherI32` on indices.length, the row gathers on rows = indices.length; `confusion` on
 * n = pred.length (target needs n, out classes × classes).
 */
import { KernelError, Status } from './errors.js';
import { buf, call, dim, dims, hasExport, num } from './call.js';
import { scratchPtr, type Storage } from './memory.js';
import { wasmMemory } from './load.js';

export type Reduction = 'none' | 'mean' | 'sum';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

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
  relu(x: Storage, y: Storage): void;
  reluBackward(x: Storage, dy: Storage, dx: Storage): void;
  sigmoid(x: Storage, y: Storage): void;
  sigmoidBackward(y: Storage, dy: Storage, dx: Storage): void;
  exp(x: Storage, y: Storage): void;
  log(x: Storage, y: Storage): void;
  abs(x: Storage, y: Storage): void;
  neg(x: Storage, y: Storage): void;
  sign(x: Storage, y: Storage): void;
  powScalar(x: Storage, p: number, y: Storage): void;
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
  expand(x: Storage, y: Storage, shape: readonly number[], xStrides: readonly number[]): void;
  sumTo(dy: Storage, dx: Storage, shape: readonly number[], xStrides: readonly number[]): void;
  sgdStep(param: Storage, grad: Storage, buf: Storage | null, o: { lr: number; momentum: number;
          dampening: number; weightDecay: number; nesterov: boolean; firstStep: boolean }): void;
  adamStep(param: Storage, grad: Storage, m: Storage, v: Storage, o: { lr: number; beta1: number; beta2: number;
          eps: number; weightDecay: number; step: number; decoupled: boolean }): void;
  gatherU8ToF32(src: Storage, rowLen: number, indices: Storage, scale: number, y: Storage): void;
  gatherI32(src: Storage, indices: Storage, y: Storage): void;
  gatherF32(src: Storage, rowLen: number, indices: Storage, y: Storage): void;
  // Beyond backend.md (kernels added in convert.rs / image.rs):
  /** y = x for x.length elements of the same dtype (any dtype). */
  copy(x: Storage, y: Storage): void;
  /** y = x converted: int32 → float32 (exact below 2^24), float32 → int32 (toward zero, saturating, NaN → 0); same dtype = copy. */
  cast(x: Storage, y: Storage): void;
  /** y (int32) = (a == b) ? 1 : 0 over a.length elements; a and b both float32 or both int32. */
  equal(a: Storage, b: Storage, y: Storage): void;
  /** Bilinear resize (PyTorch align_corners=False) of `planes` h×w images to oh×ow. */
  resizeBilinear(x: Storage, y: Storage, planes: number, h: number, w: number, oh: number, ow: number): void;
  // metrics.rs:
  /**
   * Confusion matrix: out[target[i] × classes + pred[i]] += 1 for i < pred.length (row = true class,
   * column = predicted, like sklearn / torchmetrics). Counts are added (zero `out` for a fresh matrix);
   * all int32. A target or prediction outside [0, classes) throws before anything is written.
   */
  confusion(pred: Storage, target: Storage, classes: number, out: Storage): void;
}

const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };
const OPS: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };

function opCode(k: string, op: BinaryOp): number {
  const c = OPS[op];
  if (c === undefined) {
    throw new KernelError(k, Status.INVALID_ARGUMENT, `op must be 'add', 'sub', 'mul' or 'div', got ${String(op)}`);
  }
  return c;
}

/**
 * Checks shape / xStrides, writes them to the scratch words the core reads, and checks that the strided
 * buffer (`name`, `length` elements) holds every element the strides reach. Returns the element count
 * of the dense side and the number of dimensions.
 */
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
  /** The export to call: `<base>_ref` for the reference set when the module has it. */
  const nm = (base: string): string => {
    if (!ref) return base;
    const r = `${base}_ref`;
    return hasExport(r) ? r : base;
  };

  const unary = (base: string) => (x: Storage, y: Storage): void => {
    const k = nm(base);
    const px = buf(k, 'x', x, 'float32', 0);
    const n = x.length;
    call(k, [px, buf(k, 'y', y, 'float32', n, `x has ${n}`), n]);
  };
  const backward = (base: string, first: string) => (a: Storage, dy: Storage, dx: Storage): void => {
    const k = nm(base);
    const pa = buf(k, first, a, 'float32', 0);
    const n = a.length;
    call(k, [pa, buf(k, 'dy', dy, 'float32', n, `${first} has ${n}`), buf(k, 'dx', dx, 'float32', n, `${first} has ${n}`), n]);
  };
  const scalarOp = (base: string, sname: string) => (x: Storage, s: number, y: Storage): void => {
    const k = nm(base);
    const px = buf(k, 'x', x, 'float32', 0);
    const n = x.length;
    call(k, [px, num(k, sname, s), buf(k, 'y', y, 'float32', n, `x has ${n}`), n]);
  };
  const axisSame = (base: string) => (x: Storage, y: Storage, outer: number, d: number, inner: number): void => {
    const k = nm(base);
    const len = dim(k, 'outer', outer) * dim(k, 'dim', d) * dim(k, 'inner', inner);
    const how = dims(outer, d, inner);
    call(k, [buf(k, 'x', x, 'float32', len, how), buf(k, 'y', y, 'float32', len, how), outer, d, inner]);
  };
  const axisBack = (base: string) => (y: Storage, dy: Storage, dx: Storage, outer: number, d: number, inner: number): void => {
    const k = nm(base);
    const len = dim(k, 'outer', outer) * dim(k, 'dim', d) * dim(k, 'inner', inner);
    const how = dims(outer, d, inner);
    call(k, [buf(k, 'y', y, 'float32', len, how), buf(k, 'dy', dy, 'float32', len, how), buf(k, 'dx', dx, 'float32', len, how), outer, d, inner]);
  };
  const reduceAxis = (base: string, out: 'float32' | 'int32') => (x: Storage, y: Storage, outer: number, d: number, inner: number): void => {
    const k = nm(base);
    const len = dim(k, 'outer', outer) * dim(k, 'dim', d) * dim(k, 'inner', inner);
    if (base !== 'sum_axis_f32' && d === 0 && outer * inner > 0) {
      throw new KernelError(k, Status.INVALID_ARGUMENT, `cannot reduce over an empty dimension (dim = 0, outer = ${outer}, inner = ${inner})`);
    }
    call(k, [buf(k, 'x', x, 'float32', len, dims(outer, d, inner)), buf(k, 'y', y, out, outer * inner, dims(outer, inner)), outer, d, inner]);
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

  const ks: Kernels = {
    gemm(transA, transB, m, n, kk, alpha, a, b, beta, c) {
      const k = nm('gemm_f32');
      dim(k, 'm', m);
      dim(k, 'n', n);
      dim(k, 'k', kk);
      const pa = buf(k, 'A', a, 'float32', m * kk, transA ? dims(kk, m) : dims(m, kk));
      const pb = buf(k, 'B', b, 'float32', kk * n, transB ? dims(n, kk) : dims(kk, n));
      const pc = buf(k, 'C', c, 'float32', m * n, dims(m, n));
      call(k, [transA ? 1 : 0, transB ? 1 : 0, m, n, kk, num(k, 'alpha', alpha), pa, pb, num(k, 'beta', beta), pc]);
    },
    softmax: axisSame('softmax_f32'),
    logSoftmax: axisSame('log_softmax_f32'),
    softmaxBackward: axisBack('softmax_backward_f32'),
    logSoftmaxBackward: axisBack('log_softmax_backward_f32'),
    crossEntropy(logits, labels, rows, classes, labelSmoothing, reduction, loss) {
      const k = nm('cross_entropy_f32');
      dim(k, 'rows', rows);
      dim(k, 'classes', classes);
      const red = REDUCTION[reduction];
      if (red === undefined) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `reduction must be 'none', 'mean' or 'sum', got ${String(reduction)}`);
      }
      const pl = buf(k, 'logits', logits, 'float32', rows * classes, dims(rows, classes));
      const py = buf(k, 'labels', labels, 'int32', rows, `one per row`);
      const nloss = red === 0 ? rows : 1;
      const po = buf(k, 'loss', loss, 'float32', nloss, red === 0 ? "one per row for reduction 'none'" : `reduction '${reduction}'`);
      call(k, [pl, py, rows, classes, smoothing(k, labelSmoothing), red, po], labelHint(classes));
    },
    crossEntropyBackward(logits, labels, rows, classes, labelSmoothing, dloss, scale, grad) {
      const k = nm('cross_entropy_backward_f32');
      dim(k, 'rows', rows);
      dim(k, 'classes', classes);
      const how = dims(rows, classes);
      const pl = buf(k, 'logits', logits, 'float32', rows * classes, how);
      const py = buf(k, 'labels', labels, 'int32', rows, 'one per row');
      const dlen = dloss instanceof Object && dloss.length === 1 ? 1 : rows;
      const pd = buf(k, 'dloss', dloss, 'float32', dlen, dlen === 1 ? undefined : 'one per row, or 1 for a reduced loss');
      const pg = buf(k, 'grad', grad, 'float32', rows * classes, how);
      call(k, [pl, py, rows, classes, smoothing(k, labelSmoothing), pd, dlen, num(k, 'scale', scale), pg], labelHint(classes));
    },
    relu: unary('relu_f32'),
    reluBackward: backward('relu_backward_f32', 'x'),
    sigmoid: unary('sigmoid_f32'),
    sigmoidBackward: backward('sigmoid_backward_f32', 'y'),
    exp: unary('exp_f32'),
    log: unary('log_f32'),
    abs: unary('abs_f32'),
    neg: unary('neg_f32'),
    sign: unary('sign_f32'),
    powScalar: scalarOp('pow_scalar_f32', 'p'),
    scale: scalarOp('scale_f32', 'alpha'),
    addScalar: scalarOp('add_scalar_f32', 's'),
    axpy(alpha, x, y) {
      const k = nm('axpy_f32');
      const px = buf(k, 'x', x, 'float32', 0);
      const n = x.length;
      call(k, [num(k, 'alpha', alpha), px, buf(k, 'y', y, 'float32', n, `x has ${n}`), n]);
    },
    fill(y, value) {
      const k = nm('fill_f32');
      const py = buf(k, 'y', y, 'float32', 0);
      call(k, [py, num(k, 'value', value), y.length]);
    },
    binary(op, a, b, y) {
      const k = nm('binary_f32');
      const code = opCode(k, op);
      const py = buf(k, 'y', y, 'float32', 0);
      const n = y.length;
      const pa = buf(k, 'a', a, 'float32', 0);
      const pb = buf(k, 'b', b, 'float32', 0);
      for (const [name, s] of [['a', a], ['b', b]] as const) {
        if (s.length !== n && (s.length === 0 || n % s.length !== 0)) {
          throw new KernelError(k, Status.INVALID_ARGUMENT, `${name} has ${s.length} floats, which neither equals nor divides y's ${n}`);
        }
      }
      call(k, [code, pa, a.length, pb, b.length, py, n]);
    },
    binaryRows(op, a, col, y, cols) {
      const k = nm('binary_rows_f32');
      const code = opCode(k, op);
      dim(k, 'cols', cols);
      const pc = buf(k, 'col', col, 'float32', 0);
      const rows = col.length;
      const how = `${dims(rows, cols)}: one row per element of col`;
      call(k, [code, buf(k, 'a', a, 'float32', rows * cols, how), pc, buf(k, 'y', y, 'float32', rows * cols, how), rows, cols]);
    },
    biasAdd(x, bias, y, rows, cols) {
      const k = nm('bias_add_f32');
      dim(k, 'rows', rows);
      dim(k, 'cols', cols);
      const how = dims(rows, cols);
      call(k, [buf(k, 'x', x, 'float32', rows * cols, how), buf(k, 'bias', bias, 'float32', cols), buf(k, 'y', y, 'float32', rows * cols, how), rows, cols]);
    },
    biasGrad(dy, db, rows, cols) {
      const k = nm('bias_grad_f32');
      dim(k, 'rows', rows);
      dim(k, 'cols', cols);
      call(k, [buf(k, 'dy', dy, 'float32', rows * cols, dims(rows, cols)), buf(k, 'db', db, 'float32', cols), rows, cols]);
    },
    sum(x) {
      const k = nm('sum_f32');
      const px = buf(k, 'x', x, 'float32', 0);
      const out = scratchPtr() + 16;
      call(k, [px, x.length, out]);
      return new Float32Array(wasmMemory().buffer, out, 1)[0];
    },
    sumAxis: reduceAxis('sum_axis_f32', 'float32'),
    maxAxis: reduceAxis('max_axis_f32', 'float32'),
    argmaxAxis: reduceAxis('argmax_axis_f32', 'int32'),
    expand(x, y, shape, xStrides) {
      const k = nm('expand_f32');
      const px = buf(k, 'x', x, 'float32', 0);
      const { count, ndim } = shapeArgs(k, shape, xStrides, 'x', x.length);
      const py = buf(k, 'y', y, 'float32', count, `shape [${shape.join(', ')}]`);
      const p = scratchPtr();
      call(k, [px, x.length, py, p + 32, p + 64, ndim]);
    },
    sumTo(dy, dx, shape, xStrides) {
      const k = nm('sum_to_f32');
      const pdx = buf(k, 'dx', dx, 'float32', 0);
      const { count, ndim } = shapeArgs(k, shape, xStrides, 'dx', dx.length);
      const pdy = buf(k, 'dy', dy, 'float32', count, `shape [${shape.join(', ')}]`);
      const p = scratchPtr();
      call(k, [pdy, pdx, dx.length, p + 32, p + 64, ndim]);
    },
    sgdStep(param, grad, b, o) {
      const k = nm('sgd_step_f32');
      const pp = buf(k, 'param', param, 'float32', 0);
      const n = param.length;
      const pg = buf(k, 'grad', grad, 'float32', n, `param has ${n}`);
      let pb = 0;
      if (num(k, 'momentum', o.momentum) !== 0) {
        if (b === null) {
          throw new KernelError(k, Status.NULL_POINTER, `momentum ${o.momentum} needs a momentum buffer of ${n} floats, got null`);
        }
        pb = buf(k, 'buf', b, 'float32', n, `param has ${n}`);
      }
      call(k, [pp, pg, pb, n, num(k, 'lr', o.lr), o.momentum, num(k, 'dampening', o.dampening), num(k, 'weightDecay', o.weightDecay),
        o.nesterov ? 1 : 0, o.firstStep ? 1 : 0]);
    },
    adamStep(param, grad, m, v, o) {
      const k = nm('adam_step_f32');
      const pp = buf(k, 'param', param, 'float32', 0);
      const n = param.length;
      const how = `param has ${n}`;
      const pg = buf(k, 'grad', grad, 'float32', n, how);
      const pm = buf(k, 'm', m, 'float32', n, how);
      const pv = buf(k, 'v', v, 'float32', n, how);
      if (dim(k, 'step', o.step) < 1) throw new KernelError(k, Status.INVALID_ARGUMENT, 'step counts from 1, got 0');
      call(k, [pp, pg, pm, pv, n, num(k, 'lr', o.lr), num(k, 'beta1', o.beta1), num(k, 'beta2', o.beta2), num(k, 'eps', o.eps),
        num(k, 'weightDecay', o.weightDecay), o.step, o.decoupled ? 1 : 0]);
    },
    gatherU8ToF32(src, rowLen, indices, scale, y) {
      const k = nm('gather_u8_to_f32');
      dim(k, 'rowLen', rowLen);
      const ps = buf(k, 'src', src, 'uint8', 0);
      const pi = buf(k, 'indices', indices, 'int32', 0);
      const rows = indices.length;
      const py = buf(k, 'y', y, 'float32', rows * rowLen, `${dims(rows, rowLen)}: one row per index`);
      const srcRows = rowLen === 0 ? null : Math.floor(src.length / rowLen);
      call(k, [ps, src.length, rowLen, pi, rows, num(k, 'scale', scale), py], indexHint(srcRows));
    },
    gatherI32(src, indices, y) {
      const k = nm('gather_i32');
      const ps = buf(k, 'src', src, 'int32', 0);
      const pi = buf(k, 'indices', indices, 'int32', 0);
      const n = indices.length;
      call(k, [ps, src.length, pi, n, buf(k, 'y', y, 'int32', n, 'one per index')], indexHint(src.length));
    },
    gatherF32(src, rowLen, indices, y) {
      const k = nm('gather_f32');
      dim(k, 'rowLen', rowLen);
      const ps = buf(k, 'src', src, 'float32', 0);
      const pi = buf(k, 'indices', indices, 'int32', 0);
      const rows = indices.length;
      const py = buf(k, 'y', y, 'float32', rows * rowLen, `${dims(rows, rowLen)}: one row per index`);
      const srcRows = rowLen === 0 ? null : Math.floor(src.length / rowLen);
      call(k, [ps, src.length, rowLen, pi, rows, py], indexHint(srcRows));
    },
    copy(x, y) {
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
      const k = x.dtype === 'int32' && y.dtype === 'float32' ? 'cast_i32_to_f32' : x.dtype === 'float32' && y.dtype === 'int32' ? 'cast_f32_to_i32' : null;
      if (k === null) {
        throw new KernelError('cast', Status.INVALID_ARGUMENT, `cannot cast ${x.dtype} to ${y.dtype}: only float32 ↔ int32 (or a copy between equal dtypes)`);
      }
      const px = buf(k, 'x', x, x.dtype, 0);
      const n = x.length;
      call(k, [px, buf(k, 'y', y, y.dtype, n, `x has ${n}`), n]);
    },
    equal(a, b, y) {
      const k = a.dtype === 'int32' ? 'equal_i32' : 'equal_f32';
      const dt = a.dtype === 'int32' ? 'int32' : 'float32';
      const pa = buf(k, 'a', a, dt, 0);
      const n = a.length;
      const how = `a has ${n}`;
      call(k, [pa, buf(k, 'b', b, dt, n, how), buf(k, 'y', y, 'int32', n, how), n]);
    },
    resizeBilinear(x, y, planes, h, w, oh, ow) {
      const k = 'resize_bilinear_f32';
      for (const [name, v] of [['planes', planes], ['h', h], ['w', w], ['oh', oh], ['ow', ow]] as const) dim(k, name, v);
      if (planes * oh * ow > 0 && (h === 0 || w === 0)) {
        throw new KernelError(k, Status.INVALID_ARGUMENT, `cannot resize empty ${h}×${w} images to ${oh}×${ow}`);
      }
      call(k, [buf(k, 'x', x, 'float32', planes * h * w, dims(planes, h, w)), buf(k, 'y', y, 'float32', planes * oh * ow, dims(planes, oh, ow)), planes, h, w, oh, ow]);
    },
    confusion(pred, target, classes, out) {
      const k = nm('confusion_i32');
      dim(k, 'classes', classes);
      const pp = buf(k, 'pred', pred, 'int32', 0);
      const n = pred.length;
      const pt = buf(k, 'target', target, 'int32', n, `pred has ${n}`);
      const po = buf(k, 'out', out, 'int32', classes * classes, dims(classes, classes));
      call(k, [pp, pt, n, classes, po], confusionHint(target, classes));
    },
  };
  return ks;
}

/** The fast (SIMD) kernels. */
export const kernels: Kernels = makeKernels(false);
/** The scalar reference kernels (`*_ref` exports), same signatures — for tests and benchmarks. */
export const reference: Kernels = makeKernels(true);
