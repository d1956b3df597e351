// SGD and Adam/AdamW against PyTorch's update rules worked by hand in float64.

import { describe, expect, it } from 'vitest';
import { optim, tensor, type Tensor } from '../../src/index.js';
import { expectClose } from '../helpers/gradcheck.js';

function withGrad(p: Tensor, g: number[]): void {
  p.grad?.dispose();
  p.grad = tensor(g);
}

describe('SGD', () => {
  it('plain step: p -= lr·g', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    withGrad(p, [1, -2]);
    opt.step();
    expectClose(p.toArray(), [0.9, 2.2], 1e-7, 0);
  });

  it('momentum, dampening, weight decay and nesterov follow torch/optim/sgd.py for 3 steps', () => {
    for (const o of [
      { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
      { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01, nesterov: false },
      { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.1, nesterov: true },
    ]) {
      const p = tensor([0.5, -1.5], { requiresGrad: true });
      const opt = new optim.SGD([p], o);
      const ref = [0.5, -1.5];
      let buf: number[] | null = null;
      const grads = [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.25]];
      for (const g of grads) {
        withGrad(p, g);
        opt.step();
        const d = g.map((gi, i) => gi + o.weightDecay * ref[i]);
        buf = buf === null ? d : buf.map((b, i) => o.momentum * b + (1 - o.dampening) * d[i]);
        const step = o.nesterov ? d.map((di, i) => di + o.momentum * buf![i]) : buf;
        for (let i = 0; i < 2; i++) ref[i] -= o.lr * step[i];
      }
      expectClose(p.toArray(), ref, 1e-6, 1e-7, JSON.stringify(o));
    }
  });

  it('skips parameters without a gradient; zeroGrad drops gradients', () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    opt.step();
    expect(p.item()).toBe(1);
    withGrad(p, [1]);
    opt.zeroGrad();
    expect(p.grad).toBe(null);
  });

  it('rejects bad hyper-parameters with PyTorch\'s messages', () => {
    const p = tensor([1], { requiresGrad: true });
    expect(() => new optim.SGD([p], { lr: -1 })).toThrow('SGD: Invalid learning rate: -1');
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('SGD: got an empty parameter list');
  });

  it('parameter groups override the defaults', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    withGrad(a, [1]);
    withGrad(b, [1]);
    opt.step();
    expectClose([a.item(), b.item()], [0.9, 0.5], 1e-7, 0);
  });
});

describe('Adam and AdamW', () => {
  for (const decoupled of [false, true]) {
    it(`${decoupled ? 'AdamW' : 'Adam'} matches torch 1.13's update for 5 steps`, () => {
      const lr = 0.01;
      const [b1, b2] = [0.9, 0.99];
      const eps = 1e-8;
      const wd = 0.05;
      const p = tensor([0.5, -1.0, 2.0], { requiresGrad: true });
      const Opt = decoupled ? optim.AdamW : optim.Adam;
      const opt = new Opt([p], { lr, betas: [b1, b2], eps, weightDecay: wd });
      const ref = [0.5, -1.0, 2.0];
      const m = [0, 0, 0];
      const v = [0, 0, 0];
      for (let step = 1; step <= 5; step++) {
        const g0 = [0.1 * step, -0.2, 0.05 * (step % 2 ? 1 : -1)];
        withGrad(p, g0);
        opt.step();
        for (let i = 0; i < 3; i++) {
          let g = g0[i];
          if (decoupled) ref[i] *= 1 - lr * wd;
          else g += wd * ref[i];
          m[i] += (g - m[i]) * (1 - b1);
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          const bc1 = 1 - b1 ** step;
          const bc2 = 1 - b2 ** step;
          ref[i] -= (lr / bc1) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps));
        }
      }
      expectClose(p.toArray(), ref, 1e-5, 1e-6);
    });
  }

  it('state dicts round-trip: a resumed optimiser continues exactly', () => {
    const run = (split: boolean): Float32Array => {
      const p = tensor([1, -1], { requiresGrad: true });
      let opt = new optim.Adam([p], { lr: 0.1 });
      for (let s = 0; s < 4; s++) {
        if (split && s === 2) {
          const saved = opt.stateDict();
          opt = new optim.Adam([p], { lr: 0.1 });
          opt.loadStateDict(saved);
        }
        withGrad(p, [0.3 * (s + 1), -0.1]);
        opt.step();
      }
      return p.toArray() as Float32Array;
    };
    expect(run(true)).toEqual(run(false));
  });
});
