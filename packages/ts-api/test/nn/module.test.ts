// nn.Module and the layers: names, apply order, train/eval, state dicts, PyTorch's init, errors.

import { describe, expect, it } from 'vitest';
import { nn, manualSeed, tensor, randn, type Tensor } from '../../src/index.js';
import { expectClose, values } from '../helpers/gradcheck.js';

describe('Module tree', () => {
  it('Sequential names parameters like PyTorch and apply visits children first', () => {
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    expect(net.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['1.weight', [10, 784]],
      ['1.bias', [10]],
    ]);
    expect(net.children().length).toBe(2);
    expect(net.modules().map((m) => m.constructor.name)).toEqual(['Sequential', 'Flatten', 'Linear']);
    const order: string[] = [];
    net.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Flatten', 'Linear', 'Sequential']);
    expect(Object.keys(net.stateDict())).toEqual(['1.weight', '1.bias']);
  });

  it('custom modules with branches find their layers and parameters by property, in order', () => {
    class TwoPath extends nn.Module {
      left = new nn.Linear(4, 3);
      right = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU());
      scale = nn.Parameter(tensor([2]));
      forward(x: Tensor): Tensor {
        return this.left.forward(x).add(this.right.forward(x)).mul(this.scale);
      }
    }
    const m = new TwoPath();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale', 'left.weight', 'left.bias', 'right.0.weight', 'right.0.bias']);
    const x = randn([5, 4]);
    m.forward(x).sum().backward();
    for (const p of m.parameters()) expect(p.grad?.shape).toEqual(p.shape);
  });

  it('nn.Parameter of a computed tensor is its detach() as a leaf, as PyTorch (d2l 4.2: randn(…) * 0.01)', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const t = a.mul(0.01);
    const p = nn.Parameter(t);
    // torch: p.is_leaf True, p.requires_grad True, p.grad_fn None; t keeps its MulBackward0
    expect(p.isLeaf).toBe(true);
    expect(p.requiresGrad).toBe(true);
    expect(p).toBeInstanceOf(nn.Parameter);
    expect(t.isLeaf).toBe(false);
    expect(Array.from(p.toArray())).toEqual(Array.from(t.toArray()));
    // the gradient stops at p: (2p).sum() gives p.grad = [2, 2, 2] and leaves a.grad None
    p.mul(2).sum().backward();
    expect(Array.from(p.grad!.toArray())).toEqual([2, 2, 2]);
    expect(a.grad).toBeNull();
  });

  it('train() and eval() reach every child; Dropout is the identity in eval', () => {
    const net = new nn.Sequential(new nn.Linear(3, 3), new nn.Dropout(0.5));
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    const x = randn([4, 3]);
    const a = net.forward(x).toArray();
    const b = net.forward(x).toArray();
    expect(a).toEqual(b);
    net.train();
    expect(net.at(1).training).toBe(true);
  });

  it('Dropout in training zeroes about p and scales the rest by 1/(1-p)', () => {
    manualSeed(3);
    const d = new nn.Dropout(0.25);
    const y = d.forward(tensor(new Float32Array(10000).fill(1))).toArray();
    let zeros = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.75, 6);
    }
    expect(Math.abs(zeros / 10000 - 0.25)).toBeLessThan(0.02);
  });

  it('loadStateDict copies values, checks shapes and keys first, and leaves the model as it was on error', () => {
    const a = new nn.Sequential(new nn.Flatten(), new nn.Linear(6, 2));
    const b = new nn.Sequential(new nn.Flatten(), new nn.Linear(6, 2));
    b.loadStateDict(a.stateDict());
    expect(b.parameters()[0].toArray()).toEqual(a.parameters()[0].toArray());
    const before = b.parameters()[0].toArray();
    const bad = { '1.weight': randn([2, 5]), '1.bias': randn([2]) };
    expect(() => b.loadStateDict(bad)).toThrow(
      'size mismatch for 1.weight: copying a param with shape [2, 5] from the state dict, the shape in the current model is [2, 6]',
    );
    expect(b.parameters()[0].toArray()).toEqual(before);
    expect(() => b.loadStateDict({ '1.weight': randn([2, 6]) })).toThrow('missing keys: "1.bias"');
    expect(b.parameters()[0].toArray()).toEqual(before);
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: randn([1]) })).toThrow('unexpected keys: "extra"');
    const r = b.loadStateDict({ '1.weight': randn([2, 6]) }, { strict: false });
    expect(r.missingKeys).toEqual(['1.bias']);
  });
});

