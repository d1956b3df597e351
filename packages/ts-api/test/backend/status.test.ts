/**
 * Every status code reachable through the raw exports, for every exported kernel: null, out-of-bounds,
 * misaligned, overflowing sizes, aliasing, invalid arguments, bad indices. A failing call must return
 * its status without trapping and without writing anything (every buffer is checked byte for byte).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocStorage, KernelError, kernels, storageFrom, type Storage } from '../../src/backend/index.js';
import { rawExports, wasmMemory } from '../../src/backend/load.js';
import { paramsOf } from '../../src/backend/call.js';
import { describeStatus, Status } from '../../src/backend/errors.js';
import { ptrOf } from '../../src/backend/memory.js';

interface Bufs {
  f: number[]; // 6 float32 buffers of 64
  i: number[]; // 3 int32 buffers of 64 (zeros: valid labels / indices)
  u: number; // uint8 buffer of 64
  v: number; // a second uint8 buffer of 64 (bool outputs)
  shape: number; // u32 [2, 2]
  strides: number; // u32 [2, 1]
  state: number; // a valid rng state
}

interface Case {
  name: string;
  args: (b: Bufs) => number[];
  /** Parameter positions that are buffers. */
  bufs: number[];
  /** Buffers with 1-byte elements (no alignment requirement). */
  bytes?: number[];
  /** [output position, input position] to alias. */
  alias?: [number, number];
  /** [position, value] making a size overflow (status 3). */
  overflow?: [number, number];
  /** [position, value, blamed position (default: position)] making the call invalid (status 5). */
  invalid?: [number, number, number?][];
  /** Buffers of a single element (start-inside-end-outside is not possible one word before the end). */
  single?: number[];
  /** Has `_ref` twin. */
  ref?: boolean;
}

const BIG = 0xffff_ffff;
const unary = (name: string): Case => ({ name, args: (b) => [b.f[0], b.f[1], 4], bufs: [0, 1], alias: [1, 0], overflow: [2, 0x4000_0000], ref: true });
const bw = (name: string): Case => ({ name, args: (b) => [b.f[0], b.f[1], b.f[2], 4], bufs: [0, 1, 2], alias: [2, 1], overflow: [3, 0x4000_0000], ref: true });
const scal = (name: string): Case => ({ name, args: (b) => [b.f[0], 2, b.f[1], 4], bufs: [0, 2], alias: [2, 0], overflow: [3, 0x4000_0000], ref: true });
const axis = (name: string, ref = true): Case => ({ name, args: (b) => [b.f[0], b.f[1], 2, 2, 1], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], ref });

