// Tensors own wasm memory: tidy frees what is not returned, dispose frees now, and a training loop of
// any length runs in constant memory.

import { describe, expect, it } from 'vitest';
import { memory, nn, optim, manualSeed, tensor, tidy, keep, type Tensor } from '../../src/index.js';
import { backendMemory } from '../../src/backend/index.js';
import { values } from '../helpers/gradcheck.js';

describe('tidy and dispose', () => {
  it('tidy frees intermediates and keeps what is returned (also inside arrays and objects)', () => {
    const before = memory();
    const kept = tidy(() => {
      const a = tensor([1, 2, 3]);
      const b = a.mul(2).add(1);
      return { b, list: [a.exp()] };
    });
    expect(memory().tensors).toBe(before.tensors + 2);
    expect(Array.from(kept.b.toArray())).toEqual([3, 5, 7]);
    kept.b.dispose();
    kept.list[0].dispose();
    expect(memory()).toEqual(before);
  });

  it('nested tidy moves returned tensors to the outer scope; keep() escapes every scope', () => {
    const before = memory().tensors;
    let escaped: Tensor | null = null;
    tidy(() => {
      const inner = tidy(() => tensor([1]).add(1));
      expect(inner.isDisposed).toBe(false);
      escaped = keep(tensor([5]));
    });
    expect(memory().tensors).toBe(before + 1);
    expect(escaped!.item()).toBe(5);
    escaped!.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('tidy frees everything when the function throws', () => {
    const before = memory();
    expect(() => tidy(() => {
      tensor([1, 2]).mul(3);
      throw new Error('boom');
    })).toThrow('boom');
    expect(memory()).toEqual(before);
  });

  it('views share storage: bytes are freed with the last view', () => {
    const before = memory();
    const a = tensor(new Float32Array(12), { shape: [3, 4] });
    const v = a.reshape(12);
    expect(memory().bytes).toBe(before.bytes + 48);
    a.dispose();
    expect(memory().bytes).toBe(before.bytes + 48);
    expect(v.toArray().length).toBe(12);
    v.dispose();
    expect(memory()).toEqual(before);
  });

  it('dispose is idempotent', () => {
    const before = memory();
    const a = tensor([1]);
    a.dispose();
    a.dispose();
    expect(memory()).toEqual(before);
  });
});

describe('a training loop runs in constant memory', () => {
  it('20 epochs of the notes\' loop inside tidy end with the memory of epoch 1', () => {
    manualSeed(0);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    net.apply((m) => { if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01); });
    const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
    const trainer = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
    const batches = 5;
    const pixels = values(batches * 64 * 784, 3, 0, 1);
    const labels = Int32Array.from(values(batches * 64, 4, 0, 10), (v) => Math.floor(v));
    const epoch = () => {
      for (let b = 0; b < batches; b++) {
        tidy(() => {
          const Xb = tensor(pixels.subarray(b * 64 * 784, (b + 1) * 64 * 784), { shape: [64, 1, 28, 28] });
          const yb = tensor(labels.subarray(b * 64, (b + 1) * 64));
          const l = loss.forward(net.forward(Xb), yb);
          trainer.zeroGrad();
          l.mean().backward();
          trainer.step();
        });
      }
    };
    epoch();
    const afterFirst = memory();
    const wasmAfterFirst = backendMemory();
    for (let e = 1; e < 20; e++) epoch();
    expect(memory()).toEqual(afterFirst);
    expect(backendMemory().buffers).toBe(wasmAfterFirst.buffers);
    expect(backendMemory().bytes).toBe(wasmAfterFirst.bytes);
    const w = net.parameters()[0];
    expect(Number.isFinite(w.sum().item())).toBe(true);
  });
});
