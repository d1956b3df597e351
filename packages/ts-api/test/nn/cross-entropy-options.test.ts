// Cross-entropy's weight, ignoreIndex and probability targets: values and gradients worked by hand
// (float64 Math.log; float32 results within 1e-6 relative), what the options refuse and how they say it,
// and the module's buffer and data-parallel description. PyTorch's values: parity/cases_ce.py.

import { describe, expect, it } from 'vitest';
import { data, manualSeed, nn, noGrad, optim, randn, tensor, train, zeros, type Tensor } from '../../src/index.js';

const F = nn.functional;
const ints = (v: number[] | number, shape?: number[]): Tensor => tensor(v, { dtype: 'int32', shape });
const ln = Math.log;

function close(t: Tensor, want: number[]): void {
  const got = Array.from(t.toArray());
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]))));
}

// Rows whose log-softmax is ln([1, 2, 3] / 6) and ln([3, 2, 1] / 6), and a third row.
const logits = (): Tensor => tensor([[0, ln(2), ln(3)], [ln(3), ln(2), 0], [ln(2), ln(2), ln(2)]]).requiresGrad_(true);

describe('crossEntropy: weight and ignoreIndex', () => {
  it('weighted mean divides by the weights of the rows kept: Σ w[y]·l / Σ w[y]', () => {
    const w = tensor([0.5, 2, 1.5]);
    const y = ints([2, 0, -100]);
    // row 0: 1.5·ln 2, row 1: 0.5·ln 2, row 2 ignored
    close(F.crossEntropy(logits(), y, { weight: w, reduction: 'none' }), [1.5 * ln(2), 0.5 * ln(2), 0]);
    close(F.crossEntropy(logits(), y, { weight: w, reduction: 'sum' }), [2 * ln(2)]);
    const x = logits();
    const l = F.crossEntropy(x, y, { weight: w });
    close(l, [ln(2)]);
    l.backward();
    // d/dx = w[y]·(softmax − onehot) / Σ w[y]; the ignored row gets nothing
    close(x.grad as Tensor, [1.5 / 6 / 2, 1.5 * 2 / 6 / 2, 1.5 * (3 / 6 - 1) / 2, 0.5 * (3 / 6 - 1) / 2, 0.5 * 2 / 6 / 2, 0.5 / 6 / 2, 0, 0, 0]);
  });

  it('label smoothing with weight: (1 − ε)·nll + (ε/C)·Σ_c w_c·(−log p_c), both over Σ w[y]', () => {
    const w = [0.5, 2, 1.5];
    const eps = 0.3;
    const smooth0 = 0.5 * ln(6) + 2 * ln(3) + 1.5 * ln(2);
    const smooth1 = 0.5 * ln(2) + 2 * ln(3) + 1.5 * ln(6);
    const l = F.crossEntropy(logits(), ints([2, 0, -100]), { weight: tensor(w), labelSmoothing: eps });
    close(l, [(1 - eps) * ln(2) + (eps / 3) * (smooth0 + smooth1) / 2]);
    const none = F.crossEntropy(logits(), ints([2, 0, -100]), { weight: tensor(w), labelSmoothing: eps, reduction: 'none' });
    close(none, [(1 - eps) * 1.5 * ln(2) + (eps / 3) * smooth0, (1 - eps) * 0.5 * ln(2) + (eps / 3) * smooth1, 0]);
  });

  it('the default ignoreIndex −100 is ignored on the fused [N, C] path too; an ignoreIndex that is a class', () => {
    const x = logits();
    const l = F.crossEntropy(x, ints([2, 0, -100]));
    close(l, [ln(2)]);
    l.backward();
    close(x.grad as Tensor, [1 / 12, 2 / 12, -3 / 12, -3 / 12, 2 / 12, 1 / 12, 0, 0, 0]);
    // ignoreIndex 1: rows with label 1 drop out of the mean's count
    close(F.crossEntropy(logits(), ints([2, 1, 1]), { ignoreIndex: 1 }), [ln(2)]);
    close(new nn.CrossEntropyLoss({ ignoreIndex: 1, reduction: 'sum' }).forward(logits(), ints([2, 0, 1])), [2 * ln(2)]);
  });

  it("every target ignored: 'mean' is NaN (0/0) with a zero gradient, 'sum' is 0", () => {
    for (const labelSmoothing of [0, 0.2]) {
      for (const weight of [null, tensor([1, 2, 3])]) {
        const x = logits();
        const l = F.crossEntropy(x, ints([-100, -100, -100]), { weight, labelSmoothing });
        expect(Number.isNaN(l.item())).toBe(true);
        l.backward();
        expect(Array.from((x.grad as Tensor).toArray())).toEqual(new Array(9).fill(0));
        expect(F.crossEntropy(logits(), ints([-100, -100, -100]), { weight, labelSmoothing, reduction: 'sum' }).item()).toBe(0);
      }
    }
  });
});