const CASES: Case[] = [
  { name: 'gemm_f32', args: (b) => [0, 1, 2, 2, 2, 1, b.f[0], b.f[1], 0, b.f[2]], bufs: [6, 7, 9], alias: [9, 7], overflow: [2, BIG], ref: true },
  axis('softmax_f32'),
  axis('log_softmax_f32'),
  { name: 'softmax_backward_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 2, 2, 1], bufs: [0, 1, 2], alias: [2, 0], overflow: [3, BIG], ref: true },
  { name: 'log_softmax_backward_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 2, 2, 1], bufs: [0, 1, 2], alias: [2, 1], overflow: [3, BIG], ref: true },
  {
    name: 'cross_entropy_f32', args: (b) => [b.f[0], b.i[0], 2, 3, 0, 1, b.f[1]], bufs: [0, 1, 6], alias: [6, 0], overflow: [3, BIG], ref: true, single: [6],
    invalid: [[5, 3], [4, 1.5], [4, -0.1]],
  },
  {
    name: 'cross_entropy_backward_f32', args: (b) => [b.f[0], b.i[0], 2, 3, 0.1, b.f[1], 2, 0.5, b.f[2]], bufs: [0, 1, 5, 8], alias: [8, 5], overflow: [3, BIG], ref: true,
    invalid: [[6, 3], [4, 2]],
  },
  ...['relu_f32', 'sigmoid_f32', 'exp_f32', 'log_f32', 'abs_f32', 'neg_f32', 'sign_f32'].map(unary),
  bw('relu_backward_f32'),
  bw('sigmoid_backward_f32'),
  ...['pow_scalar_f32', 'scale_f32', 'add_scalar_f32'].map(scal),
  { name: 'axpy_f32', args: (b) => [0.5, b.f[0], b.f[1], 4], bufs: [1, 2], alias: [2, 1], overflow: [3, 0x4000_0000], ref: true },
  { name: 'fill_f32', args: (b) => [b.f[0], 1, 4], bufs: [0], overflow: [2, 0x4000_0000], ref: true },
  {
    name: 'binary_f32', args: (b) => [2, b.f[0], 4, b.f[1], 2, b.f[2], 4], bufs: [1, 3, 5], alias: [5, 3], overflow: [2, 0x4000_0000], ref: true,
    invalid: [[0, 6], [2, 3], [4, 0]],
  },
  { name: 'unary_f32', args: (b) => [3, b.f[0], b.f[1], 4], bufs: [1, 2], alias: [2, 1], overflow: [3, 0x4000_0000], ref: true, invalid: [[0, 12]] },
  {
    name: 'unary_backward_f32', args: (b) => [0, b.f[0], b.f[1], b.f[2], b.f[3], 4], bufs: [1, 2, 3, 4], alias: [4, 2], overflow: [5, 0x4000_0000], ref: true,
    invalid: [[0, 12]],
  },
  { name: 'clamp_f32', args: (b) => [b.f[0], -1, 1, b.f[1], 4], bufs: [0, 3], alias: [3, 0], overflow: [4, 0x4000_0000], ref: true },
  { name: 'clamp_backward_f32', args: (b) => [b.f[0], b.f[1], -1, 1, b.f[2], 4], bufs: [0, 1, 4], alias: [4, 1], overflow: [5, 0x4000_0000], ref: true },
  {
    name: 'clamp_tensor_backward_f32', args: (b) => [b.f[0], b.f[1], b.f[2], b.f[3], b.f[4], b.f[5], b.i[2], 4, 1, 1], bufs: [0, 1, 2, 3, 4, 5, 6],
    alias: [5, 1], overflow: [7, 0x4000_0000], ref: true,
  },
  {
    name: 'maxmin_backward_f32', args: (b) => [4, b.f[0], b.f[1], b.f[2], b.f[3], b.f[4], 4], bufs: [1, 2, 3, 4, 5], alias: [5, 3], overflow: [6, 0x4000_0000],
    ref: true, invalid: [[0, 0]],
  },
  { name: 'binary_rows_f32', args: (b) => [3, b.f[0], b.f[1], b.f[2], 2, 2], bufs: [1, 2, 3], alias: [3, 2], overflow: [4, BIG], ref: true, invalid: [[0, 9]] },
  { name: 'bias_add_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 2, 2], bufs: [0, 1, 2], alias: [2, 1], overflow: [3, BIG], ref: true },
  { name: 'bias_grad_f32', args: (b) => [b.f[0], b.f[1], 2, 2], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], ref: true },
  { name: 'sum_f32', args: (b) => [b.f[0], 4, b.f[1]], bufs: [0, 2], single: [2], alias: [2, 0], overflow: [1, 0x4000_0000], ref: true },
  axis('sum_axis_f32'),
  { ...axis('max_axis_f32'), invalid: [[3, 0]] },
  { name: 'argmax_axis_f32', args: (b) => [b.f[0], b.i[2], 2, 2, 1], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], ref: true, invalid: [[3, 0]] },
  { ...axis('min_axis_f32'), invalid: [[3, 0]] },
  { name: 'argmin_axis_f32', args: (b) => [b.f[0], b.i[2], 2, 2, 1], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], ref: true, invalid: [[3, 0]] },
  axis('prod_axis_f32'),
  axis('prod_others_axis_f32'),
  { name: 'cumsum_axis_f32', args: (b) => [b.f[0], b.f[1], 2, 2, 1, 1], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], ref: true },
  { name: 'sum_axis_i32', args: (b) => [b.i[0], b.i[2], 2, 2, 1, b.f[5]], bufs: [0, 1, 5], single: [5], alias: [1, 0], overflow: [2, BIG], ref: true },
  { name: 'scatter_axis_f32', args: (b) => [b.f[0], b.i[0], b.f[1], 2, 2, 1], bufs: [0, 1, 2], alias: [2, 0], overflow: [3, BIG], ref: true },
  {
    name: 'expand_f32', args: (b) => [b.f[0], 4, b.f[1], b.shape, b.strides, 2], bufs: [0, 2, 3, 4], alias: [2, 0], overflow: [1, 0x4000_0000], ref: true,
    invalid: [[5, 9], [1, 3, 4]],
  },
  {
    name: 'sum_to_f32', args: (b) => [b.f[0], b.f[1], 4, b.shape, b.strides, 2], bufs: [0, 1, 3, 4], alias: [1, 4], overflow: [2, 0x4000_0000], ref: true,
    invalid: [[5, 9], [2, 3, 4]],
  },
  { name: 'sgd_step_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 4, 0.1, 0.9, 0, 0.01, 1, 0], bufs: [0, 1, 2], alias: [2, 0], overflow: [3, 0x4000_0000], ref: true },
  {
    name: 'adam_step_f32', args: (b) => [b.f[0], b.f[1], b.f[2], b.f[3], 4, 0.001, 0.9, 0.999, 1e-8, 0, 1, 1], bufs: [0, 1, 2, 3], alias: [3, 1], overflow: [4, 0x4000_0000], ref: true,
    invalid: [[10, 0]],
  },
  { name: 'gather_u8_to_f32', args: (b) => [b.u, 64, 4, b.i[0], 2, 1 / 255, b.f[0]], bufs: [0, 3, 6], bytes: [0], alias: [6, 3], overflow: [4, 0x4000_0000], ref: true },
  { name: 'gather_i32', args: (b) => [b.i[0], 64, b.i[1], 4, b.i[2]], bufs: [0, 2, 4], alias: [4, 0], overflow: [1, 0x4000_0000], ref: true },
  { name: 'gather_f32', args: (b) => [b.f[0], 64, 4, b.i[0], 2, b.f[1]], bufs: [0, 3, 5], alias: [5, 0], overflow: [4, 0x4000_0000], ref: true },
  { name: 'rng_get_state', args: (b) => [b.i[2]], bufs: [0] },
  { name: 'rng_set_state', args: (b) => [b.state], bufs: [0] },
  { name: 'rng_uniform_f32', args: (b) => [b.f[0], 4, 0, 1], bufs: [0], overflow: [1, 0x4000_0000] },
  { name: 'rng_normal_f32', args: (b) => [b.f[0], 4, 0, 1], bufs: [0], overflow: [1, 0x4000_0000], invalid: [[3, -1], [3, NaN]] },
  { name: 'rng_permutation_i32', args: (b) => [b.i[2], 4], bufs: [0], overflow: [1, 0x4000_0000] },
  {
    name: 'dropout_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 4, 0.5], bufs: [0, 1, 2], alias: [2, 1], overflow: [3, 0x4000_0000], ref: true,
    invalid: [[4, 1], [4, -0.5], [4, NaN]],
  },
  { name: 'copy_u32', args: (b) => [b.f[0], b.f[1], 4], bufs: [0, 1], alias: [1, 0], overflow: [2, 0x4000_0000] },
  { name: 'cast_i32_to_f32', args: (b) => [b.i[0], b.f[0], 4], bufs: [0, 1], alias: [1, 0], overflow: [2, 0x4000_0000] },
  { name: 'cast_f32_to_i32', args: (b) => [b.f[0], b.i[2], 4], bufs: [0, 1], alias: [1, 0], overflow: [2, 0x4000_0000] },
  { name: 'cast_f32_to_u8', args: (b) => [b.f[0], b.v, 8], bufs: [0, 1], bytes: [1], alias: [1, 0], overflow: [2, 0x4000_0000] },
  { name: 'cast_i32_to_u8', args: (b) => [b.i[0], b.v, 8], bufs: [0, 1], bytes: [1], alias: [1, 0], overflow: [2, 0x4000_0000] },
  { name: 'cast_u8_to_f32', args: (b) => [b.u, b.f[0], 8], bufs: [0, 1], bytes: [0], alias: [1, 0] },
  { name: 'cast_u8_to_i32', args: (b) => [b.u, b.i[2], 8], bufs: [0, 1], bytes: [0], alias: [1, 0] },
  {
    name: 'compare_f32', args: (b) => [5, b.f[0], 8, b.f[1], 2, b.v, 8], bufs: [1, 3, 5], bytes: [5], alias: [5, 3], overflow: [2, 0x4000_0000], ref: true,
    invalid: [[0, 6], [2, 3], [4, 0]],
  },
  {
    name: 'compare_i32', args: (b) => [0, b.i[0], 8, b.i[1], 2, b.v, 8], bufs: [1, 3, 5], bytes: [5], alias: [5, 1], overflow: [2, 0x4000_0000], ref: true,
    invalid: [[0, 6], [4, 3]],
  },
  { name: 'logical_u8', args: (b) => [2, b.u, 16, b.u, 8, b.v, 16], bufs: [1, 3, 5], bytes: [1, 3, 5], alias: [5, 1], ref: true, invalid: [[0, 3], [2, 5]] },
  {
    name: 'binary_i32', args: (b) => [2, b.i[0], 8, b.i[1], 2, b.i[2], 8], bufs: [1, 3, 5], alias: [5, 3], overflow: [2, 0x4000_0000], ref: true,
    invalid: [[0, 3], [2, 3], [4, 0]],
  },
  {
    name: 'all_any_axis_u8', args: (b) => [1, b.u, b.v, 2, 4, 1], bufs: [1, 2], bytes: [1, 2], single: [2], alias: [2, 1], overflow: [3, BIG], ref: true,
    invalid: [[0, 2]],
  },
  {
    name: 'expand_u32', args: (b) => [b.i[0], 4, b.i[1], b.shape, b.strides, 2], bufs: [0, 2, 3, 4], alias: [2, 0], overflow: [1, 0x4000_0000],
    invalid: [[5, 9], [1, 3, 4]],
  },
  { name: 'expand_u8', args: (b) => [b.u, 8, b.v, b.shape, b.strides, 2], bufs: [0, 2, 3, 4], bytes: [0, 2], single: [2], alias: [2, 0], invalid: [[5, 9], [1, 3, 4]] },
  { name: 'random_crop_f32', args: (b) => [b.f[0], b.f[1], 2, 1, 2, 2, 1], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG] },
  { name: 'random_hflip_f32', args: (b) => [b.f[0], b.f[1], 2, 1, 2, 2, 0.5], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], invalid: [[6, 1.5]] },
  // conv family: 1 image 3×3 (or 2 planes), a 2×2 window, stride 1, no padding → 2×2 outputs.
  {
    name: 'conv2d_f32', args: (b) => [b.f[0], b.f[1], b.f[2], b.f[3], 1, 1, 1, 2, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1], bufs: [0, 1, 2, 3],
    alias: [3, 0], overflow: [4, BIG], ref: true, invalid: [[10, 3], [14, 0, 10], [19, 0, 11]],
  },
  {
    name: 'conv2d_backward_input_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 1, 1, 1, 2, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1], bufs: [0, 1, 2],
    alias: [2, 0], overflow: [3, BIG], ref: true, invalid: [[9, 1]],
  },
  {
    name: 'conv2d_backward_weight_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 1, 1, 1, 2, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1], bufs: [0, 1, 2],
    alias: [2, 1], overflow: [3, BIG], ref: true, invalid: [[10, 5]],
  },
  {
    // the indices go to a float buffer: the int32 ones must stay zeros (valid labels for later cases)
    // 3×3 of kernel 2 stride 2: 1×1 in floor mode, 2×2 in ceil mode (position 16), so ceil 1 blames oh
    name: 'max_pool2d_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 2, 3, 3, 1, 1, 2, 2, 2, 2, 0, 0, 1, 1, 0], bufs: [0, 1, 2],
    alias: [1, 0], overflow: [3, BIG], ref: true, invalid: [[6, 3], [8, 0, 6], [16, 1, 6], [7, 2]],
  },
  { name: 'max_pool2d_backward_f32', args: (b) => [b.f[0], b.i[0], b.f[1], 2, 3, 3, 2, 2], bufs: [0, 1, 2], alias: [2, 0], overflow: [3, BIG], ref: true },
  {
    name: 'avg_pool2d_f32', args: (b) => [b.f[0], b.f[1], 2, 3, 3, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, 0], bufs: [0, 1],
    alias: [1, 0], overflow: [2, BIG], ref: true, invalid: [[5, 1], [9, 0, 5], [13, 0, 5]],
  },
  {
    name: 'avg_pool2d_backward_f32', args: (b) => [b.f[0], b.f[1], 2, 3, 3, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 3], bufs: [0, 1],
    alias: [1, 0], overflow: [2, BIG], ref: true, invalid: [[6, 4], [13, 1, 5]],
  },
  { name: 'adaptive_avg_pool2d_f32', args: (b) => [b.f[0], b.f[1], 2, 3, 3, 2, 2], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], ref: true },
  { name: 'adaptive_avg_pool2d_backward_f32', args: (b) => [b.f[0], b.f[1], 2, 3, 3, 2, 2], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], ref: true },
  { name: 'batch_norm_stats_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 2, 3, 4], bufs: [0, 1, 2], alias: [2, 1], overflow: [3, BIG], ref: true },
  {
    name: 'batch_norm_apply_f32', args: (b) => [b.f[0], b.f[1], b.f[2], b.f[3], b.f[4], b.f[5], 2, 3, 4, 1e-5, 1], bufs: [0, 1, 2, 3, 4, 5],
    alias: [5, 0], overflow: [6, BIG], ref: true,
  },
  {
    // x and dy share a buffer, as do mean, variance and weight (inputs may overlap)
    name: 'batch_norm_backward_f32', args: (b) => [b.f[0], b.f[0], b.f[1], b.f[1], b.f[1], b.f[2], b.f[3], b.f[4], 2, 3, 4, 1e-5, 1, 1],
    bufs: [0, 1, 2, 3, 4, 5, 6, 7], alias: [7, 2], overflow: [8, BIG], ref: true,
  },
  { name: 'resize_bilinear_f32', args: (b) => [b.f[0], b.f[1], 1, 2, 2, 3, 3], bufs: [0, 1], alias: [1, 0], overflow: [2, BIG], invalid: [[3, 0]] },
  {
    name: 'random_affine_params_f32', args: (b) => [b.f[0], b.f[1], 2, 3, 4, -10, 10, 1, 2, 0.5, 2, -5, 5, 0, 0, 31], bufs: [0, 1], alias: [1, 0],
    overflow: [2, BIG], invalid: [[6, -11], [5, NaN], [8, -1], [9, 0], [12, 90], [15, 32]],
  },
  {
    name: 'affine_warp_f32', args: (b) => [b.f[0], b.f[1], b.f[2], 2, 1, 2, 2, 0, 0], bufs: [0, 1, 2], alias: [1, 0], overflow: [3, BIG],
    invalid: [[8, 2], [7, NaN], [7, Infinity]],
  },
  { name: 'confusion_i32', args: (b) => [b.i[0], b.i[1], 4, 3, b.i[2]], bufs: [0, 1, 4], alias: [4, 1], overflow: [3, 0x1_0000], ref: true },
];

