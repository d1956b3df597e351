/**
 * Wrappers over the conv family (conv/ in the core): 2-D convolution, pooling and batch norm, forward
 * and backward. The geometry travels as one object; the generated calls check every size and buffer.
 */
import * as abi from './generated/index.js';
import type { Storage } from './memory.js';

/** A window over [planes, h, w] images: output size, kernel, stride, padding, dilation per axis. */
export interface Window2d {
  h: number; w: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
}

/** A pooling window: its oh, ow follow PyTorch's ceil-mode sizes when ceilMode is true (default floor). */
export interface PoolWindow2d extends Window2d {
  ceilMode?: boolean;
}

/** A convolution: batch, groups, input and output channels per group, and the window. */
export interface Conv2dGeometry extends Window2d {
  n: number; groups: number; cg: number; og: number;
}

export interface ConvKernels {
  /** y [n, groups·og, oh, ow] = conv2d(x, weight) + bias (null: none). */
  conv2d(x: Storage, weight: Storage, bias: Storage | null, y: Storage, g: Conv2dGeometry): void;
  conv2dBackwardInput(dy: Storage, weight: Storage, dx: Storage, g: Conv2dGeometry): void;
  conv2dBackwardWeight(x: Storage, dy: Storage, dweight: Storage, g: Conv2dGeometry): void;
  /** y and indices (int32, flat within each plane) of max pooling `planes` images. */
  maxPool2d(x: Storage, y: Storage, indices: Storage, planes: number, g: PoolWindow2d): void;
  maxPool2dBackward(dy: Storage, indices: Storage, dx: Storage, planes: number, g: Window2d): void;
  /** Average pooling; divisor 0: the window's size (with or without the padding). */
  avgPool2d(x: Storage, y: Storage, planes: number, g: PoolWindow2d, countIncludePad: boolean, divisor: number): void;
  avgPool2dBackward(dy: Storage, dx: Storage, planes: number, g: PoolWindow2d, countIncludePad: boolean, divisor: number): void;
  adaptiveAvgPool2d(x: Storage, y: Storage, planes: number, h: number, w: number, oh: number, ow: number): void;
  adaptiveAvgPool2dBackward(dy: Storage, dx: Storage, planes: number, h: number, w: number, oh: number, ow: number): void;
  /** Per-channel mean and biased variance of x [n, c, inner]. */
  batchNormStats(x: Storage, mean: Storage, variance: Storage, n: number, c: number, inner: number): void;
  batchNormApply(x: Storage, mean: Storage, variance: Storage, weight: Storage | null, bias: Storage | null, y: Storage,
                 n: number, c: number, inner: number, eps: number): void;
  batchNormBackward(x: Storage, dy: Storage, mean: Storage, variance: Storage, weight: Storage | null, dx: Storage,
                    dweight: Storage, dbias: Storage, n: number, c: number, inner: number, eps: number, batchStats: boolean): void;
}

function make(ref: boolean): ConvKernels {
  const win = (g: Window2d): [number, number, number, number, number, number, number, number, number, number, number, number] =>
    [g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw];
  return {
    conv2d: (x, weight, bias, y, g) =>
      abi.conv2d_f32(ref, x, weight, bias, y, g.n, g.groups, g.cg, g.og, ...win(g), bias !== null),
    conv2dBackwardInput: (dy, weight, dx, g) => abi.conv2d_backward_input_f32(ref, dy, weight, dx, g.n, g.groups, g.cg, g.og, ...win(g)),
    conv2dBackwardWeight: (x, dy, dweight, g) => abi.conv2d_backward_weight_f32(ref, x, dy, dweight, g.n, g.groups, g.cg, g.og, ...win(g)),
    maxPool2d: (x, y, indices, planes, g) => abi.max_pool2d_f32(ref, x, y, indices, planes, ...win(g), g.ceilMode === true),
    maxPool2dBackward: (dy, indices, dx, planes, g) => abi.max_pool2d_backward_f32(ref, dy, indices, dx, planes, g.h, g.w, g.oh, g.ow),
    avgPool2d: (x, y, planes, g, cip, divisor) =>
      abi.avg_pool2d_f32(ref, x, y, planes, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.ceilMode === true, cip, divisor),
    avgPool2dBackward: (dy, dx, planes, g, cip, divisor) =>
      abi.avg_pool2d_backward_f32(ref, dy, dx, planes, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.ceilMode === true, cip, divisor),
    adaptiveAvgPool2d: (x, y, planes, h, w, oh, ow) => abi.adaptive_avg_pool2d_f32(ref, x, y, planes, h, w, oh, ow),
    adaptiveAvgPool2dBackward: (dy, dx, planes, h, w, oh, ow) => abi.adaptive_avg_pool2d_backward_f32(ref, dy, dx, planes, h, w, oh, ow),
    batchNormStats: (x, mean, variance, n, c, inner) => abi.batch_norm_stats_f32(ref, x, mean, variance, n, c, inner),
    batchNormApply: (x, mean, variance, weight, bias, y, n, c, inner, eps) =>
      abi.batch_norm_apply_f32(ref, x, mean, variance, weight, bias, y, n, c, inner, eps, weight !== null),
    batchNormBackward: (x, dy, mean, variance, weight, dx, dweight, dbias, n, c, inner, eps, batchStats) =>
      abi.batch_norm_backward_f32(ref, x, dy, mean, variance, weight, dx, dweight, dbias, n, c, inner, eps, weight !== null, batchStats),
  };
}

/** The fast kernels (im2col + GEMM for convolution). */
export const convKernels: ConvKernels = make(false);
/** The scalar references (direct loops), same signatures. */
export const convReference: ConvKernels = make(true);
