// Pooling over the last two dims (PyTorch's F.max_pool2d, avg_pool2d, adaptive_avg_pool2d) of
// [N, C, H, W] or unbatched [C, H, W] input, with gradients, in floor or ceil mode.

import { convKernels, type PoolWindow2d } from '../../backend/index.js';
import { checkOptions } from '../../options.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { outSize, pair, type Size2 } from './conv.js';
import { empty } from './create.js';
import { requireFloat, requireTensor } from './util.js';

export interface MaxPool2dOptions {
  /** Defaults to kernelSize. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

export interface AvgPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

function planesOf(op: string, x: Tensor): { lead: number[]; planes: number; h: number; w: number } {
  requireTensor(x, op, 'input');
  requireFloat(x, op);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`${op}: Expected 3D or 4D (batch mode) tensor for input, got input of size: ${formatShape(x.shape)}`);
  }
  const lead = x.shape.slice(0, -2);
  const [h, w] = x.shape.slice(-2);
  if (x.shape.slice(1).some((d) => d === 0)) {
    throw new Error(`${op}: Expected input's non-batch dimensions to have positive length, but input has a shape of ${formatShape(x.shape)}`);
  }
  return { lead, planes: lead.reduce((a, b) => a * b, 1), h, w };
}

/**
 * PyTorch's pooling_output_shape: floor or ceil of the window count, and in ceil mode one less when the
 * last window would start past the input and its left padding (so that every window holds an element).
 */
function poolOutSize(len: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  if (!ceil) return outSize(len, k, s, p, d);
  const out = Math.floor((len + 2 * p - d * (k - 1) - 1 + s - 1) / s) + 1;
  return (out - 1) * s >= len + p ? out - 1 : out;
}

/** ceilMode: undefined (false) or a boolean, as PyTorch's bool argument; anything else throws naming it. */
export function checkCeilMode(op: string, ceilMode: unknown): boolean {
  if (ceilMode !== undefined && typeof ceilMode !== 'boolean') throw new Error(`${op}: ceilMode must be a boolean, got ${typeof ceilMode === 'string' ? JSON.stringify(ceilMode) : String(ceilMode)}`);
  return ceilMode === true;
}

/** The window of a pooling op, with PyTorch's checks and messages. */
function poolWindow(op: string, x: Tensor, h: number, w: number, kernelSize: unknown, stride: unknown, padding: unknown, dilation: unknown, ceilMode: unknown): PoolWindow2d {
  const ceil = checkCeilMode(op, ceilMode);
  const k = pair(op, 'kernelSize', kernelSize, 1);
  const s = stride === undefined || stride === null || (Array.isArray(stride) && stride.length === 0) ? k : pair(op, 'stride', stride, 1);
  const p = pair(op, 'padding', padding ?? 0, 0);
  const d = pair(op, 'dilation', dilation ?? 1, 1);
  if (p[0] > Math.floor(k[0] / 2) || p[1] > Math.floor(k[1] / 2)) {
    throw new Error(`${op}: pad should be at most half of effective kernel size, but got pad=${p[0]}x${p[1]}, kernel_size=${k[0]}x${k[1]} and dilation=${d[0]}x${d[1]}`);
  }
  const [oh, ow] = [poolOutSize(h, k[0], s[0], p[0], d[0], ceil), poolOutSize(w, k[1], s[1], p[1], d[1], ceil)];
  if (oh < 1 || ow < 1) {
    throw new Error(`${op}: Given input size: ${formatShape(x.shape)}. Calculated output size: [${oh}, ${ow}]. Output size is too small`);
  }
  return { h, w, oh, ow, kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], ceilMode: ceil };
}

/** Max over each window; with returnIndices also the flat index of each maximum in its H×W plane (int32). */
export function maxPool2d(input: Tensor, kernelSize: Size2, options?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: Size2, options: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: Size2, options: MaxPool2dOptions = {}): Tensor | [Tensor, Tensor] {
  const op = 'maxPool2d';
  checkOptions(op, options, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices']);
  const { lead, planes, h, w } = planesOf(op, input);
  const g = poolWindow(op, input, h, w, kernelSize, options.stride, options.padding, options.dilation, options.ceilMode);
  const y = empty([...lead, g.oh, g.ow]);
  const indices = empty([...lead, g.oh, g.ow], 'int32');
  convKernels.maxPool2d(input.storage(op), y.storage(op), indices.storage(op), planes, g);
  y.record(op, [input], (gy) => {
    const dx = empty(input.shape);
    convKernels.maxPool2dBackward(gy.storage(op), indices.storage(op), dx.storage(op), planes, g);
    return [dx];
  }, []);
  if (options.returnIndices === true) return [y, indices];
  if (!y.requiresGrad) indices.dispose();
  return y;
}

/** The mean of each window (count_include_pad and divisor_override as PyTorch's). */
export function avgPool2d(input: Tensor, kernelSize: Size2, options: AvgPool2dOptions = {}): Tensor {
  const op = 'avgPool2d';
  checkOptions(op, options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  const { lead, planes, h, w } = planesOf(op, input);
  const g = poolWindow(op, input, h, w, kernelSize, options.stride, options.padding, 1, options.ceilMode);
  const include = options.countIncludePad ?? true;
  if (typeof include !== 'boolean') throw new Error(`${op}: countIncludePad must be a boolean, got ${String(include)}`);
  const divisor = options.divisorOverride ?? 0;
  if (options.divisorOverride !== undefined && options.divisorOverride !== null) {
    if (!Number.isInteger(divisor)) throw new Error(`${op}: divisorOverride must be an integer, got ${String(divisor)}`);
    if (divisor === 0) throw new Error(`${op}: divisor must be not zero`);
    if (divisor < 0) throw new Error(`${op}: divisorOverride must be positive, got ${divisor}`);
  }
  const y = empty([...lead, g.oh, g.ow]);
  convKernels.avgPool2d(input.storage(op), y.storage(op), planes, g, include, divisor);
  return y.record(op, [input], (gy) => {
    const dx = empty(input.shape);
    convKernels.avgPool2dBackward(gy.storage(op), dx.storage(op), planes, g, include, divisor);
    return [dx];
  }, []);
}

/** Average pooling to a fixed output size (null in a pair keeps that input size). */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  const op = 'adaptiveAvgPool2d';
  const { lead, planes, h, w } = planesOf(op, input);
  const raw = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) && outputSize.length === 2 ? outputSize : null;
  if (raw === null) throw new Error(`${op}: outputSize must be an integer or a pair [h, w], got ${JSON.stringify(outputSize)}`);
  const [oh, ow] = [raw[0] ?? h, raw[1] ?? w];
  for (const v of [oh, ow]) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${op}: outputSize must hold non-negative integers (or null), got ${JSON.stringify(outputSize)}`);
  }
  const y = empty([...lead, oh, ow]);
  convKernels.adaptiveAvgPool2d(input.storage(op), y.storage(op), planes, h, w, oh, ow);
  return y.record(op, [input], (gy) => {
    const dx = empty(input.shape);
    convKernels.adaptiveAvgPool2dBackward(gy.storage(op), dx.storage(op), planes, h, w, oh, ow);
    return [dx];
  }, []);
}