let storages: Storage[] = [];
let B: Bufs;

beforeAll(() => {
  const f = Array.from({ length: 6 }, (_, k) => storageFrom(Float32Array.from({ length: 64 }, (_, j) => 0.25 + ((j * 7 + k) % 5))));
  const i = Array.from({ length: 3 }, () => allocStorage('int32', 64, { zero: true }));
  const u = storageFrom(Uint8Array.from({ length: 64 }, (_, j) => j));
  const v = allocStorage('uint8', 64, { zero: true });
  const shape = storageFrom(new Int32Array([2, 2]));
  const strides = storageFrom(new Int32Array([2, 1]));
  const state = storageFrom(new Int32Array([1, 2, 3, 4]));
  storages = [...f, ...i, u, v, shape, strides, state];
  B = { f: f.map(ptrOf), i: i.map(ptrOf), u: ptrOf(u), v: ptrOf(v), shape: ptrOf(shape), strides: ptrOf(strides), state: ptrOf(state) };
});

afterAll(() => {
  for (const s of storages) s.dispose();
});

function snapshot(): Uint8Array {
  const lo = Math.min(...storages.map(ptrOf));
  const hi = Math.max(...storages.map((s) => ptrOf(s) + s.byteLength));
  return new Uint8Array(wasmMemory().buffer, lo, hi - lo).slice();
}