describe('Linear', () => {
  it('computes x·Wᵀ + b', () => {
    const l = new nn.Linear(3, 2);
    l.loadStateDict({ weight: tensor([[1, 2, 3], [4, 5, 6]]), bias: tensor([0.5, -1]) });
    expect(Array.from(l.forward(tensor([[1, 0, -1], [2, 1, 0]])).toArray())).toEqual([-1.5, -3, 4.5, 12]);
    const noBias = new nn.Linear(3, 2, { bias: false });
    expect(noBias.bias).toBe(null);
    expect(noBias.namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('default init is Kaiming-uniform(a=√5): weight and bias within ±1/√in, spread like U(±1/√in)', () => {
    manualSeed(1);
    const l = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    const w = l.weight.toArray();
    let max = 0;
    let sq = 0;
    for (const v of w) {
      max = Math.max(max, Math.abs(v));
      sq += v * v;
    }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(bound * 0.99);
    expect(Math.sqrt(sq / w.length)).toBeCloseTo(bound / Math.sqrt(3), 3);
    for (const v of l.bias!.toArray()) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
  });

  it('names itself and both shapes when the input is wrong', () => {
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    expect(() => net.forward(randn([256, 783]))).toThrow('Linear(784→10) got input of shape [256, 783]; expected [..., 784]');
  });
});

describe('nn.init', () => {
  const stats = (t: Tensor) => {
    const v = t.toArray();
    let s = 0;
    let sq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const x of v) {
      s += x;
      sq += x * x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    const mean = s / v.length;
    return { mean, std: Math.sqrt(sq / v.length - mean * mean), min, max };
  };
  it('normal_, uniform_, constant_, zeros_, ones_', () => {
    manualSeed(0);
    const t = randn([200, 500]);
    const n = stats(nn.init.normal_(t, 1, 0.01));
    expect(n.mean).toBeCloseTo(1, 3);
    expect(n.std).toBeCloseTo(0.01, 4);
    const u = stats(nn.init.uniform_(t, -2, 3));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(3);
    expect(u.mean).toBeCloseTo(0.5, 1);
    expect(stats(nn.init.constant_(t, 7)).std).toBe(0);
    expect(stats(nn.init.zeros_(t)).max).toBe(0);
    expect(stats(nn.init.ones_(t)).min).toBe(1);
  });
  it('xavier and kaiming use PyTorch\'s fans and gains', () => {
    manualSeed(0);
    const t = randn([300, 500]);
    const xb = Math.sqrt(6 / 800);
    const xu = stats(nn.init.xavierUniform_(t));
    expect(xu.max).toBeLessThanOrEqual(xb);
    expect(xu.std).toBeCloseTo(xb / Math.sqrt(3), 3);
    expect(stats(nn.init.xavierNormal_(t, 2)).std).toBeCloseTo(2 * Math.sqrt(2 / 800), 3);
    const kb = Math.sqrt(2) * Math.sqrt(3 / 500);
    const ku = stats(nn.init.kaimingUniform_(t, 0, 'fan_in', 'relu'));
    expect(ku.max).toBeLessThanOrEqual(kb);
    expect(ku.std).toBeCloseTo(kb / Math.sqrt(3), 3);
    expect(stats(nn.init.kaimingNormal_(t, 0, 'fan_out', 'relu')).std).toBeCloseTo(Math.sqrt(2 / 300), 3);
    expect(() => nn.init.xavierUniform_(randn([5]))).toThrow(/fewer than 2 dimensions/);
  });
});

describe('losses as modules', () => {
  it('CrossEntropyLoss checks labels, dtypes and shapes', () => {
    const loss = new nn.CrossEntropyLoss();
    const x = tensor(values(6, 1), { shape: [2, 3] });
    expect(() => loss.forward(x, tensor([0, 3], { dtype: 'int32' }))).toThrow(/label 3 at index 1 is outside \[0, 3\)/);
    expect(() => loss.forward(x, tensor([0, 1]))).toThrow(/target must be int32 class indices, got a float32 tensor/);
    expect(() => loss.forward(x, tensor([0, 1, 2], { dtype: 'int32' }))).toThrow('CrossEntropyLoss: target must have shape [2] to match input [2, 3], got [3]');
    expect(() => new nn.CrossEntropyLoss({ reduction: 'avg' as 'mean' })).toThrow("reduction must be 'none', 'mean' or 'sum', got 'avg'");
  });
  it('MSELoss is the mean squared difference', () => {
    const l = new nn.MSELoss().forward(tensor([1, 2, 3]), tensor([1, 0, 0]));
    expectClose([l.item()], [(0 + 4 + 9) / 3], 1e-6, 0);
  });
});
