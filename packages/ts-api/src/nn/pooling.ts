// nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d: PyTorch's arguments and printed form.

import { checkOptions } from '../options.js';
import type { Size2 } from '../tensor/ops/conv.js';
import { adaptiveAvgPool2d, avgPool2d, checkCeilMode, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions } from '../tensor/ops/pool.js';
import type { Tensor } from '../tensor/tensor.js';
import { describable, Module } from './module.js';

/** Python's text for an int or a tuple. */
const py = (v: unknown): string => (Array.isArray(v) ? `(${v.map((x) => (x === null ? 'None' : String(x))).join(', ')})` : v === null ? 'None' : String(v));

export class MaxPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;

  constructor(kernelSize: Size2, options: MaxPool2dOptions = {}) {
    super();
    checkOptions('MaxPool2d', options, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices']);
    if (options.returnIndices === true) throw new Error('MaxPool2d: returnIndices true is not supported by the layer (its forward returns one tensor); use nn.functional.maxPool2d(x, k, { returnIndices: true })');
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.ceilMode = checkCeilMode('MaxPool2d', options.ceilMode);
    this.returnIndices = false;
  }

  forward(input: Tensor): Tensor {
    return maxPool2d(input, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, dilation=${py(this.dilation)}, ceil_mode=${this.ceilMode ? 'True' : 'False'}`;
  }
}

export class AvgPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Size2, options: AvgPool2dOptions = {}) {
    super();
    checkOptions('AvgPool2d', options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = checkCeilMode('AvgPool2d', options.ceilMode);
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  // PyTorch's AvgPool2d prints only these three (not ceil_mode, count_include_pad or divisor_override).
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

// A description without ceilMode (written before it existed) rebuilds in floor mode.
describable(MaxPool2d, 'MaxPool2d', (m) => ({
  kernelSize: m.kernelSize, stride: m.stride, padding: m.padding, dilation: m.dilation, ceilMode: m.ceilMode,
}), (d) => new MaxPool2d(d.kernelSize as Size2, {
  stride: d.stride as Size2, padding: d.padding as Size2, dilation: d.dilation as Size2, ceilMode: (d.ceilMode ?? false) as boolean,
}));
describable(AvgPool2d, 'AvgPool2d', (m) => ({
  kernelSize: m.kernelSize, stride: m.stride, padding: m.padding, ceilMode: m.ceilMode,
  countIncludePad: m.countIncludePad, divisorOverride: m.divisorOverride,
}), (d) => new AvgPool2d(d.kernelSize as Size2, {
  stride: d.stride as Size2, padding: d.padding as Size2, ceilMode: (d.ceilMode ?? false) as boolean,
  countIncludePad: d.countIncludePad as boolean, divisorOverride: d.divisorOverride as number | null,
}));
describable(AdaptiveAvgPool2d, 'AdaptiveAvgPool2d', (m) => ({ outputSize: m.outputSize }),
  (d) => new AdaptiveAvgPool2d(d.outputSize as number | [number | null, number | null]));