/** Calls `name` with `args`; expects `status`, no trap and (for failures) no byte of any buffer changed. */
function expectStatus(name: string, args: number[], status: number): void {
  const raw = rawExports();
  const before = snapshot();
  const got = raw[name](...args) >>> 0;
  if (got !== status) {
    const detail = describeStatus(got, paramsOf(name), raw.status_detail_index(), raw.status_detail_value(), wasmMemory().buffer.byteLength);
    expect.fail(`${name}(${args.join(', ')}) returned ${got} (${detail}), expected ${status}`);
  }
  if (status !== 0) expect(snapshot(), `${name} wrote memory although it failed`).toEqual(before);
}

const withArg = (args: number[], pos: number, v: number): number[] => args.map((a, j) => (j === pos ? v : a));

const ALL = CASES.flatMap((c) => (c.ref ? [c, { ...c, name: `${c.name}_ref` }] : [c]));

describe.each(ALL.map((c) => [c.name, c] as const))('%s', (name, c) => {
  it('accepts the valid call', () => {
    expectStatus(name, c.args(B), Status.OK);
  });

  it('1 NULL_POINTER for each buffer', () => {
    for (const pos of c.bufs) {
      expectStatus(name, withArg(c.args(B), pos, 0), Status.NULL_POINTER);
      expect(rawExports().status_detail_index()).toBe(pos);
    }
  });

  it('2 OUT_OF_BOUNDS for each buffer (end of memory, and near 4 GiB) — no read or write outside', () => {
    const end = wasmMemory().buffer.byteLength;
    for (const pos of c.bufs) {
      expectStatus(name, withArg(c.args(B), pos, end), Status.OUT_OF_BOUNDS);
      expect(rawExports().status_detail_index()).toBe(pos);
      expectStatus(name, withArg(c.args(B), pos, 0xffff_fff0), Status.OUT_OF_BOUNDS);
      if (!c.single?.includes(pos)) expectStatus(name, withArg(c.args(B), pos, end - 4), Status.OUT_OF_BOUNDS); // starts inside, ends outside
    }
  });

  it('7 MISALIGNED for each 4-byte buffer', () => {
    for (const pos of c.bufs) {
      const args = c.args(B);
      if (c.bytes?.includes(pos)) {
        expectStatus(name, withArg(args, pos, args[pos] + 1), Status.OK);
        continue;
      }
      expectStatus(name, withArg(args, pos, args[pos] + 2), Status.MISALIGNED);
      expect(rawExports().status_detail_index()).toBe(pos);
      expect(rawExports().status_detail_value()).toBe(2);
    }
  });

  // Only the exports that have such an argument get these cases (no skipped placeholders).
  if (c.overflow !== undefined) {
    it('3 SIZE_OVERFLOW', () => {
      const [pos, v] = c.overflow!;
      expectStatus(name, withArg(c.args(B), pos, v), Status.SIZE_OVERFLOW);
    });
  }

  if (c.alias !== undefined) it('8 ALIASING (exact and partial overlap)', () => {
    const [out, inp] = c.alias!;
    const args = c.args(B);
    expectStatus(name, withArg(args, out, args[inp]), Status.ALIASING);
    // the output and the buffer it overlaps (either order when both are outputs)
    const detail = [rawExports().status_detail_index(), rawExports().status_detail_value()].sort();
    expect(detail).toEqual([out, inp].sort());
    expectStatus(name, withArg(args, out, args[inp] + 4), Status.ALIASING);
  });

  if (c.invalid !== undefined) it('5 INVALID_ARGUMENT', () => {
    for (const [pos, v, blamed] of c.invalid!) {
      expectStatus(name, withArg(c.args(B), pos, v), Status.INVALID_ARGUMENT);
      expect(rawExports().status_detail_index()).toBe(blamed ?? pos);
    }
  });
});

