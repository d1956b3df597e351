// backward(gradient?, { retainGraph }): non-scalar outputs with an explicit gradient, the scalar-only
// implicit gradient, the freed graph, and accumulation into .grad across calls — worked by hand.
import { describe, expect, it } from 'vitest';
import * as sm from '../../src/index.js';

describe('backward', () => {
  it('a non-scalar output with a gradient of its shape (d2l 2.5: y.backward(torch.ones(len(y))))', () => {
    const x = sm.arange(4, { dtype: 'float32' }).requiresGrad_();
    const y = x.mul(x); // dy/dx = 2x
    y.backward(sm.ones(4));
    expect(x.grad?.tolist()).toEqual([0, 2, 4, 6]);
    const x2 = sm.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    x2.mul(3).backward(sm.tensor([[1, 0], [0.5, -1]]));
    expect(x2.grad?.tolist()).toEqual([[3, 0], [1.5, -3]]);
  });

  it('a non-scalar output without a gradient throws PyTorch\'s meaning', () => {
    const x = sm.ones(3, { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow('backward: grad can be implicitly created only for scalar outputs; this tensor has shape [3]');
    expect(() => x.mul(2).backward({ retainGraph: true })).toThrow('grad can be implicitly created only for scalar outputs');
  });

  it('checks the gradient and the options', () => {
    const x = sm.ones(3, { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward(sm.ones(2))).toThrow('backward: gradient has shape [2], expected [3]');
    expect(() => y.backward(sm.ones(3, { dtype: 'int32' }))).toThrow('backward: gradient must be float32, got int32');
    expect(() => y.backward([1, 1, 1] as never)).toThrow('backward: gradient must be a Tensor, got an array');
    expect(() => y.backward(sm.ones(3), { retain_graph: true } as never)).toThrow("backward: unknown option 'retain_graph'; the known option is 'retainGraph'");
    expect(() => y.backward(sm.ones(3), { retainGraph: 'yes' } as never)).toThrow('backward: retainGraph must be a boolean');
    expect(x.grad).toBeNull(); // nothing ran
  });

  it('a second backward through a freed graph throws; retainGraph keeps it, and gradients accumulate', () => {
    const x = sm.tensor([1, 2, 3], { requiresGrad: true });
    const loss = x.mul(x).sum(); // d/dx = 2x
    loss.backward({ retainGraph: true });
    expect(x.grad?.tolist()).toEqual([2, 4, 6]);
    loss.backward(undefined, { retainGraph: true });
    expect(x.grad?.tolist()).toEqual([4, 8, 12]);
    loss.backward(); // frees the graph
    expect(x.grad?.tolist()).toEqual([6, 12, 18]);
    expect(() => loss.backward()).toThrow('backward: trying to backward through the graph a second time (through sum)');
    expect(() => loss.backward()).toThrow('Specify retainGraph: true');
    expect(x.grad?.tolist()).toEqual([6, 12, 18]);
  });

  it('a shared intermediate freed by one backward cannot be reused by another graph', () => {
    const x = sm.tensor([1, 2], { requiresGrad: true });
    const z = x.mul(3);
    z.sum().backward();
    expect(x.grad?.tolist()).toEqual([3, 3]);
    expect(() => z.mean().backward()).toThrow('trying to backward through the graph a second time (through mul)');
  });

  it('gradients through the joins accumulate into one leaf used twice', () => {
    const x = sm.tensor([1, 2, 3], { requiresGrad: true });
    const y = sm.cat([x, x.flip(0)]); // [1, 2, 3, 3, 2, 1]
    y.backward(sm.tensor([1, 10, 100, 1000, 10000, 100000]));
    expect(x.grad?.tolist()).toEqual([100001, 10010, 1100]);
  });
});
