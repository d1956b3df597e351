// Every options object is checked: unknown keys, snake_case spellings and non-objects throw.

import { describe, expect, it } from 'vitest';
import { data, nn, optim, tensor, train, type Tensor } from '../../src/index.js';
import { checkOptions } from '../../src/options.js';

// Plain JavaScript callers pass anything; the casts stand for them.
type Loose = Record<string, unknown>;
const loose = (o: unknown): never => o as never;

function param(values: number[]): Tensor {
  return tensor(values, { requiresGrad: true });
}

describe('checkOptions', () => {
  it('accepts undefined and known keys', () => {
    expect(() => checkOptions('X', undefined, ['a'])).not.toThrow();
    expect(() => checkOptions('X', { a: 1 }, ['a'])).not.toThrow();
  });

  it('names the unknown key and lists the known ones', () => {
    expect(() => checkOptions('X', { b: 1 }, ['a', 'c'])).toThrow("X: unknown option 'b'; known options: a, c");
  });

  it('suggests the camelCase spelling of a snake_case key', () => {
    expect(() => checkOptions('SGD', { weight_decay: 1 }, ['lr', 'weightDecay'])).toThrow(
      "SGD: unknown option 'weight_decay' (did you mean weightDecay?); known options: lr, weightDecay",
    );
  });

  it('rejects non-objects', () => {
    for (const [v, what] of [[null, 'null'], [3, 'number 3'], ['x', 'the string "x"'], [[1], 'an array']] as const) {
      expect(() => checkOptions('X', v, ['a'])).toThrow(`X: expected an options object, got ${what}`);
    }
  });
});

describe('options across the package', () => {
  it('optimisers: SGD, Adam, AdamW', () => {
    expect(() => new optim.SGD([param([1])], loose({ lr: 0.1, weight_decay: 3 }))).toThrow(/SGD: unknown option 'weight_decay' \(did you mean weightDecay\?\)/);
    expect(() => new optim.Adam([param([1])], loose({ lr: 0.1, amsgrad: true }))).toThrow(/Adam: unknown option 'amsgrad'; known options: lr, betas, eps, weightDecay/);
    expect(() => new optim.AdamW([param([1])], loose(5))).toThrow('AdamW: expected an options object, got number 5');
  });

  it('parameter groups are checked, and a group may hold one tensor', () => {
    const a = param([1]);
    const b = param([2]);
    expect(() => new optim.SGD(loose([{ params: [a] }, { params: [b], weight_decay: 1 }]), { lr: 0.1 })).toThrow(
      /SGD: parameter group 1: unknown option 'weight_decay' \(did you mean weightDecay\?\)/,
    );
    const opt = new optim.SGD([{ params: a }, { params: [b], lr: 1 }], { lr: 0.5 });
    expect(opt.paramGroups[0].params).toEqual([a]);
    a.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    // p − lr·g by hand: 1 − 0.5, 2 − 1.
    expect([...a.toArray()]).toEqual([0.5]);
    expect([...b.toArray()]).toEqual([1]);
    expect(() => new optim.SGD(loose([{ params: 3 }]), { lr: 0.1 })).toThrow('SGD: parameter group 0: params must be a Tensor or a list of Tensors, got number');
  });

  it('DataLoader, fit and the callbacks', async () => {
    const ds = new data.TensorDataset(tensor([[1], [2]]), tensor([0, 1], { dtype: 'int32' }));
    expect(() => new data.DataLoader(ds, loose({ batch_size: 2 }))).toThrow(/DataLoader: unknown option 'batch_size' \(did you mean batchSize\?\)/);
    expect(() => new train.EarlyStopping(loose({ min_delta: 1 }))).toThrow(/EarlyStopping: unknown option 'min_delta' \(did you mean minDelta\?\)/);
    expect(() => new train.Checkpoint('x.ckpt', loose({ period: 2 }))).toThrow("Checkpoint: unknown option 'period'; known options: every");
    expect(() => new train.TerminateOnNaN(loose({ x: 1 }))).toThrow("TerminateOnNaN: unknown option 'x'; it has no options");
    const net = new nn.Sequential(new nn.Linear(1, 2));
    const loader = new data.DataLoader(ds, { batchSize: 2 });
    const updater = new optim.SGD(net.parameters(), { lr: 0.1 });
    await expect(train.fit(net, loader, loader, new nn.CrossEntropyLoss(), 1, updater, loose({ initial_epoch: 0 }))).rejects.toThrow(
      /fit: unknown option 'initial_epoch' \(did you mean initialEpoch\?\)/,
    );
  });

  it('losses, Linear, functional losses and loadStateDict', () => {
    expect(() => new nn.CrossEntropyLoss(loose({ label_smoothing: 0.1 }))).toThrow(/CrossEntropyLoss: unknown option 'label_smoothing' \(did you mean labelSmoothing\?\)/);
    expect(() => new nn.MSELoss(loose({ reduce: false }))).toThrow("MSELoss: unknown option 'reduce'; known options: reduction");
    expect(() => new nn.Linear(2, 3, loose({ bias: false, dtype: 'float64' }))).toThrow("Linear: unknown option 'dtype'; known options: bias");
    const x = tensor([[1, 2]]);
    expect(() => nn.functional.mseLoss(x, x, loose({ size_average: true }))).toThrow("MSELoss: unknown option 'size_average'");
    const lin = new nn.Linear(2, 3);
    expect(() => lin.loadStateDict(lin.stateDict(), loose({ Strict: false }))).toThrow("loadStateDict: unknown option 'Strict'; known options: strict");
    const opts: Loose = { strict: true };
    expect(() => lin.loadStateDict(lin.stateDict(), opts)).not.toThrow();
  });
});

