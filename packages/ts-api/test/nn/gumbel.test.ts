// nn.functional.gumbelSoftmax: its noise comes from the core's generator, not PyTorch's, so it is tested by
// its statistics (hard samples' class frequencies against softmax(logits)) and its gradients by hand.

import { describe, expect, it } from 'vitest';
import { manualSeed, nn, tensor, type Tensor } from '../../src/index.js';

const F = nn.functional;
const logitsData = [1.5, -0.3, 0.0, 2.2, -1.7];

function softmaxOf(v: number[], tau = 1): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp((x - m) / tau));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

describe('gumbelSoftmax', () => {
  it("hard samples' class frequencies follow softmax(logits) (chi-square, 4 degrees of freedom, fixed seed)", () => {
    const n = 20001;
    const rows = Array.from({ length: n }, () => logitsData);
    manualSeed(7);
    const y = F.gumbelSoftmax(tensor(rows), { hard: true });
    const flat = Array.from(y.toArray());
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < n; i++) {
      const row = flat.slice(i * 5, i * 5 + 5);
      expect(row.filter((v) => v === 1).length).toBe(1); // exactly one-hot
      expect(row.filter((v) => v === 0).length).toBe(4);
      counts[row.indexOf(1)]++;
    }
    const p = softmaxOf(logitsData);
    const chi2 = counts.reduce((acc, c, k) => acc + (c - n * p[k]) ** 2 / (n * p[k]), 0);
    expect(chi2).toBeLessThan(18.47); // the 0.999 quantile of chi-square with 4 degrees of freedom
  });

  it('with tau, dim = 0 and soft samples: rows are distributions; frequencies of their argmax follow softmax(logits)', () => {
    const n = 20001;
    const cols = logitsData.map((v) => Array.from({ length: n }, () => v)); // classes along dim 0
    manualSeed(11);
    const y = F.gumbelSoftmax(tensor(cols), { tau: 0.5, dim: 0 });
    const flat = Array.from(y.toArray());
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < n; i++) {
      const col = [0, 1, 2, 3, 4].map((k) => flat[k * n + i]);
      expect(Math.abs(col.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
      counts[col.indexOf(Math.max(...col))]++;
    }
    const p = softmaxOf(logitsData);
    const chi2 = counts.reduce((acc, c, k) => acc + (c - n * p[k]) ** 2 / (n * p[k]), 0);
    expect(chi2).toBeLessThan(18.47);
  });

  it("hard: forward is the soft sample's one-hot argmax; backward is the soft sample's softmax gradient / tau", () => {
    const tau = 0.7;
    const x0 = [[0.3, -1.2, 2.0, 0.5], [1.0, 1.0, -0.5, 0.0], [-2.0, 0.1, 0.2, 3.0]];
    const g = [[0.5, -1.0, 2.0, 0.25], [1.5, 0.0, -0.75, 1.0], [-0.5, 0.3, 0.9, -1.2]];
    manualSeed(3);
    const soft = F.gumbelSoftmax(tensor(x0), { tau }).tolist() as number[][];
    manualSeed(3); // the same noise again
    const x = tensor(x0, { requiresGrad: true });
    const hard: Tensor = F.gumbelSoftmax(x, { tau, hard: true });
    const h = hard.tolist() as number[][];
    hard.backward(tensor(g));
    const grad = x.grad!.tolist() as number[][];
    for (let i = 0; i < 3; i++) {
      const k = soft[i].indexOf(Math.max(...soft[i]));
      h[i].forEach((v, j) => expect(Math.abs(v - (j === k ? 1 : 0))).toBeLessThan(1e-6));
      const dot = soft[i].reduce((a, s, j) => a + s * g[i][j], 0);
      soft[i].forEach((s, j) => expect(grad[i][j]).toBeCloseTo((s * (g[i][j] - dot)) / tau, 5));
    }
  });

  it('refuses bad options', () => {
    const x = tensor([[1, 2, 3]]);
    expect(() => F.gumbelSoftmax(x, { tau: 0 })).toThrow('tau must be a finite number > 0, got 0');
    expect(() => F.gumbelSoftmax(x, { dim: 2 })).toThrow('dim must be an integer in [-2, 1] for logits of shape [1, 3], got 2');
    expect(() => F.gumbelSoftmax(tensor([1, 2], { dtype: 'int32' }))).toThrow('logits must be a float32 tensor, got int32');
  });
});
