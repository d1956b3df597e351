// Batch assembly (DataLoader) inside the wasm: gathers by index, fast vs reference, and the error a bad
// index gives.
import { describe, expect, it } from 'vitest';
import { KernelError, kernels, reference, type Kernels } from '../../src/backend/index.js';
import { SIZES, storageScope } from '../helpers/kernels.js';

const { from, zeros } = storageScope();

describe('gathers', () => {
  it('hand example: u8 images to a scaled f32 batch, labels, f32 rows', () => {
    const src = from(new Uint8Array([0, 1, 2, 3, 255, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24]));
    const y = zeros(10);
    kernels.gatherU8ToF32(src, 5, from(new Int32Array([2, 0])), 0.5, y);
    expect(Array.from(y.f32())).toEqual([10, 10.5, 11, 11.5, 12, 0, 0.5, 1, 1.5, 127.5]);
    const yi = zeros(3, 'int32');
    kernels.gatherI32(from(new Int32Array([7, 8, 9])), from(new Int32Array([1, 1, 2])), yi);
    expect(Array.from(yi.i32())).toEqual([8, 8, 9]);
    const yf = zeros(4);
    kernels.gatherF32(from(new Float32Array([1, 2, 3, 4, 5, 6])), 2, from(new Int32Array([2, 0])), yf);
    expect(Array.from(yf.f32())).toEqual([5, 6, 1, 2]);
  });

  for (const rowLen of [...SIZES, 784]) {
    it(`rowLen = ${rowLen}: fast = reference = definition`, () => {
      const rows = 9;
      const bytes = Uint8Array.from({ length: rows * rowLen }, (_, i) => (i * 37 + 11) % 256);
      const floats = Float32Array.from(bytes, (b) => b - 100.5);
      const idx = new Int32Array([8, 0, 3, 3, 7, 1]);
      const scale = 1 / 255;
      const u8 = (k: Kernels): Float32Array => {
        const y = zeros(idx.length * rowLen);
        k.gatherU8ToF32(from(bytes), rowLen, from(idx), scale, y);
        return y.f32().slice();
      };
      const f32 = (k: Kernels): Float32Array => {
        const y = zeros(idx.length * rowLen);
        k.gatherF32(from(floats), rowLen, from(idx), y);
        return y.f32().slice();
      };
      const want = new Float32Array(idx.length * rowLen);
      const wantF = new Float32Array(idx.length * rowLen);
      idx.forEach((r, i) => {
        for (let j = 0; j < rowLen; j++) {
          want[i * rowLen + j] = Math.fround(bytes[r * rowLen + j] * Math.fround(scale));
          wantF[i * rowLen + j] = floats[r * rowLen + j];
        }
      });
      expect(Array.from(u8(kernels))).toEqual(Array.from(want));
      expect(Array.from(u8(reference))).toEqual(Array.from(want));
      expect(Array.from(f32(kernels))).toEqual(Array.from(wantF));
      expect(Array.from(f32(reference))).toEqual(Array.from(wantF));
    });
  }

  it('a bad index throws a KernelError naming the position and the value, and writes nothing', () => {
    const src = from(new Uint8Array(12)); // 3 rows of 4
    const y = from(new Float32Array(12).fill(-1));
    let err: unknown;
    try {
      kernels.gatherU8ToF32(src, 4, from(new Int32Array([0, 1, 3])), 1, y);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    const ke = err as KernelError;
    expect(ke.kernel).toBe('gather_u8_to_f32');
    expect(ke.code).toBe(4);
    expect(ke.message).toMatch(/gather_u8_to_f32: .*index 3 at position 2 is outside \[0, 3\)/);
    expect(Array.from(y.f32())).toEqual(new Array(12).fill(-1));

    expect(() => kernels.gatherU8ToF32(src, 4, from(new Int32Array([0, -1])), 1, y)).toThrow(/index -1 at position 1 is outside \[0, 3\)/);
    expect(() => kernels.gatherI32(from(new Int32Array([5, 6])), from(new Int32Array([0, 2])), zeros(2, 'int32'))).toThrow(
      /gather_i32: .*index 2 at position 1 is outside \[0, 2\)/,
    );
    expect(() => kernels.gatherF32(from(new Float32Array(6)), 2, from(new Int32Array([7])), zeros(2))).toThrow(
      /gather_f32: .*index 7 at position 0 is outside \[0, 3\)/,
    );
    expect(() => reference.gatherF32(from(new Float32Array(6)), 2, from(new Int32Array([1, 3])), zeros(4))).toThrow(KernelError);
  });

  it('checks the output size before calling the kernel', () => {
    expect(() => kernels.gatherF32(from(new Float32Array(6)), 2, from(new Int32Array([0, 1])), zeros(3))).toThrow(/y needs 4 floats/);
  });
});