describe('several unknown keys', () => {
  it('are all named', () => {
    expect(() => checkOptions('X', { b: 1, c_d: 2 }, ['cD'])).toThrow("X: unknown options 'b', 'c_d' (did you mean cD?); known options: cD");
  });
});

describe('parameter groups', () => {
  it("read and write their hyper-parameters as PyTorch's group['lr'] does, validated", () => {
    const w = param([1, 2]);
    const opt = new optim.SGD([w], { lr: 0.1, momentum: 0 });
    const g = opt.paramGroups[0];
    expect([g.lr, g.momentum, g.options.lr]).toEqual([0.1, 0, 0.1]);
    for (const group of opt.paramGroups) group.lr *= 0.5; // a hand-written decay
    expect(g.options.lr).toBe(0.05);
    w.grad = tensor([2, 4]);
    opt.step();
    // w − lr·grad with lr 0.05: 1 − 0.1, 2 − 0.2 (float32)
    expect(Array.from(w.toArray())).toEqual([Math.fround(0.9), Math.fround(1.8)]);
    expect(() => { g.lr = -1; }).toThrow('SGD: Invalid learning rate: -1');
    expect(g.lr).toBe(0.05);
    const adam = new optim.Adam([param([1])], { lr: 0.01 });
    expect(adam.paramGroups[0].betas).toEqual([0.9, 0.999]);
  });

  it('refuse a key that is not a hyper-parameter instead of ignoring it', () => {
    const opt = new optim.SGD([param([1])], { lr: 0.1 });
    const g = opt.paramGroups[0] as unknown as Loose;
    expect(() => { g.weight_decay = 0.1; }).toThrow(TypeError);
    expect(() => { (g.options as Loose).weight_decay = 0.1; }).toThrow(TypeError);
    expect(() => { g.options = { ...(g.options as object), weight_decay: 0.1 }; }).toThrow("SGD: parameter group: unknown option 'weight_decay' (did you mean weightDecay?)");
    const w = opt.paramGroups[0].params[0];
    w.grad = tensor([1]);
    const withMomentum = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    withMomentum.step(); // a momentum buffer: what a refused load must keep
    const kept = withMomentum.stateDict();
    expect(() => withMomentum.loadStateDict({ state: {}, groups: [{ ...kept.groups[0], lr: -1 }] })).toThrow('SGD: Invalid learning rate: -1');
    expect(Object.keys(withMomentum.stateDict().state)).toEqual(['0']);
    const dict = opt.stateDict();
    expect(() => opt.loadStateDict({ ...dict, groups: [{ ...dict.groups[0], amsgrad: true } as never] })).toThrow("SGD: parameter group: unknown option 'amsgrad'");
    expect(opt.paramGroups[0].options).toEqual({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false });
  });
});
