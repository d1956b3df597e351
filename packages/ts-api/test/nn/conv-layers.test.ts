// Conv2d, the pooling layers and BatchNorm: construction checks and messages, printed forms (PyTorch's
// str()), state-dict names and buffers, train / eval, and descriptions for data-parallel replicas.
import { describe, expect, it } from 'vitest';
import { data, manualSeed, nn, optim, randint, randn, tensor, train, zeros } from '../../src/index.js';

const F = nn.functional;

describe('Conv2d', () => {
  it('has PyTorch shapes, init bounds and state-dict names', () => {
    manualSeed(3);
    const conv = new nn.Conv2d(4, 6, [3, 2], { groups: 2 });
    expect(conv.weight.shape).toEqual([6, 2, 3, 2]);
    expect(Object.keys(conv.stateDict())).toEqual(['weight', 'bias']);
    // kaiming_uniform(a=√5) bounds the weight by 1/√fan_in, fan_in = 2·3·2; the bias likewise.
    const bound = 1 / Math.sqrt(12);
    for (const v of [...conv.weight.toArray(), ...(conv.bias?.toArray() ?? [])]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(new nn.Conv2d(1, 2, 3, { bias: false }).bias).toBeNull();
  });

  it('prints as PyTorch', () => {
    expect(String(new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false })))
      .toBe('Conv2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=2, bias=False)');
    expect(String(new nn.Conv2d(1, 6, 5, { padding: 'same' }))).toBe('Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=same)');
  });

  it('refuses what it does not support, naming it', () => {
    expect(() => new nn.Conv2d(1, 2, 3, { paddingMode: 'reflect' })).toThrow("paddingMode 'reflect' is not supported");
    expect(() => new nn.Conv2d(1, 2, 3, { paddingMode: 'mirror' as 'zeros' })).toThrow('paddingMode must be one of');
    expect(() => new nn.Conv2d(1, 2, 3, { padding_mode: 'zeros' } as object)).toThrow("unknown option 'padding_mode' (did you mean paddingMode?)");
    expect(() => new nn.Conv2d(3, 2, 3, { groups: 2 })).toThrow('in_channels must be divisible by groups');
    expect(() => new nn.Conv2d(1, 2, 3, { stride: 2, padding: 'same' })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new nn.Conv2d(1, 2, 3, { padding: 'full' as 'same' })).toThrow("Invalid padding string 'full'");
    expect(() => new nn.Conv2d(1, 2, 0)).toThrow('kernelSize must be at least 1');
    expect(() => new nn.Conv2d(2, 3, 3).forward(zeros([1, 3, 5, 5]))).toThrow('expected [N, 2, H, W] or [2, H, W]');
  });

  it('takes unbatched [C, H, W] input and gives [O, H, W]', () => {
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const x = randn([2, 5, 6]);
    const y = conv.forward(x);
    expect(y.shape).toEqual([3, 5, 6]);
    expect(y.toArray()).toEqual(conv.forward(x.unsqueeze(0)).toArray());
  });

  it('is rebuilt from its description', () => {
    const conv = new nn.Conv2d(4, 6, [3, 5], { stride: [2, 1], padding: [1, 2], dilation: 1, groups: 2, bias: false });
    const copy = nn.Module.fromDescription(conv.describe()!) as nn.Conv2d;
    expect(String(copy)).toBe(String(conv));
    expect(copy.weight.shape).toEqual(conv.weight.shape);
  });
});

