// nn.Conv2d: PyTorch's arguments, default initialisation (torch/nn/modules/conv.py) and state-dict names.

import { checkOptions } from '../options.js';
import { conv2d, pair, type Size2 } from '../tensor/ops/conv.js';
import { empty } from '../tensor/ops/create.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init.js';
import { describable, Module } from './module.js';
import { Parameter } from './parameter.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface Conv2dOptions {
  stride?: Size2;
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
  /** Only 'zeros' is supported; the others throw naming themselves. */
  paddingMode?: PaddingMode;
}

/** Python's tuple text: (5, 5). */
const tuple = (p: readonly number[]): string => `(${p.join(', ')})`;

export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode = 'zeros';
  weight: Tensor;
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dOptions = {}) {
    super();
    const op = 'Conv2d';
    checkOptions(op, options, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']);
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1) throw new Error(`Conv2d: groups must be a positive integer, got ${String(groups)}`);
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Conv2d: ${name} must be a positive integer, got ${String(v)}`);
      if (v % groups !== 0) throw new Error(`Conv2d: ${name === 'inChannels' ? 'in_channels' : 'out_channels'} must be divisible by groups (${name} ${v}, groups ${groups})`);
    }
    const mode = options.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) {
      throw new Error(`Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got ${JSON.stringify(mode)}`);
    }
    if (mode !== 'zeros') throw new Error(`Conv2d: paddingMode '${mode}' is not supported (only 'zeros')`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(op, 'kernelSize', kernelSize, 1);
    this.stride = pair(op, 'stride', options.stride ?? 1, 1);
    this.dilation = pair(op, 'dilation', options.dilation ?? 1, 1);
    const padding = options.padding ?? 0;
    if (padding === 'same' || padding === 'valid') {
      if (padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw new Error("Conv2d: padding='same' is not supported for strided convolutions");
      }
      this.padding = padding;
    } else if (typeof padding === 'string') {
      throw new Error(`Conv2d: Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
    } else this.padding = pair(op, 'padding', padding, 0);
    this.groups = groups;
    this.weight = Parameter(empty([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = options.bias === false ? null : Parameter(empty([outChannels]));
    this.resetParameters();
  }

  /** Kaiming-uniform weight with a = √5 and bias U(±1/√fan_in), exactly as PyTorch. */
  resetParameters(): void {
    kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    if ((input.ndim !== 3 && input.ndim !== 4) || input.shape[input.ndim - 3] !== this.inChannels) {
      throw new Error(`Conv2d(${this.inChannels}→${this.outChannels}) got input of shape ${formatShape(input.shape)}; expected [N, ${this.inChannels}, H, W] or [${this.inChannels}, H, W]`);
    }
    return conv2d(input, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${tuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}

describable(Conv2d, 'Conv2d', (m) => ({
  inChannels: m.inChannels, outChannels: m.outChannels, kernelSize: m.kernelSize, stride: m.stride, padding: m.padding,
  dilation: m.dilation, groups: m.groups, bias: m.bias !== null,
}), (d) => new Conv2d(d.inChannels as number, d.outChannels as number, d.kernelSize as [number, number], {
  stride: d.stride as [number, number], padding: d.padding as [number, number] | 'same' | 'valid',
  dilation: d.dilation as [number, number], groups: d.groups as number, bias: d.bias as boolean,
}));
