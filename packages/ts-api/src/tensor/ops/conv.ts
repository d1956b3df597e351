// conv2d (PyTorch's F.conv2d: NCHW, stride, padding incl. 'same' / 'valid', dilation, groups) with the
// gradients of input, weight and bias; the core runs it as im2col + GEMM.

import { convKernels, kernels } from '../../backend/index.js';
import { checkOptions } from '../../options.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { requireFloat, requireTensor } from './util.js';
import { narrow, squeeze, unsqueeze } from './view.js';

/** A size per spatial axis: one number for both, or [rows, columns]. */
export type Size2 = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Size2;
  /** Zeros added on both sides, or 'valid' (none) / 'same' (the output keeps the input's size; stride 1). */
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  groups?: number;
}

/** [rows, cols] from a number or a pair of integers ≥ min; the message names `op` and `name`. */
export function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : null;
  if (p === null || !p.every((x) => typeof x === 'number' && Number.isInteger(x))) {
    throw new Error(`${op}: ${name} must be an integer or a pair [h, w] of integers, got ${JSON.stringify(v)}`);
  }
  if (p.some((x: number) => x < min)) {
    throw new Error(`${op}: ${name} must be ${min === 0 ? 'non-negative' : `at least ${min}`}, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

/** PyTorch's output size (floor mode) along one axis. */
export function outSize(len: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((len + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/** 2-D convolution of input [N, C, H, W] (or unbatched [C, H, W]) with weight [O, C/groups, kH, kW]. */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  checkOptions(op, options, ['stride', 'padding', 'dilation', 'groups']);
  requireTensor(input, op, 'input');
  requireTensor(weight, op, 'weight');
  requireFloat(input, op);
  requireFloat(weight, op);
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new Error(`conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${formatShape(input.shape)}`);
  }
  if (weight.ndim !== 4) throw new Error(`conv2d: weight must be 4-D [out, in/groups, kH, kW], got ${formatShape(weight.shape)}`);
  const [stride, dilation] = [pair(op, 'stride', options.stride ?? 1, 1), pair(op, 'dilation', options.dilation ?? 1, 1)];
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: non-positive groups is not supported, got groups=${String(groups)}`);
  const [oc, cg, kh, kw] = weight.shape;
  const x = input.ndim === 3 ? unsqueeze(input, 0) : input;
  const [n, c, h, w] = x.shape;
  if (oc % groups !== 0) {
    throw new Error(`conv2d: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of shape ${formatShape(weight.shape)} instead`);
  }
  if (c !== cg * groups) {
    throw new Error(`conv2d: Given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input${formatShape(x.shape)} to have ${cg * groups} channels, but got ${c} channels instead`);
  }
  if (bias !== null) {
    requireTensor(bias, op, 'bias');
    requireFloat(bias, op);
    if (bias.ndim !== 1 || bias.shape[0] !== oc) throw new Error(`conv2d: bias must have shape [${oc}], got ${formatShape(bias.shape)}`);
  }
  // 'same' with an odd total padding pads one more on the top / left, then drops the first output row / column.
  let pad: [number, number];
  const trim = [0, 0];
  if (options.padding === 'valid') pad = [0, 0];
  else if (options.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new Error("conv2d: padding='same' is not supported for strided convolutions");
    const total = [dilation[0] * (kh - 1), dilation[1] * (kw - 1)];
    pad = [Math.ceil(total[0] / 2), Math.ceil(total[1] / 2)];
    trim[0] = total[0] % 2;
    trim[1] = total[1] % 2;
  } else if (typeof options.padding === 'string') {
    throw new Error(`conv2d: Invalid padding string '${options.padding}', should be one of {'valid', 'same'}`);
  } else pad = pair(op, 'padding', options.padding ?? 0, 0);
  const [oh, ow] = [outSize(h, kh, stride[0], pad[0], dilation[0]), outSize(w, kw, stride[1], pad[1], dilation[1])];
  if (oh < 1 || ow < 1) {
    throw new Error(`conv2d: Calculated padded input size per channel: (${h + 2 * pad[0]} x ${w + 2 * pad[1]}). Kernel size: (${dilation[0] * (kh - 1) + 1} x ${dilation[1] * (kw - 1) + 1}). Kernel size can't be greater than actual input size`);
  }
  const g = { n, groups, cg, og: oc / groups, h, w, oh, ow, kh, kw, sh: stride[0], sw: stride[1], ph: pad[0], pw: pad[1], dh: dilation[0], dw: dilation[1] };
  const y = empty([n, oc, oh, ow]);
  convKernels.conv2d(x.storage(op), weight.storage(op), bias === null ? null : bias.storage(op), y.storage(op), g);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  let out: Tensor = y.record(op, inputs, (gy) => {
    const dx = x.requiresGrad ? empty(x.shape) : null;
    if (dx !== null) convKernels.conv2dBackwardInput(gy.storage(op), weight.storage(op), dx.storage(op), g);
    const dw = weight.requiresGrad ? empty(weight.shape) : null;
    if (dw !== null) convKernels.conv2dBackwardWeight(x.storage(op), gy.storage(op), dw.storage(op), g);
    if (bias === null) return [dx, dw];
    const db = bias.requiresGrad ? empty([oc]) : null;
    if (db !== null) {
      const perSample = empty([n, oc]);
      kernels.sumAxis(gy.storage(op), perSample.storage(op), n * oc, oh * ow, 1);
      kernels.sumAxis(perSample.storage(op), db.storage(op), 1, n, oc);
      perSample.dispose();
    }
    return [dx, dw, db];
  });
  if (trim[0] === 1) out = narrow(out, 2, 1, oh - 1);
  if (trim[1] === 1) out = narrow(out, 3, 1, ow - 1);
  return input.ndim === 3 ? squeeze(out, 0) : out;
}