describe('pooling layers', () => {
  it('print as PyTorch and default the stride to the kernel size', () => {
    expect(String(new nn.MaxPool2d(3, { stride: 2, padding: 1 }))).toBe('MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)');
    expect(String(new nn.MaxPool2d(2))).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(String(new nn.AvgPool2d(2, { stride: 2 }))).toBe('AvgPool2d(kernel_size=2, stride=2, padding=0)');
    expect(String(new nn.AvgPool2d([3, 2]))).toBe('AvgPool2d(kernel_size=(3, 2), stride=(3, 2), padding=0)');
    expect(String(new nn.AdaptiveAvgPool2d([5, null]))).toBe('AdaptiveAvgPool2d(output_size=(5, None))');
    expect(String(new nn.AdaptiveAvgPool2d(1))).toBe('AdaptiveAvgPool2d(output_size=1)');
  });

  it('print ceil_mode as PyTorch: MaxPool2d shows it, AvgPool2d (like PyTorch\'s) does not', () => {
    const max = new nn.MaxPool2d(3, { stride: 2, ceilMode: true });
    expect(max.ceilMode).toBe(true);
    expect(String(max)).toBe('MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=True)');
    const avg = new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 3 });
    expect(avg.ceilMode).toBe(true);
    expect(String(avg)).toBe('AvgPool2d(kernel_size=3, stride=2, padding=1)');
    expect(new nn.AvgPool2d(2).ceilMode).toBe(false);
  });

  it('refuse a non-boolean ceilMode and the layer form of returnIndices, naming them', () => {
    expect(() => new nn.MaxPool2d(2, { ceilMode: 1 as unknown as boolean })).toThrow('MaxPool2d: ceilMode must be a boolean, got 1');
    expect(() => new nn.AvgPool2d(2, { ceilMode: 'yes' as unknown as boolean })).toThrow('AvgPool2d: ceilMode must be a boolean, got "yes"');
    expect(() => F.maxPool2d(zeros([1, 1, 4, 4]), 2, { ceilMode: null as unknown as boolean })).toThrow('maxPool2d: ceilMode must be a boolean, got null');
    expect(() => F.avgPool2d(zeros([1, 1, 4, 4]), 2, { ceilMode: 0 as unknown as boolean })).toThrow('avgPool2d: ceilMode must be a boolean, got 0');
    expect(() => new nn.MaxPool2d(2, { returnIndices: true })).toThrow('returnIndices true is not supported by the layer');
    expect(() => F.avgPool2d(zeros([1, 1, 4, 4]), 2, { count_include_pad: false } as object)).toThrow("unknown option 'count_include_pad'");
  });

  it('ceil mode adds the partial last window: 0..24 in 5×5, kernel 2, stride 2 (PyTorch\'s values)', () => {
    const x = tensor([...Array(25).keys()]).reshape([1, 1, 5, 5]).requiresGrad_(true);
    const [v, i] = F.maxPool2d(x, 2, { ceilMode: true, returnIndices: true });
    expect(v.shape).toEqual([1, 1, 3, 3]);
    expect([...v.toArray()]).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
    expect([...i.toArray()]).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
    // the last column's windows hold one column: each divides by 2 (the window cut at the input)
    const a = new nn.AvgPool2d(2, { ceilMode: true }).forward(x);
    expect([...a.toArray()]).toEqual([3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24]);
    a.sum().backward();
    // each element is in one window: 1/4 in the full ones, 1/2 in the edge ones, 1 in the corner
    expect([...x.grad!.toArray()].slice(0, 5)).toEqual([0.25, 0.25, 0.25, 0.25, 0.5]);
    expect([...x.grad!.toArray()].slice(20)).toEqual([0.5, 0.5, 0.5, 0.5, 1]);
    // stride 5 over 5 columns of kernel 1: a second window would start past the input, so none is added
    expect(F.maxPool2d(x, [1, 1], { stride: [1, 5], ceilMode: true }).shape).toEqual([1, 1, 5, 1]);
  });

  it('max pooling of 1..9 with a 2×2 window and stride 1: values and flat indices, gradient to the argmax', () => {
    const x = tensor([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]).requiresGrad_(true);
    const [v, i] = F.maxPool2d(x, 2, { stride: 1, returnIndices: true });
    expect(v.toArray()).toEqual(Float32Array.from([5, 6, 8, 9]));
    expect(i.dtype).toBe('int32');
    expect([...i.toArray()]).toEqual([4, 5, 7, 8]);
    v.sum().backward();
    expect([...x.grad!.toArray()]).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 1]);
  });

  it('are rebuilt from their descriptions', () => {
    for (const m of [new nn.MaxPool2d([3, 2], { stride: 1, padding: 1, dilation: 2 }), new nn.AvgPool2d(3, { padding: 1, countIncludePad: false, divisorOverride: 4 }),
      new nn.AdaptiveAvgPool2d([2, null]), new nn.MaxPool2d(2, { ceilMode: true })]) {
      expect(String(nn.Module.fromDescription(m.describe()!))).toBe(String(m));
    }
    const avg = nn.Module.fromDescription(new nn.AvgPool2d(2, { ceilMode: true }).describe()!) as nn.AvgPool2d;
    expect(avg.ceilMode).toBe(true);
  });
});

