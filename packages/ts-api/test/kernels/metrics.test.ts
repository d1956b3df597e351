// Metrics inside the wasm (metrics.rs): the confusion matrix, fast vs reference and against the definition
// counted here, a hand-worked example, accumulation across calls, and the error a bad class gives.
import { describe, expect, it } from 'vitest';
import { KernelError, kernels, reference } from '../../src/backend/index.js';
import { IMPLEMENTATIONS, SIZES, storageScope } from '../helpers/kernels.js';

const { ints, zeros } = storageScope();

/** counts[t][p] by definition (row = true class, column = predicted). */
function confusion64(pred: Int32Array, target: Int32Array, classes: number, start?: Int32Array): number[] {
  const m = start === undefined ? new Array<number>(classes * classes).fill(0) : Array.from(start);
  for (let i = 0; i < pred.length; i++) m[target[i] * classes + pred[i]]++;
  return m;
}

describe.each(IMPLEMENTATIONS)('confusion (%s)', (_name, k) => {
  it('hand-worked 3-class example: rows are the true classes, columns the predictions', () => {
    //   (target, pred) = (0,0) (0,1) (1,1) (2,1) (2,2) (2,2)
    const out = zeros(9, 'int32');
    k.confusion(ints([0, 1, 1, 1, 2, 2]), ints([0, 0, 1, 2, 2, 2]), 3, out);
    expect(Array.from(out.i32())).toEqual([
      1, 1, 0, // true 0: one right, one taken for 1
      0, 1, 0, // true 1: right
      0, 1, 2, // true 2: one taken for 1, two right
    ]);
    // counts are added: a second batch goes into the same matrix
    k.confusion(ints([2, 0]), ints([0, 1]), 3, out);
    expect(Array.from(out.i32())).toEqual([1, 1, 1, 1, 1, 0, 0, 1, 2]);
  });

  it('no samples leave out unchanged; longer out buffers keep their tail', () => {
    const out = ints([3, 1, 4, 1, 5]);
    k.confusion(zeros(0, 'int32'), zeros(0, 'int32'), 2, out);
    k.confusion(ints([1]), ints([0]), 2, out);
    expect(Array.from(out.i32())).toEqual([3, 2, 4, 1, 5]);
  });
});

describe('confusion: fast = reference = definition', () => {
  for (const n of [...SIZES, 10_000]) {
    for (const classes of [1, 2, 10, 17]) {
      it(`n = ${n}, classes = ${classes}`, () => {
        const target = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % classes);
        const pred = Int32Array.from({ length: n }, (_, i) => (i * i * 5 + (i >> 2)) % classes);
        const start = Int32Array.from({ length: classes * classes }, (_, j) => j * 3);
        const want = confusion64(pred, target, classes, start);
        const fast = ints(start);
        const ref = ints(start);
        kernels.confusion(ints(pred), ints(target), classes, fast);
        reference.confusion(ints(pred), ints(target), classes, ref);
        expect(Array.from(fast.i32())).toEqual(want);
        expect(Array.from(ref.i32())).toEqual(want);
      });
    }
  }
});

describe('confusion: a class outside [0, classes)', () => {
  it('throws a KernelError naming the array, position and value, and writes nothing (fast and ref)', () => {
    for (const [k, name] of [[kernels, 'confusion_i32'], [reference, 'confusion_i32_ref']] as const) {
      const out = ints(new Array(100).fill(-7));
      let err: unknown;
      try {
        k.confusion(ints([0, 1, 2, 10, 4]), ints([0, 1, 2, 3, 4]), 10, out);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KernelError);
      const ke = err as KernelError;
      expect(ke.kernel).toBe(name);
      expect(ke.code).toBe(4);
      expect(ke.message).toBe(`${name}: pred class 10 at index 3 is outside [0, 10)`);
      expect(() => k.confusion(ints([0, 1]), ints([0, -3]), 10, out)).toThrow(`${name}: target class -3 at index 1 is outside [0, 10)`);
      expect(Array.from(out.i32())).toEqual(new Array(100).fill(-7));
    }
  });
});
