// examples/linear-regression-scratch.ts (d2l 3.2 from scratch, looped through data.scoped): memory is
// flat across epochs and the loss falls below what the book prints (epoch 1, loss 0.042790; epoch 2,
// 0.000162; epoch 3, 0.000051 — the last at the noise floor σ²/2 = 0.00005 of y's noise σ = 0.01).

import { describe, expect, it } from 'vitest';
import { run } from '../../examples/linear-regression-scratch.js';
import { memory, type MemoryInfo } from '../../src/index.js';

const BOOK = [0.04279, 0.000162, 0.000051];

describe('examples/linear-regression-scratch.ts (d2l 3.2)', () => {
  it('prints the book\'s lines, learns w = [2, -3.4] and b = 4.2, and keeps memory flat across epochs', () => {
    const lines: string[] = [];
    const after: MemoryInfo[] = [];
    const r = run({ seed: 0, log: (l) => lines.push(l), afterEpoch: () => after.push(memory()) });

    expect(lines.filter((l) => l.startsWith('epoch ')).map((l) => l.replace(/[0-9.]+$/, 'x'))).toEqual(['epoch 1, loss x', 'epoch 2, loss x', 'epoch 3, loss x']);
    for (const l of lines.filter((x) => x.startsWith('epoch '))) expect(l).toMatch(/^epoch \d, loss 0\.\d{6}$/);
    expect(r.losses).toHaveLength(3);
    r.losses.forEach((loss, i) => expect(loss, `epoch ${i + 1}`).toBeLessThan(BOOK[i]));
    expect(r.losses[2]).toBeLessThan(r.losses[1]);
    for (const e of r.wError) expect(Math.abs(e)).toBeLessThan(0.005);
    expect(Math.abs(r.bError)).toBeLessThan(0.005);
    expect(lines[0]).toMatch(/^features: tensor\(\[-?\d\.\d{4}, +-?\d\.\d{4}\]\) \nlabel: tensor\(\[-?\d+\.\d{4}\]\)$/);
    expect(lines.at(-2)).toMatch(/^error in estimating w: tensor\(\[ *-?\d\.\d{4}(e-\d\d)?, +-?\d\.\d{4}(e-\d\d)?\], grad_fn=<\w+>\)$/);
    expect(lines.at(-1)).toMatch(/^error in estimating b: tensor\(\[-?\d\.\d{4}(e-\d\d)?\], grad_fn=<\w+>\)$/);

    // the same tensors alive at the end of every epoch: features, labels, w, b, w.grad, b.grad (their views
    // and the epoch's own loss are freed when the epoch loop moves on)
    expect(after).toHaveLength(3);
    expect(after[1]).toEqual(after[0]);
    expect(after[2]).toEqual(after[0]);
  });
});