describe('BatchNorm', () => {
  it('keeps running statistics as buffers under PyTorch names, not as parameters', () => {
    const bn = new nn.BatchNorm2d(3);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.parameters().length).toBe(2);
    expect(bn.stateDict().num_batches_tracked.dtype).toBe('int32');
    expect(Object.keys(new nn.BatchNorm1d(3, { affine: false, trackRunningStats: false }).stateDict())).toEqual([]);
    expect(String(bn)).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(String(new nn.BatchNorm1d(4, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false })))
      .toBe('BatchNorm1d(4, eps=0.001, momentum=None, affine=False, track_running_stats=False)');
  });

  it('updates the running statistics in training only, with the unbiased variance', () => {
    // One channel, values 1, 2, 3, 4: mean 2.5, unbiased variance 5/3.
    const bn = new nn.BatchNorm1d(1, { momentum: 0.5 });
    bn.forward(tensor([[1], [2], [3], [4]]));
    expect(bn.runningMean!.toArray()[0]).toBeCloseTo(1.25, 6);
    expect(bn.runningVar!.toArray()[0]).toBeCloseTo(0.5 + 0.5 * (5 / 3), 6);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.eval();
    const y = bn.forward(tensor([[1.25]]));
    expect(y.toArray()[0]).toBeCloseTo(0, 6);
    expect(bn.numBatchesTracked!.item()).toBe(1);
  });

  it('loadStateDict restores the running statistics', () => {
    const a = new nn.BatchNorm1d(2);
    a.forward(randn([5, 2]));
    const b = new nn.BatchNorm1d(2);
    b.loadStateDict(a.stateDict());
    expect(b.runningMean!.toArray()).toEqual(a.runningMean!.toArray());
    expect(b.numBatchesTracked!.item()).toBe(1);
  });

  it('refuses wrong input ranks and a single value per channel in training', () => {
    expect(() => new nn.BatchNorm2d(3).forward(zeros([2, 3, 4]))).toThrow('BatchNorm2d: expected 4D input (got 3D input)');
    expect(() => new nn.BatchNorm1d(3).forward(zeros([2, 3, 4, 5]))).toThrow('expected 2D or 3D input (got 4D input)');
    expect(() => new nn.BatchNorm1d(3).forward(zeros([1, 3]))).toThrow('Expected more than 1 value per channel when training');
    expect(() => new nn.BatchNorm1d(3).forward(zeros([2, 4]))).toThrow('expected 3 channels in dim 1, got 4');
    expect(() => new nn.BatchNorm1d(3, { track_running_stats: false } as object)).toThrow("unknown option 'track_running_stats'");
  });

  it('is rebuilt from its description', () => {
    const bn = new nn.BatchNorm2d(5, { eps: 1e-3, momentum: null, affine: false });
    expect(String(nn.Module.fromDescription(bn.describe()!))).toBe(String(bn));
  });
});

describe('fit with workers: 2', () => {
  it('a net of Conv2d, MaxPool2d, AvgPool2d and AdaptiveAvgPool2d trains as with one thread', async () => {
    const run = async (workers: number): Promise<Float32Array[]> => {
      manualSeed(5);
      const x = randn([120, 2, 12, 11]);
      const y = randint(0, 3, [120], { dtype: 'int32' });
      const net = new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
        new nn.Conv2d(4, 6, 3, { groups: 2, padding: 'same' }), new nn.AvgPool2d(2, { stride: 1 }), new nn.AdaptiveAvgPool2d([2, 3]),
        new nn.Flatten(), new nn.Linear(36, 3));
      const set = new data.TensorDataset(x, y);
      const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
      await train.fit(net, new data.DataLoader(set, { batchSize: 40, shuffle: true }), new data.DataLoader(set, { batchSize: 60 }),
        new nn.CrossEntropyLoss(), 2, opt, { workers });
      return net.parameters().map((q) => q.toArray() as Float32Array);
    };
    const one = await run(1);
    const two = await run(2);
    let diff = 0;
    one.forEach((a, k) => a.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - two[k][i])); }));
    expect(diff).toBeLessThan(1e-5);
  }, 120_000);

  it('a net with BatchNorm2d trains, the running statistics coming from the calling thread\'s shard', async () => {
    manualSeed(6);
    const set = new data.TensorDataset(randn([80, 1, 6, 6]).mul(3).add(2), randint(0, 2, [80], { dtype: 'int32' }));
    const bn = new nn.BatchNorm2d(3);
    const net = new nn.Sequential(new nn.Conv2d(1, 3, 3), bn, new nn.ReLU(), new nn.Flatten(), new nn.Linear(48, 2));
    const opt = new optim.SGD(net.parameters(), { lr: 0.05 });
    await train.fit(net, new data.DataLoader(set, { batchSize: 40 }), new data.DataLoader(set, { batchSize: 40 }),
      new nn.CrossEntropyLoss(), 2, opt, { workers: 2 });
    // 2 epochs of 2 batches, each counted once by the caller's module
    expect(bn.numBatchesTracked!.item()).toBe(4);
    for (const v of [...bn.runningMean!.toArray(), ...bn.runningVar!.toArray()]) expect(Number.isFinite(v)).toBe(true);
  }, 120_000);
});
