// Iteration scopes: a loop over a DataLoader (or data.scoped) frees what each iteration makes when the
// loop asks for the next batch or leaves; what survives by design survives; a freed tensor says why.

import { beforeEach, describe, expect, it } from 'vitest';
import { data, DataLoader, keep, memory, nn, optim, tensor, TensorDataset, tidy, zeros, type Tensor } from '../../src/index.js';
import { settleGarbage } from '../helpers/settle-garbage.js';

/** 10 examples of 3 features (x_i = [i, i, i]), labels i % 2; batches of 4 → 3 batches (4, 4, 2). */
function loader(options: { scoped?: boolean } = {}): DataLoader {
  const x = tensor(Float32Array.from({ length: 30 }, (_, i) => Math.floor(i / 3)), { shape: [10, 3] });
  const y = tensor(Int32Array.from({ length: 10 }, (_, i) => i % 2), { dtype: 'int32' });
  return new DataLoader(new TensorDataset(x, y), { batchSize: 4, ...options });
}

const live = (): { tensors: number; bytes: number } => {
  const m = memory();
  return { tensors: m.tensors, bytes: m.bytes };
};

beforeEach(async () => {
  await settleGarbage();
});

describe('iteration scopes over a DataLoader', () => {
  it('free every tensor an iteration makes when the loop asks for the next batch; keep(t) saves one', () => {
    const dl = loader();
    const before = live();
    const made: Tensor[] = [];
    let kept: Tensor | null = null;
    let during = 0;
    for (const [X] of dl) {
      const s = X.sum(1).mul(2);
      made.push(X, s);
      if (kept === null) kept = keep(X.mean());
      during = memory().tensors;
    }
    expect(made.every((t) => t.isDisposed)).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(kept!.item()).toBeCloseTo(1.5, 6); // mean of rows 0…3 = (0+1+2+3)/4
    expect(during).toBeGreaterThan(before.tensors + 1);
    kept!.dispose();
    expect(live()).toEqual(before);
  });

  it('a tensor stored across iterations throws an error saying the loop moved on, and how to keep it', () => {
    const losses: Tensor[] = [];
    let i = 0;
    for (const [X] of loader()) {
      if (i === 1) {
        expect(() => losses[0].add(1)).toThrow(
          /^add: this tensor \(shape \[\]\) was made inside an iteration of a loop over batches \(a DataLoader or data\.scoped\) and was freed when the loop moved on to the next batch\. To use a tensor after that, keep\(t\) it inside the iteration \(and dispose\(\) it when done\), read its value there \(t\.item\(\), t\.tolist\(\)\), or keep\(t\.clone\(\)\) a copy\.$/,
        );
      }
      losses.push(X.sum());
      i++;
    }
    expect(() => losses[2].item()).toThrow(/^toArray: this tensor \(shape \[\]\) was made inside an iteration .* and was freed when the loop ended \(last batch, break, return or an exception\)\./);
    // dispose() and tidy keep their own messages
    const t = zeros([2]);
    t.dispose();
    expect(() => t.sum()).toThrow('sum: this tensor (shape [2]) was disposed; it can no longer be used');
    let inner: Tensor | null = null;
    tidy(() => { inner = zeros([3]); });
    expect(() => inner!.sum()).toThrow(/^sum: this tensor \(shape \[3\]\) was freed when the tidy\(\) that made it ended/);
  });

  it('break, return and an exception free the iteration that was running', () => {
    const dl = loader();
    const before = live();
    let last: Tensor | null = null;
    for (const [X] of dl) {
      last = X.mul(3);
      break;
    }
    expect(last!.isDisposed).toBe(true);
    expect(() => last!.sum()).toThrow(/freed when the loop ended/);
    expect(live()).toEqual(before);

    const firstBatchSum = (): Tensor => {
      for (const [X] of dl) return X.sum(); // returned out of the loop: freed like the rest of the iteration
      throw new Error('no batch');
    };
    expect(firstBatchSum().isDisposed).toBe(true);
    expect(live()).toEqual(before);

    let made: Tensor | null = null;
    expect(() => {
      for (const [X] of dl) {
        made = X.add(1);
        throw new Error('boom');
      }
    }).toThrow('boom');
    expect(made!.isDisposed).toBe(true);
    expect(live()).toEqual(before);
  });

  it('nested loops: an evaluation loop inside an epoch frees its own iterations; the outer iteration\'s tensors survive it', () => {
    const trainDl = loader();
    const testDl = loader();
    const before = live();
    const outerMade: Tensor[] = [];
    const innerMade: Tensor[] = [];
    for (const [X] of trainDl) {
      const outer = X.sum();
      outerMade.push(outer);
      let n = 0;
      for (const [Xt] of testDl) {
        innerMade.push(Xt.mul(outer));
        n++;
      }
      expect(n).toBe(3);
      expect(innerMade.every((t) => t.isDisposed)).toBe(true);
      expect(outer.isDisposed).toBe(false);
      expect(outer.item()).toBe(X.sum().item());
    }
    expect(outerMade.every((t) => t.isDisposed)).toBe(true);
    expect(live()).toEqual(before);
  });

  it('two loaders zipped by hand (iterations that end out of stack order) free everything', () => {
    const a = loader()[Symbol.iterator]();
    const b = loader()[Symbol.iterator]();
    const before = live();
    const made: Tensor[] = [];
    for (;;) {
      const ra = a.next();
      const rb = b.next();
      if (ra.done === true || rb.done === true) break;
      made.push(ra.value[0].add(rb.value[0]));
      expect(ra.value[0].isDisposed || rb.value[0].isDisposed).toBe(false);
    }
    a.return?.();
    b.return?.();
    expect(made).toHaveLength(3);
    expect(made.every((t) => t.isDisposed)).toBe(true);
    expect(live()).toEqual(before);
  });

  it('what is made lazily inside an iteration and must survive does: Adam\'s state, .grad, a new nn.Parameter', () => {
    const dl = loader();
    const net = new nn.Linear(3, 2);
    const opt = new optim.Adam(net.parameters(), { lr: 0.01 });
    const lossFn = new nn.CrossEntropyLoss();
    let extra: Tensor | null = null;
    const afterEpoch: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const [X, y] of dl) {
        const loss = lossFn.call(net.call(X), y);
        opt.zeroGrad();
        loss.backward(); // .grad is made here, in the first iteration
        opt.step(); // Adam's expAvg / expAvgSq are made here, in the first iteration
        extra ??= new nn.Parameter(zeros([4])); // a parameter made lazily, in the first iteration
      }
      afterEpoch.push(memory().tensors);
    }
    expect(net.weight.grad!.isDisposed).toBe(false);
    const state = opt.stateDict().state[0];
    expect(state.numbers.step).toBe(9);
    expect(state.tensors.expAvg.isDisposed).toBe(false);
    expect(extra!.isDisposed).toBe(false);
    expect(afterEpoch[1]).toBe(afterEpoch[0]);
    expect(afterEpoch[2]).toBe(afterEpoch[0]);
  });

  it('scoped: false opts out: tensors of the loop body survive, the batch is still freed at the next batch', () => {
    const dl = loader({ scoped: false });
    expect(dl.scoped).toBe(false);
    expect(loader().scoped).toBe(true);
    const batches: Tensor[] = [];
    const made: Tensor[] = [];
    for (const [X] of dl) {
      batches.push(X);
      made.push(X.sum());
    }
    expect(batches.every((t) => t.isDisposed)).toBe(true);
    expect(made.map((t) => t.item())).toEqual([18, 66, 51]); // 3·(0+1+2+3), 3·(4+5+6+7), 3·(8+9)
    for (const t of made) t.dispose();
    expect(() => new DataLoader(loader().dataset, { scoped: 'no' as unknown as boolean })).toThrow('DataLoader: scoped must be true or false, got no');
    expect(() => new DataLoader(loader().dataset, { batchsize: 4 } as unknown as { batchSize: number })).toThrow(/^DataLoader: unknown option 'batchsize'; known options: batchSize, /);
  });
});