describe('crossEntropy: probability targets', () => {
  it("'mean' divides by the number of rows even with weights; gradients (p·Σ w·t − w·t) / N", () => {
    const x = zeros([2, 4]).requiresGrad_(true);
    const t = tensor([[1, 0, 0, 0], [0, 0.5, 0.5, 0]]);
    const w = tensor([2, 1, 3, 1]);
    // log p = −ln 4 everywhere: row losses ln 4 · Σ_c w_c t_c = 2 ln 4 each
    close(F.crossEntropy(x, t, { weight: w, reduction: 'none' }), [2 * ln(4), 2 * ln(4)]);
    const l = F.crossEntropy(x, t, { weight: w });
    close(l, [2 * ln(4)]);
    l.backward();
    close(x.grad as Tensor, [-0.75, 0.25, 0.25, 0.25, 0.25, 0, -0.5, 0.25]);
    // without weight, with smoothing ε: t' = t·(1 − ε) + ε/C sums to 1 per row, so each row is ln 4
    close(F.crossEntropy(zeros([2, 4]), t, { labelSmoothing: 0.4, reduction: 'sum' }), [2 * ln(4)]);
  });

  it('the target gets its gradient (−w·log p / N), the weight never', () => {
    const t = tensor([[0.25, 0.75]]).requiresGrad_(true);
    const l = F.crossEntropy(tensor([[0, ln(3)]]), t, { weight: tensor([2, 1]) });
    l.backward();
    close(t.grad as Tensor, [-2 * ln(1 / 4), -ln(3 / 4)]);
  });
});

describe('crossEntropy: [C] and [N, C, d…] inputs', () => {
  it('an unbatched [C] input with a 0-d label, and [N, C, d] against [N, d]', () => {
    close(F.crossEntropy(tensor([0, ln(2), ln(3)]), ints(2, []), { reduction: 'none' }), [ln(2)]);
    expect(F.crossEntropy(tensor([0, ln(2), ln(3)]), ints(2, []), { reduction: 'none' }).shape).toEqual([]);
    // [1, 3, 2]: position 0 has log p = ln([1, 2, 3] / 6), position 1 ln([3, 2, 1] / 6)
    const x = tensor([[[0, ln(3)], [ln(2), ln(2)], [ln(3), 0]]]);
    const l = F.crossEntropy(x, ints([0, 1], [1, 2]), { reduction: 'none' });
    expect(l.shape).toEqual([1, 2]);
    close(l, [ln(6), ln(3)]);
  });
});

