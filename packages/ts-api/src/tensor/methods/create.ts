// Tensor methods of the joins and indexed ops (cat and stack are functions only, as in PyTorch).

import type { Tensor } from '../tensor.js';
import * as gt from '../ops/gather.js';
import * as jn from '../ops/join.js';
import { repeatInterleave } from '../ops/repeat-interleave.js';

declare module '../tensor.js' {
  interface Tensor {
    /** Pieces of `sizeOrSizes` along `dim` (copies), like `Tensor.split`. */
    split(sizeOrSizes: number | readonly number[], dim?: number): Tensor[];
    /** `chunks` pieces along `dim` with PyTorch's sizes (copies), like `Tensor.chunk`. */
    chunk(chunks: number, dim?: number): Tensor[];
    /** Tiles the tensor: `x.repeat(2, 3)` or `x.repeat([2, 3])`, like `Tensor.repeat`. */
    repeat(...sizes: (number | readonly number[])[]): Tensor;
    /** Each entry along `dim` repeated `repeats` times in place (flattened without dim), like `Tensor.repeat_interleave`. */
    repeatInterleave(repeats: number | Tensor, dim?: number | null): Tensor;
    /** Reversed along `dims`, like `Tensor.flip`. */
    flip(dims: number | readonly number[]): Tensor;
    /** Values at `index` (int32) along `dim`, like `Tensor.gather`. */
    gather(dim: number, index: Tensor): Tensor;
    /** A copy with `src` written at `index` along `dim`, like `Tensor.scatter` (out of place). */
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    /** A copy with `src` added at `index` along `dim`, like `Tensor.scatter_add` (out of place). */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** Entries at the 1-D int32 `index` along `dim`, like `Tensor.index_select`. */
    indexSelect(dim: number, index: Tensor): Tensor;
  }
}

/** `repeat(2, 3)` and `repeat([2, 3])`; anything that is not a number throws. */
function sizesArg(op: string, args: readonly (number | readonly number[])[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : args;
  return list.map((a, i) => {
    if (typeof a !== 'number') throw new Error(`${op}: expected the sizes as numbers or one array of numbers, got ${Array.isArray(a) ? 'an array' : typeof a} at position ${i}`);
    return a;
  });
}

export function installCreateMethods(proto: Tensor): void {
  proto.split = function (this: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] { return jn.split(this, sizeOrSizes, dim); };
  proto.chunk = function (this: Tensor, chunks: number, dim = 0): Tensor[] { return jn.chunk(this, chunks, dim); };
  proto.repeat = function (this: Tensor, ...sizes: (number | readonly number[])[]): Tensor { return jn.repeat(this, sizesArg('repeat', sizes)); };
  proto.repeatInterleave = function (this: Tensor, repeats: number | Tensor, dim?: number | null): Tensor { return repeatInterleave(this, repeats, dim); };
  proto.flip = function (this: Tensor, dims: number | readonly number[]): Tensor { return jn.flip(this, dims); };
  proto.gather = function (this: Tensor, dim: number, index: Tensor): Tensor { return gt.gather(this, dim, index); };
  proto.scatter = function (this: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor { return gt.scatter(this, dim, index, src); };
  proto.scatterAdd = function (this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor { return gt.scatterAdd(this, dim, index, src); };
  proto.indexSelect = function (this: Tensor, dim: number, index: Tensor): Tensor { return gt.indexSelect(this, dim, index); };
}
