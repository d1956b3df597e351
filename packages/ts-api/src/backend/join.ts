/**
 * Wrappers over the join family (join.rs): block copies, flips, index_select / index_add, gather /
 * scatter along a dim, one_hot, and the filled ranges. The dtype of the data buffers picks the f32 or
 * i32 export; `hint4` words a bad index for the op that asked (status 4).
 */
import { KernelError, Status } from './errors.js';
import { dim, lengthOf, type Hint4 } from './call.js';
import * as abi from './generated/index.js';
import { scratchPtr, type Storage } from './memory.js';
import { wasmMemory } from './load.js';

export type ScatterMode = 'set' | 'add';

export interface JoinKernels {
  /** y[yOff + r·yStride + j] = x[xOff + r·xStride + j] for r < rows, j < cols (x and y of one dtype). */
  copyBlock(x: Storage, xOff: number, xStride: number, y: Storage, yOff: number, yStride: number, rows: number, cols: number): void;
  /** y[o, dim − 1 − d, i] = x[o, d, i]. */
  flipAxis(x: Storage, y: Storage, outer: number, dim: number, inner: number): void;
  /** y[o, k, i] = x[o, index[k], i] (index int32, k < index.length). */
  indexSelect(x: Storage, index: Storage, y: Storage, outer: number, size: number, inner: number, hint4?: Hint4): void;
  /** dx[o, index[k], i] += dy[o, k, i] (float32). */
  indexAdd(dy: Storage, index: Storage, dx: Storage, outer: number, size: number, inner: number, hint4?: Hint4): void;
  /** y[p] = x[Σ_{d≠dim} idx_d·xStrides_d + index[p]·xStrides_dim] over the dense index of `shape`. */
  gatherDim(x: Storage, index: Storage, y: Storage, shape: readonly number[], xStrides: readonly number[], dim: number, dimSize: number, hint4?: Hint4): void;
  /** y[Σ_{d≠dim} idx_d·yStrides_d + index[p]·yStrides_dim] = (or +=) src[Σ idx_d·srcStrides_d]. */
  scatterDim(mode: ScatterMode, src: Storage, srcStrides: readonly number[], index: Storage, y: Storage, shape: readonly number[],
             yStrides: readonly number[], dim: number, dimSize: number, hint4?: Hint4): void;
  /** y [labels.length, classes] (int32) = one-hot rows. */
  oneHot(labels: Storage, classes: number, y: Storage, hint4?: Hint4): void;
  /** The largest value of an int32 buffer (−2³¹ when empty). */
  maxI32(x: Storage): number;
  /** y[i] = start + i·step (float32: computed in f64, rounded; int32: the caller checked the range). */
  arange(y: Storage, start: number, step: number): void;
  /** PyTorch's linspace over y.length float32 values. */
  linspace(y: Storage, start: number, end: number): void;
  /** y (float32, n×m) = the identity. */
  eye(y: Storage, n: number, m: number): void;
}

/** Writes up to three arrays of ≤ 8 u32 words to the scratch area; returns their addresses. */
function words(k: string, arrays: readonly (readonly number[])[], names: readonly string[]): number[] {
  const p = scratchPtr();
  const ndim = arrays[0].length;
  if (ndim > 8) throw new KernelError(k, Status.INVALID_ARGUMENT, `shape has ${ndim} dimensions, at most 8 are supported`);
  return arrays.map((a, j) => {
    if (a.length !== ndim) throw new KernelError(k, Status.INVALID_ARGUMENT, `${names[j]} must have ${ndim} entries, got ${a.length}`);
    const at = p + 32 + 32 * j;
    const w = new Uint32Array(wasmMemory().buffer, at, 8);
    a.forEach((v, d) => { w[d] = dim(k, `${names[j]}[${d}]`, v); });
    return at;
  });
}

function makeJoin(ref: boolean): JoinKernels {
  const isInt = (s: Storage): boolean => s.dtype === 'int32';
  return {
    copyBlock(x, xOff, xStride, y, yOff, yStride, rows, cols) {
      const f = isInt(x) ? abi.copy_block_i32 : abi.copy_block_f32;
      f(ref, x, lengthOf(x), xOff, xStride, y, lengthOf(y), yOff, yStride, rows, cols);
    },
    flipAxis(x, y, outer, d, inner) {
      (isInt(x) ? abi.flip_axis_i32 : abi.flip_axis_f32)(ref, x, y, outer, d, inner);
    },
    indexSelect(x, index, y, outer, size, inner, hint4) {
      const f = isInt(x) ? abi.index_select_i32 : abi.index_select_f32;
      f(ref, x, index, y, outer, size, inner, lengthOf(index), { hint4 });
    },
    indexAdd(dy, index, dx, outer, size, inner, hint4) {
      abi.index_add_f32(ref, dy, index, dx, outer, size, inner, lengthOf(index), { hint4 });
    },
    gatherDim(x, index, y, shape, xStrides, d, dimSize, hint4) {
      const f = isInt(x) ? abi.gather_dim_i32 : abi.gather_dim_f32;
      const [ps, px] = words(f.name, [shape, xStrides], ['shape', 'xStrides']);
      f(ref, x, lengthOf(x), index, lengthOf(index), y, ps, px, shape.length, d, dimSize, { hint4 });
    },
    scatterDim(mode, src, srcStrides, index, y, shape, yStrides, d, dimSize, hint4) {
      const f = isInt(src) ? abi.scatter_dim_i32 : abi.scatter_dim_f32;
      const [ps, pss, pys] = words(f.name, [shape, srcStrides, yStrides], ['shape', 'srcStrides', 'yStrides']);
      f(ref, mode === 'add' ? 1 : 0, src, lengthOf(src), index, lengthOf(index), y, lengthOf(y), ps, pss, pys, shape.length, d, dimSize, { hint4 });
    },
    oneHot(labels, classes, y, hint4) {
      abi.one_hot_i32(ref, labels, lengthOf(labels), classes, y, { hint4 });
    },
    maxI32(x) {
      const out = scratchPtr() + 16;
      abi.max_i32(x, lengthOf(x), out);
      return new Int32Array(wasmMemory().buffer, out, 1)[0];
    },
    arange(y, start, step) {
      (isInt(y) ? abi.arange_i32 : abi.arange_f32)(y, lengthOf(y), start, step);
    },
    linspace: (y, start, end) => abi.linspace_f32(y, lengthOf(y), start, end),
    eye: (y, n, m) => abi.eye_f32(y, n, m),
  };
}

export const join: JoinKernels = makeJoin(false);
/** The scalar `_ref` twins, for tests. */
export const joinReference: JoinKernels = makeJoin(true);