describe('data.scoped', () => {
  it('gives a generator (d2l\'s data_iter) the same scopes; tensors it made before the loop are left alone', () => {
    const features = tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
    let temporaries: Tensor[] = [];
    const yielded: Tensor[] = [];
    function* dataIter(batchSize: number): Generator<[Tensor, Tensor]> {
      const rows = features.toArray();
      const perPass = keep(zeros([1])); // the generator keeps this one itself
      try {
        for (let i = 0; i < 4; i += batchSize) {
          const tmp = zeros([8]); // made while producing a batch, not yielded: freed when the pass ends
          temporaries.push(tmp);
          const x = tensor(rows.slice(i * 2, (i + batchSize) * 2), { shape: [batchSize, 2] });
          yielded.push(x);
          yield [x, features]; // `features` was made before: not the iteration's
        }
      } finally {
        perPass.dispose();
      }
    }
    const before = live();
    const body: Tensor[] = [];
    let n = 0;
    for (const [X, all] of data.scoped(dataIter(2))) {
      expect(temporaries.every((t) => !t.isDisposed)).toBe(true);
      body.push(X.matmul(all.t()));
      n++;
    }
    expect(n).toBe(2);
    expect([...yielded, ...body, ...temporaries].every((t) => t.isDisposed)).toBe(true);
    expect(() => temporaries[0].sum()).toThrow(/was made by the iterable of a data\.scoped loop while it produced a batch, and was freed when the pass ended/);
    expect(features.isDisposed).toBe(false);
    expect(live()).toEqual(before);

    // break in the middle: the generator's finally runs, everything is freed
    temporaries = [];
    for (const [X] of data.scoped(dataIter(1))) {
      body.push(X.add(1));
      break;
    }
    expect(temporaries.every((t) => t.isDisposed)).toBe(true);
    expect(live()).toEqual(before);
    features.dispose();
  });

  it('keeps an array\'s length, leaves a DataLoader as it is, and rejects what it cannot scope', async () => {
    const dl = loader();
    expect(data.scoped(dl)).toBe(dl);
    const batches = [[zeros([1])], [zeros([1])]];
    const s = data.scoped(batches);
    expect((s as unknown as { length: number }).length).toBe(2);
    for (const [t] of s) t.add(1);
    expect(batches.every(([t]) => !t.isDisposed)).toBe(true); // made before the loop: not the loop's
    expect(() => data.scoped(42 as unknown as Iterable<number>)).toThrow('data.scoped: expected an iterable (a generator, an array, a DataLoader), got a number');
    async function* gen(): AsyncGenerator<number> { yield 1; }
    expect(() => data.scoped(gen() as unknown as Iterable<number>)).toThrow(/^data\.scoped: async iterables are not supported/);
  });
});