describe('4 INDEX_OUT_OF_RANGE', () => {
  const raw = () => rawExports();
  it('cross_entropy (fast and ref, forward and backward) reports the row and the label', () => {
    const labels = storageFrom(new Int32Array([0, 1, 2, 10, -1]));
    const logits = allocStorage('float32', 50, { zero: true });
    const loss = allocStorage('float32', 5);
    const grad = allocStorage('float32', 50);
    const dl = storageFrom(new Float32Array([1]));
    const L = ptrOf(labels);
    for (const name of ['cross_entropy_f32', 'cross_entropy_f32_ref']) {
      expectStatus(name, [ptrOf(logits), L, 5, 10, 0, 0, ptrOf(loss)], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([3, 10]);
    }
    for (const name of ['cross_entropy_backward_f32', 'cross_entropy_backward_f32_ref']) {
      expectStatus(name, [ptrOf(logits), L, 5, 10, 0, ptrOf(dl), 1, 1, ptrOf(grad)], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([3, 10]);
    }
    // via the wrapper: the message of the contract
    expect(() => kernels.crossEntropy(logits, labels, 5, 10, 0, 'none', loss)).toThrow('cross_entropy_f32: label 10 at index 3 is outside [0, 10)');
    const neg = storageFrom(new Int32Array([0, -1]));
    expect(() => kernels.crossEntropy(logits, neg, 2, 10, 0, 'mean', loss)).toThrow('label -1 at index 1 is outside [0, 10)');
    for (const s of [labels, logits, loss, grad, dl, neg]) s.dispose();
  });

  it('gathers report the position and the index', () => {
    const idx = storageFrom(new Int32Array([0, 15, 16]));
    const u = allocStorage('uint8', 64);
    const f = allocStorage('float32', 64);
    const i = allocStorage('int32', 16);
    const y = allocStorage('float32', 12);
    const yi = allocStorage('int32', 3);
    for (const name of ['gather_u8_to_f32', 'gather_u8_to_f32_ref']) {
      expectStatus(name, [ptrOf(u), 64, 4, ptrOf(idx), 3, 1, ptrOf(y)], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([2, 16]);
    }
    for (const name of ['gather_f32', 'gather_f32_ref']) {
      expectStatus(name, [ptrOf(f), 64, 4, ptrOf(idx), 3, ptrOf(y)], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([2, 16]);
    }
    for (const name of ['gather_i32', 'gather_i32_ref']) {
      expectStatus(name, [ptrOf(i), 16, ptrOf(idx), 3, ptrOf(yi)], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([2, 16]);
    }
    expect(() => kernels.gatherU8ToF32(u, 4, idx, 1, y)).toThrow('gather_u8_to_f32: index 16 at position 2 is outside [0, 16) (the rows of src)');
    for (const s of [idx, u, f, i, y, yi]) s.dispose();
  });
});

describe('4 INDEX_OUT_OF_RANGE: values with no int32 result', () => {
  const raw = () => rawExports();
  it('cast_f32_to_i32 and binary_i32 (fast and ref) report the first bad element and write nothing', () => {
    const x = storageFrom(new Float32Array([1.5, -2, 2147483648, NaN]));
    const y = storageFrom(new Int32Array(4).fill(9));
    expectStatus('cast_f32_to_i32', [ptrOf(x), ptrOf(y), 4], Status.INDEX_OUT_OF_RANGE);
    expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([2, 0]);
    expect(() => kernels.cast(x, y)).toThrow('cast_f32_to_i32: float32 value 2147483648 at index 2 cannot be represented as int32');
    const a = storageFrom(new Int32Array([1, 2, 2147483647, -2147483648]));
    const b = storageFrom(new Int32Array([1]));
    for (const name of ['binary_i32', 'binary_i32_ref']) {
      expectStatus(name, [0, ptrOf(a), 4, ptrOf(b), 1, ptrOf(y), 4], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([2, 5]);
      expectStatus(name, [1, ptrOf(a), 4, ptrOf(b), 1, ptrOf(y), 4], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([3, 5]);
    }
    expect(Array.from(y.i32())).toEqual([9, 9, 9, 9]);
    expect(() => kernels.binaryInt('mul', a, a, y)).toThrow('binary_i32: int32 overflow at element 2: 2147483647 * 2147483647 = 4611686014132420609 is outside [-2147483648, 2147483647]');
    for (const s of [x, y, a, b]) s.dispose();
  });
});

describe('4 INDEX_OUT_OF_RANGE: confusion', () => {
  const raw = () => rawExports();
  it('confusion_i32 (fast and ref) reports the position and the bad target or prediction, and writes nothing', () => {
    const pred = storageFrom(new Int32Array([0, 1, 2, 3, 0]));
    const target = storageFrom(new Int32Array([0, 1, -1, 0, 0]));
    const good = storageFrom(new Int32Array([0, 1, 2, 2, 0]));
    const out = storageFrom(new Int32Array(9).fill(5));
    for (const name of ['confusion_i32', 'confusion_i32_ref']) {
      // target -1 at 2 comes before pred 3 at 3
      expectStatus(name, [ptrOf(pred), ptrOf(target), 5, 3, ptrOf(out)], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([2, -1]);
      expectStatus(name, [ptrOf(pred), ptrOf(good), 5, 3, ptrOf(out)], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([3, 3]);
      // no classes: the first sample is already out of range
      expectStatus(name, [ptrOf(good), ptrOf(good), 5, 0, ptrOf(out)], Status.INDEX_OUT_OF_RANGE);
      expect([raw().status_detail_index(), raw().status_detail_value()]).toEqual([0, 0]);
    }
    expect(Array.from(out.i32())).toEqual(new Array(9).fill(5));
    // via the wrapper: the message names the array, the value, the position and the range
    expect(() => kernels.confusion(pred, target, 3, out)).toThrow('confusion_i32: target class -1 at index 2 is outside [0, 3)');
    expect(() => kernels.confusion(pred, good, 3, out)).toThrow('confusion_i32: pred class 3 at index 3 is outside [0, 3)');
    for (const s of [pred, target, good, out]) s.dispose();
  });
});

describe('status → KernelError mapping', () => {
  it('every code has a message naming the parameter', () => {
    const p = paramsOf('gemm_f32');
    expect(describeStatus(1, p, 6, 0, 100)).toMatch(/'A' is a null pointer/);
    expect(describeStatus(2, p, 9, 0, 100)).toMatch(/'C' reaches past the end of wasm memory \(100 bytes\)/);
    expect(describeStatus(3, p, 6, 0, 100)).toMatch(/size of 'A' overflows/);
    expect(describeStatus(4, p, 3, 12, 100)).toMatch(/element 3 holds 12/);
    expect(describeStatus(5, p, 2, 7, 100)).toMatch(/invalid 'm' \(7\)/);
    expect(describeStatus(6, p, 0, 0, 100)).toMatch(/out of wasm memory/);
    expect(describeStatus(7, p, 7, 2, 100)).toMatch(/'B' is not 4-byte aligned/);
    expect(describeStatus(8, p, 9, 7, 100)).toMatch(/output 'C' overlaps input 'B'/);
    expect(describeStatus(42, p, 0, 0, 100)).toMatch(/unknown status 42/);
  });

  it('a wrapper turns a wasm status into a KernelError with kernel and code', () => {
    const x = allocStorage('float32', 8);
    try {
      kernels.relu(x, x); // exact in-place is refused by the core
      expect.fail('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(KernelError);
      const k = e as KernelError;
      expect(k.kernel).toBe('relu_f32');
      expect(k.code).toBe(Status.ALIASING);
      expect(k.message).toBe("relu_f32: output 'y' overlaps input 'x'; give the output its own buffer (status 8 ALIASING)");
    }
    x.dispose();
  });

  it('free refuses a misaligned pointer instead of corrupting the heap', () => {
    expect(rawExports().free(17, 4)).toBe(Status.MISALIGNED);
  });
});