describe('crossEntropy: what it refuses', () => {
  const x = zeros([3, 5]);
  const y = ints([0, 1, 2]);
  it('options: unknown keys, labelSmoothing outside [0, 1], ignoreIndex not an integer', () => {
    const loose = (o: object): nn.CrossEntropyLossOptions => o as nn.CrossEntropyLossOptions;
    expect(() => F.crossEntropy(x, y, loose({ ignore_index: 1 }))).toThrow("CrossEntropyLoss: unknown option 'ignore_index' (did you mean ignoreIndex?)");
    expect(() => new nn.CrossEntropyLoss(loose({ pos_weight: 1 }))).toThrow("CrossEntropyLoss: unknown option 'pos_weight'");
    for (const ls of [-0.1, 1.5, NaN]) {
      expect(() => F.crossEntropy(x, y, { labelSmoothing: ls })).toThrow(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${ls}`);
      expect(() => new nn.CrossEntropyLoss({ labelSmoothing: ls })).toThrow(`labelSmoothing must be in [0, 1], got ${ls}`);
    }
    expect(() => F.crossEntropy(x, y, { ignoreIndex: 1.5 })).toThrow('CrossEntropyLoss: ignoreIndex must be an integer, got 1.5');
    expect(() => new nn.CrossEntropyLoss({ ignoreIndex: NaN })).toThrow('CrossEntropyLoss: ignoreIndex must be an integer, got NaN');
  });

  it('weight: a 1-D float32 tensor of one value per class that does not require grad', () => {
    const bad = (w: unknown): nn.CrossEntropyLossOptions => ({ weight: w as Tensor });
    expect(() => F.crossEntropy(x, y, { weight: zeros([4]) })).toThrow('CrossEntropyLoss: weight must have shape [5] (one per class), got [4]');
    expect(() => new nn.CrossEntropyLoss({ weight: zeros([4]) }).forward(x, y)).toThrow('weight must have shape [5] (one per class), got [4]');
    expect(() => F.crossEntropy(x, y, { weight: zeros([5, 1]) })).toThrow('weight must have shape [5] (one per class), got [5, 1]');
    expect(() => new nn.CrossEntropyLoss({ weight: zeros([5, 1]) })).toThrow('CrossEntropyLoss: weight must be 1-D (one value per class), got shape [5, 1]');
    expect(() => new nn.CrossEntropyLoss({ weight: ints([1, 2, 3, 4, 5]) })).toThrow('CrossEntropyLoss: weight must be a float32 tensor, got int32');
    expect(() => F.crossEntropy(x, y, bad([1, 2, 3, 4, 5]))).toThrow('CrossEntropyLoss: weight must be a Tensor, got object');
    const w = zeros([5]).requiresGrad_(true);
    expect(() => F.crossEntropy(x, y, { weight: w })).toThrow('CrossEntropyLoss: gradients with respect to weight are not supported');
    expect(noGrad(() => F.crossEntropy(x, y, { weight: w, reduction: 'sum' }).item())).toBe(0);
  });

  it('class indices: out of range and not ignoreIndex, named with their position; shapes; dtypes', () => {
    expect(() => F.crossEntropy(x, ints([0, 5, 1]))).toThrow('CrossEntropyLoss: label 5 at index 1 is outside [0, 5) and is not ignoreIndex (-100)');
    expect(() => F.crossEntropy(x, ints([0, -1, -100]), { ignoreIndex: -1 })).toThrow('label -100 at index 2 is outside [0, 5) and is not ignoreIndex (-1)');
    expect(() => F.crossEntropy(x, ints([0, 1, 7]), { weight: zeros([5]) })).toThrow('label 7 at index 2 is outside [0, 5)');
    expect(() => F.crossEntropy(zeros([2, 5, 3]), ints([0, 1, 2, 3, 9, 4], [2, 3]))).toThrow('label 9 at index [1, 1] is outside [0, 5)');
    expect(() => F.crossEntropy(zeros([2, 5, 3]), ints([0, 1], [2]))).toThrow('CrossEntropyLoss: target must have shape [2, 3] to match input [2, 5, 3], got [2]');
    expect(() => F.crossEntropy(zeros([5]), ints([1]))).toThrow('CrossEntropyLoss: target must have shape [] to match input [5], got [1]');
    expect(() => F.crossEntropy(zeros([]), ints(0, []))).toThrow('CrossEntropyLoss: input must be [batch, classes] logits (or [classes], or [batch, classes, d1, ...]), got shape []');
    expect(() => F.crossEntropy(x, tensor([true, false, true]))).toThrow('CrossEntropyLoss: target must be int32 class indices or float32 class probabilities, got a bool tensor');
  });

  it('probability targets: the input\'s shape, and no ignoreIndex ≥ 0 (PyTorch: "not supported for floating point target")', () => {
    expect(() => F.crossEntropy(x, zeros([3]))).toThrow(
      "CrossEntropyLoss: target must be int32 class indices, got a float32 tensor of shape [3] (use tensor(labels, { dtype: 'int32' })); "
      + "a float32 target holds class probabilities and must have the input's shape [3, 5]");
    expect(() => F.crossEntropy(x, zeros([3, 4]))).toThrow("must have the input's shape [3, 5]");
    expect(() => F.crossEntropy(x, zeros([3, 5]), { ignoreIndex: 0 })).toThrow(
      'CrossEntropyLoss: ignoreIndex is not supported with probability targets (float32, the input\'s shape), got ignoreIndex 0');
    // a negative ignoreIndex ignores nothing: uniform logits and targets give ln 5 per row
    close(F.crossEntropy(x, zeros([3, 5]).add(0.2), { ignoreIndex: -1 }), [ln(5)]);
  });
});

describe('nn.CrossEntropyLoss with options', () => {
  it("registers weight as the buffer 'weight' (PyTorch's state-dict key); none without weight", () => {
    const w = tensor([1, 2, 3]);
    const m = new nn.CrossEntropyLoss({ weight: w });
    expect(Object.keys(m.stateDict())).toEqual(['weight']);
    expect(m.weight).toBe(w);
    expect(Object.keys(new nn.CrossEntropyLoss().stateDict())).toEqual([]);
  });

  it("describes itself for data-parallel shards unless a 'mean' needs the whole batch's weights", () => {
    const w = tensor([0.5, 2, 1.5]);
    expect(new nn.CrossEntropyLoss({ weight: w }).describe()).toBeNull();
    expect(new nn.CrossEntropyLoss({ ignoreIndex: 0 }).describe()).toBeNull();
    const d = new nn.CrossEntropyLoss({ weight: w, reduction: 'sum', ignoreIndex: 1, labelSmoothing: 0.1 }).describe();
    expect(d).not.toBeNull();
    const rebuilt = nn.Module.fromDescription(JSON.parse(JSON.stringify(d)) as nn.ModuleDescription) as nn.CrossEntropyLoss;
    expect([rebuilt.reduction, rebuilt.ignoreIndex, rebuilt.labelSmoothing]).toEqual(['sum', 1, 0.1]);
    expect(Array.from((rebuilt.weight as Tensor).toArray())).toEqual([0.5, 2, 1.5]);
    expect(new nn.CrossEntropyLoss().describe()).toEqual({ kind: 'CrossEntropyLoss', reduction: 'mean', labelSmoothing: 0, weight: null, ignoreIndex: -100, meanOfBatch: true });
  });

  it("a worker's share of a 'mean' (rebuilt as 'sum') refuses ignored labels; the mean itself ignores them", () => {
    const d = new nn.CrossEntropyLoss().describe() as nn.ModuleDescription;
    const share = nn.Module.fromDescription({ ...d, reduction: 'sum' }) as nn.CrossEntropyLoss;
    expect(() => share.forward(logits(), ints([2, -100, 0]))).toThrow(
      "CrossEntropyLoss: label -100 (ignoreIndex) at index 1: with workers > 1 a 'mean' divides each worker's share by the batch's rows");
    close(share.forward(logits(), ints([2, 0, 1])), [2 * ln(2) + ln(3)]);
    close((nn.Module.fromDescription(d) as nn.CrossEntropyLoss).forward(logits(), ints([2, -100, 0])), [(ln(2) + ln(3)) / 2]);
    const sum = new nn.CrossEntropyLoss({ reduction: 'sum' }).describe() as nn.ModuleDescription;
    close((nn.Module.fromDescription(sum) as nn.CrossEntropyLoss).forward(logits(), ints([2, -100, 0])), [ln(2) + ln(3)]);
  });

  it("fit with workers: 2 refuses a 'mean' over a batch with an ignored label, and trains 'none' on it as one thread does", async () => {
    const y = ints([0, 1, -100, 1, 0, 1, 0, -100, 1, 0, 1, 0]);
    const run = async (loss: nn.CrossEntropyLoss, workers: number): Promise<number[]> => {
      manualSeed(7);
      const set = new data.TensorDataset(randn([12, 4]), y);
      const net = new nn.Sequential(new nn.Linear(4, 2));
      const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
      const loader = new data.DataLoader(set, { batchSize: 6 });
      return (await train.fit(net, loader, loader, loss, 2, opt, { workers })).trainLoss;
    };
    await expect(run(new nn.CrossEntropyLoss(), 2)).rejects.toThrow('label -100 (ignoreIndex) at index');
    const one = await run(new nn.CrossEntropyLoss({ reduction: 'none' }), 1);
    const two = await run(new nn.CrossEntropyLoss({ reduction: 'none' }), 2);
    two.forEach((v, i) => expect(Math.abs(v - one[i])).toBeLessThanOrEqual(1e-5 * Math.abs(one[i])));
  });
});
