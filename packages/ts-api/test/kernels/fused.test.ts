// The fused softmax-regression step in the wasm: the same bits as the separate kernels on the gathered
// batch (fit's plain path), the reference within rounding, and a bad label reported before any write.
import { describe, expect, it } from 'vitest';
import { KernelError, kernels, reference, type Kernels } from '../../src/backend/index.js';
import { storageScope } from '../helpers/kernels.js';

const { from, zeros } = storageScope();

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** fit's plain path with kernels `k`: gather, bias + gemm, loss, sum, argmax, mean's backward, dW, db. */
function separate(k: Kernels, px: Uint8Array, targets: Int32Array, idx: Int32Array, inF: number, classes: number, w: Float32Array,
  b: Float32Array, reduction: number): { gw: Float32Array; gb: Float32Array; stats: number[] } {
  const rows = idx.length;
  const x = zeros(rows * inF);
  k.gatherU8ToF32(from(px), inF, from(idx), 1 / 255, x);
  const y = zeros(rows, 'int32');
  k.gatherI32(from(targets), from(idx), y);
  const logits = zeros(rows * classes);
  k.expand(from(b), logits, [rows, classes], [0, 1]);
  k.gemm(false, true, rows, classes, inF, 1, x, from(w), 1, logits);
  const loss = zeros(reduction === 0 ? rows : 1);
  k.crossEntropy(logits, y, rows, classes, 0, (['none', 'mean', 'sum'] as const)[reduction], loss);
  const total = zeros(1);
  if (reduction === 0) k.sumAxis(loss, total, 1, rows, 1);
  else k.copy(loss, total);
  const pred = zeros(rows, 'int32');
  k.argmaxAxis(logits, pred, rows, classes, 1);
  const labels = y.i32();
  const correct = Array.from(pred.i32()).filter((p, i) => p === labels[i]).length;
  const dloss = from(new Float32Array([reduction === 0 ? Math.fround(1 / rows) : 1]));
  const dlogits = zeros(rows * classes);
  k.crossEntropyBackward(logits, y, rows, classes, 0, dloss, reduction === 1 ? 1 / rows : 1, dlogits);
  const gw = zeros(classes * inF);
  k.gemm(true, false, classes, inF, rows, 1, dlogits, x, 0, gw);
  const gb = zeros(classes);
  k.biasGrad(dlogits, gb, rows, classes);
  return { gw: gw.f32().slice(), gb: gb.f32().slice(), stats: [total.f32()[0], correct] };
}

function fused(k: Kernels, px: Uint8Array, targets: Int32Array, idx: Int32Array, inF: number, classes: number, w: Float32Array,
  b: Float32Array, reduction: number): { gw: Float32Array; gb: Float32Array; stats: number[] } {
  const gw = zeros(classes * inF);
  const gb = zeros(classes);
  const stats = zeros(2);
  k.linearCeStepU8(from(px), from(targets), from(idx), {
    inFeatures: inF, classes, scale: 1 / 255, weight: from(w), bias: from(b), labelSmoothing: 0, reduction, gradW: gw, gradB: gb, stats,
  });
  return { gw: gw.f32().slice(), gb: gb.f32().slice(), stats: Array.from(stats.f32()) };
}

describe('linear_ce_step_u8_f32', () => {
  for (const [rows, inF, classes] of [[256, 784, 10], [37, 29, 10], [5, 17, 3], [70, 51, 21]]) {
    for (const reduction of [0, 1, 2]) {
      it(`${rows} rows × ${inF} → ${classes}, reduction ${reduction}: the bits of the separate kernels`, () => {
        const count = rows + 13;
        const px = Uint8Array.from({ length: count * inF }, (_, i) => (i * 131 + 7) % 256);
        const targets = Int32Array.from({ length: count }, (_, i) => (i * 7) % classes);
        const idx = Int32Array.from({ length: rows }, (_, i) => (i * 17 + 3) % count);
        const w = Float32Array.from({ length: classes * inF }, (_, i) => Math.sin(i) * 0.05);
        const b = Float32Array.from({ length: classes }, (_, i) => Math.cos(i) * 0.1);
        const want = separate(kernels, px, targets, idx, inF, classes, w, b, reduction);
        const got = fused(kernels, px, targets, idx, inF, classes, w, b, reduction);
        expect(bits(got.gw)).toEqual(bits(want.gw));
        expect(bits(got.gb)).toEqual(bits(want.gb));
        expect(got.stats).toEqual(want.stats);
        const ref = fused(reference, px, targets, idx, inF, classes, w, b, reduction);
        for (let i = 0; i < ref.gw.length; i++) expect(Math.abs(ref.gw[i] - want.gw[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want.gw[i])));
        expect(ref.stats[1]).toBe(want.stats[1]);
        expect(Math.abs(ref.stats[0] - want.stats[0])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want.stats[0])));
      });
    }
  }

  it('a label outside the classes is status 4 naming its row, and nothing is written', () => {
    const gw = zeros(6);
    gw.f32().fill(7);
    const stats = zeros(2);
    const run = (): void => kernels.linearCeStepU8(from(new Uint8Array(3 * 3)), from(new Int32Array([0, 1, 5])), from(new Int32Array([1, 2])), {
      inFeatures: 3, classes: 2, scale: 1, weight: from(new Float32Array(6)), bias: null, labelSmoothing: 0, reduction: 0, gradW: gw, gradB: null, stats,
    });
    expect(run).toThrow(KernelError);
    expect(run).toThrow('linear_ce_step_u8_f32: element 1 holds 5, which is out of range (status 4 INDEX_OUT_OF_RANGE)');
    expect(Array.from(gw.f32())).toEqual([7, 7, 7, 7, 7, 7]);
  });
});
