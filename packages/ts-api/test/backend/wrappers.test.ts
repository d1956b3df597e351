/**
 * The TypeScript wrappers refuse, before calling wasm, buffers that are disposed, of the wrong dtype or
 * too short for the sizes given — and say what was expected and what was given.
 */
import { describe, expect, it } from 'vitest';
import { allocStorage, KernelError, kernels, reference, rng, storageFrom, type Kernels, type Storage } from '../../src/backend/index.js';

const f = (n: number): Storage => allocStorage('float32', n, { zero: true });
const i = (n: number): Storage => allocStorage('int32', n, { zero: true });
const u = (n: number): Storage => allocStorage('uint8', n, { zero: true });

type Case = [string, (k: Kernels) => void, string | RegExp];

const SHORT: Case[] = [
  ['gemm A', (k) => k.gemm(false, true, 256, 10, 784, 1, f(1000), f(7840), 0, f(2560)), 'gemm_f32: A needs 200704 floats (256×784), its buffer has 1000'],
  ['gemm B (transposed)', (k) => k.gemm(false, true, 2, 10, 784, 1, f(1568), f(7839), 0, f(20)), 'B needs 7840 floats (10×784), its buffer has 7839'],
  ['gemm C', (k) => k.gemm(true, false, 3, 4, 5, 1, f(15), f(20), 0, f(11)), 'C needs 12 floats (3×4), its buffer has 11'],
  ['softmax y', (k) => k.softmax(f(12), f(11), 2, 3, 2), 'y needs 12 floats (2×3×2), its buffer has 11'],
  ['logSoftmax x', (k) => k.logSoftmax(f(5), f(6), 1, 6, 1), 'x needs 6 floats (1×6×1), its buffer has 5'],
  ['softmaxBackward dy', (k) => k.softmaxBackward(f(6), f(5), f(6), 2, 3, 1), 'dy needs 6 floats'],
  ['logSoftmaxBackward dx', (k) => k.logSoftmaxBackward(f(6), f(6), f(2), 2, 3, 1), 'dx needs 6 floats'],
  ['crossEntropy labels', (k) => k.crossEntropy(f(30), i(2), 3, 10, 0, 'mean', f(1)), 'labels needs 3 int32 values (one per row), its buffer has 2'],
  ['crossEntropy loss none', (k) => k.crossEntropy(f(30), i(3), 3, 10, 0, 'none', f(1)), "loss needs 3 floats (one per row for reduction 'none'), its buffer has 1"],
  ['crossEntropy labels dtype', (k) => k.crossEntropy(f(30), f(3), 3, 10, 0, 'mean', f(1)), 'labels must be a int32 Storage, got float32'],
  ['crossEntropy reduction', (k) => k.crossEntropy(f(30), i(3), 3, 10, 0, 'avg' as 'mean', f(1)), "reduction must be 'none', 'mean' or 'sum', got avg"],
  ['crossEntropy smoothing', (k) => k.crossEntropy(f(30), i(3), 3, 10, 1.5, 'mean', f(1)), 'labelSmoothing must be in [0, 1], got 1.5'],
  ['crossEntropyBackward grad', (k) => k.crossEntropyBackward(f(30), i(3), 3, 10, 0, f(1), 1 / 3, f(29)), 'grad needs 30 floats (3×10), its buffer has 29'],
  ['crossEntropyBackward dloss', (k) => k.crossEntropyBackward(f(30), i(3), 3, 10, 0, f(2), 1, f(30)), 'dloss needs 3 floats'],
  ['relu y', (k) => k.relu(f(4), f(3)), 'relu_f32: y needs 4 floats (x has 4), its buffer has 3'],
  ['reluBackward dy', (k) => k.reluBackward(f(4), f(3), f(4)), 'dy needs 4 floats'],
  ['sigmoid y', (k) => k.sigmoid(f(4), f(0)), 'y needs 4 floats'],
  ['sigmoidBackward dx', (k) => k.sigmoidBackward(f(4), f(4), f(1)), 'dx needs 4 floats'],
  ['exp', (k) => k.exp(f(2), f(1)), 'exp_f32: y needs 2 floats'],
  ['log', (k) => k.log(f(2), f(1)), 'log_f32: y needs 2 floats'],
  ['abs', (k) => k.abs(f(2), f(1)), 'abs_f32: y needs 2 floats'],
  ['neg', (k) => k.neg(f(2), f(1)), 'neg_f32: y needs 2 floats'],
  ['sign', (k) => k.sign(f(2), f(1)), 'sign_f32: y needs 2 floats'],
  ['powScalar', (k) => k.powScalar(f(2), 2, f(1)), 'pow_scalar_f32: y needs 2 floats'],
  ['scale', (k) => k.scale(f(2), 2, f(1)), 'scale_f32: y needs 2 floats'],
  ['addScalar', (k) => k.addScalar(f(2), 2, f(1)), 'add_scalar_f32: y needs 2 floats'],
  ['axpy', (k) => k.axpy(2, f(5), f(4)), 'axpy_f32: y needs 5 floats'],
  ['fill dtype', (k) => k.fill(i(5), 1), 'fill_f32: y must be a float32 Storage, got int32'],
  ['binary divides', (k) => k.binary('add', f(5), f(1), f(12)), "a has 5 floats, which neither equals nor divides y's 12"],
  ['binary op', (k) => k.binary('pow' as 'add', f(1), f(1), f(1)), "op must be 'add', 'sub', 'mul', 'div', 'maximum' or 'minimum', got pow"],
  ['binaryRows a', (k) => k.binaryRows('mul', f(5), f(2), f(6), 3), 'a needs 6 floats (2×3: one row per element of col), its buffer has 5'],
  ['biasAdd bias', (k) => k.biasAdd(f(20), f(9), f(20), 2, 10), 'bias needs 10 floats, its buffer has 9'],
  ['biasGrad dy', (k) => k.biasGrad(f(19), f(10), 2, 10), 'dy needs 20 floats (2×10), its buffer has 19'],
  ['sum dtype', (k) => void k.sum(i(3)), 'sum_f32: x must be a float32 Storage, got int32'],
  ['sumAxis y', (k) => k.sumAxis(f(24), f(7), 2, 3, 4), 'y needs 8 floats (2×4), its buffer has 7'],
  ['maxAxis x', (k) => k.maxAxis(f(23), f(8), 2, 3, 4), 'x needs 24 floats (2×3×4), its buffer has 23'],
  ['maxAxis empty dim', (k) => k.maxAxis(f(0), f(8), 2, 0, 4), 'cannot reduce over an empty dimension'],
  ['argmaxAxis dtype', (k) => k.argmaxAxis(f(24), f(8), 2, 3, 4), 'y must be a int32 Storage, got float32'],
  ['expand y', (k) => k.expand(f(3), f(5), [2, 3], [0, 1]), 'y needs 6 floats (shape [2, 3]), its buffer has 5'],
  ['expand strides reach', (k) => k.expand(f(3), f(6), [2, 3], [3, 1]), 'shape [2, 3] with xStrides [3, 1] reaches element 5 of x, which has 3'],
  ['expand ndim', (k) => k.expand(f(1), f(1), [1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0]), 'shape has 9 dimensions, at most 8 are supported'],
  ['expand strides count', (k) => k.expand(f(3), f(6), [2, 3], [1]), 'xStrides must have one entry per dimension'],
  ['sumTo dy', (k) => k.sumTo(f(5), f(3), [2, 3], [0, 1]), 'dy needs 6 floats (shape [2, 3]), its buffer has 5'],
  ['sumTo strides reach', (k) => k.sumTo(f(6), f(2), [2, 3], [0, 1]), 'reaches element 2 of dx, which has 2'],
  ['sgdStep grad', (k) => k.sgdStep(f(10), f(9), null, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: true }), 'grad needs 10 floats (param has 10), its buffer has 9'],
  ['sgdStep buf null', (k) => k.sgdStep(f(10), f(10), null, { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, firstStep: true }), 'momentum 0.9 needs a momentum buffer of 10 floats, got null'],
  ['sgdStep buf short', (k) => k.sgdStep(f(10), f(10), f(3), { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, firstStep: true }), 'buf needs 10 floats'],
  ['adamStep v', (k) => k.adamStep(f(10), f(10), f(10), f(9), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1, decoupled: false }), 'v needs 10 floats'],
  ['adamStep step', (k) => k.adamStep(f(1), f(1), f(1), f(1), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 0, decoupled: false }), 'step counts from 1, got 0'],
  ['gatherU8ToF32 y', (k) => k.gatherU8ToF32(u(784 * 4), 784, i(3), 1 / 255, f(784 * 3 - 1)), 'y needs 2352 floats (3×784: one row per index), its buffer has 2351'],
  ['gatherU8ToF32 src dtype', (k) => k.gatherU8ToF32(f(8), 4, i(1), 1, f(4)), 'src must be a uint8 Storage, got float32'],
  ['gatherI32 y', (k) => k.gatherI32(i(10), i(4), i(3)), 'y needs 4 int32 values (one per index), its buffer has 3'],
  ['gatherF32 y', (k) => k.gatherF32(f(20), 5, i(2), f(9)), 'y needs 10 floats'],
  ['sizes must be integers', (k) => k.softmax(f(6), f(6), 1.5, 4, 1), 'outer must be a non-negative integer below 2^32, got 1.5'],
  ['negative sizes', (k) => k.gemm(false, false, -1, 2, 2, 1, f(4), f(4), 0, f(4)), 'm must be a non-negative integer below 2^32, got -1'],
  ['copy y', (k) => k.copy(i(4), i(3)), 'copy_u32: y needs 4 int32 values'],
  ['cast y', (k) => k.cast(u(4), f(3)), 'cast_u8_to_f32: y needs 4 floats (x has 4), its buffer has 3'],
  ['compare y dtype', (k) => k.compare('eq', f(4), f(4), f(4)), 'y must be a uint8 Storage, got float32'],
  ['compare op', (k) => k.compare('is' as never, f(4), f(4), u(4)), "op must be one of 'eq', 'ne', 'lt', 'le', 'gt', 'ge'; got is"],
  ['compare broadcast', (k) => k.compare('lt', i(3), i(4), u(4)), "a has 3 elements, which neither equals nor divides y's 4"],
  ['binaryInt y', (k) => k.binaryInt('add', i(4), i(1), i(3)), "a has 4 elements, which neither equals nor divides y's 3"],
  ['logical a dtype', (k) => k.logical('and', f(4), u(4), u(4)), 'a must be a uint8 Storage, got float32'],
  ['allAny y', (k) => k.allAny('all', u(6), u(1), 2, 3, 1), 'y needs 2 bytes'],
  ['resizeBilinear y', (k) => k.resizeBilinear(f(4), f(8), 1, 2, 2, 3, 3), 'y needs 9 floats (1×3×3), its buffer has 8'],
  ['confusion out', (k) => k.confusion(i(5), i(5), 10, i(99)), 'out needs 100 int32 values (10×10), its buffer has 99'],
  ['confusion target', (k) => k.confusion(i(5), i(4), 10, i(100)), 'target needs 5 int32 values (pred has 5), its buffer has 4'],
  ['confusion dtype', (k) => k.confusion(f(5), i(5), 10, i(100)), 'pred must be a int32 Storage, got float32'],
  ['confusion classes', (k) => k.confusion(i(5), i(5), -1, i(100)), 'classes must be a non-negative integer below 2^32, got -1'],
];

describe.each([['kernels', kernels], ['reference', reference]] as const)('%s wrappers refuse bad buffers', (setName, k) => {
  it.each(SHORT)('%s', (_label, run, message) => {
    let err: unknown;
    try {
      run(k);
    } catch (e) {
      err = e;
    }
    expect(err, 'expected a KernelError').toBeInstanceOf(KernelError);
    const ke = err as KernelError;
    const text = setName === 'reference' ? ke.message.replace(/_ref: /, ': ') : ke.message;
    if (typeof message === 'string') expect(text).toContain(message);
    else expect(text).toMatch(message);
    // the reference set names the `_ref` export where one exists
    if (setName === 'reference' && /^(gemm|softmax|relu|cross_entropy|sum_axis|confusion)/.test(ke.kernel)) expect(ke.kernel).toMatch(/_ref$/);
  });
});

describe('liveness and dtype checks', () => {
  it('a disposed storage is refused by name', () => {
    const x = f(4);
    const y = f(4);
    x.dispose();
    expect(() => kernels.relu(x, y)).toThrow('relu_f32: x was disposed (its wasm memory has been freed)');
    y.dispose();
  });

  it('a non-Storage is refused', () => {
    const y = f(4);
    expect(() => kernels.relu(new Float32Array(4) as unknown as Storage, y)).toThrow('x must be a Storage, got Float32Array');
    y.dispose();
  });

  it('longer buffers are fine (sizes come from the arguments)', () => {
    const a = storageFrom(new Float32Array([1, 2, 3, 4, 99]));
    const b = storageFrom(new Float32Array([1, 0, 0, 1, 99]));
    const c = f(5);
    c.f32()[4] = 42;
    kernels.gemm(false, false, 2, 2, 2, 1, a, b, 0, c);
    expect(Array.from(c.f32())).toEqual([1, 2, 3, 4, 42]);
  });
});

describe('rng wrappers', () => {
  it('seed / state round trip and determinism', () => {
    const a = f(16);
    const b = f(16);
    rng.seed(1234);
    const st = rng.getState();
    expect(st).toBeInstanceOf(Uint32Array);
    expect(st.length).toBe(4);
    rng.normal(a, 0, 1);
    rng.setState(st);
    rng.normal(b, 0, 1);
    expect(Array.from(b.f32())).toEqual(Array.from(a.f32()));
    rng.seed(1234n);
    expect(Array.from(rng.getState())).toEqual(Array.from(st));
    rng.seed(-1); // wraps modulo 2^64 like torch.manual_seed
    rng.seed(2n ** 64n - 1n);
    const s2 = rng.getState();
    rng.seed(-1);
    expect(Array.from(rng.getState())).toEqual(Array.from(s2));
  });

  it('refuses bad arguments with a message', () => {
    expect(() => rng.seed(1.5)).toThrow('seed must be an integer');
    expect(() => rng.setState(new Uint32Array(3))).toThrow('state must be a Uint32Array of 4 words');
    expect(() => rng.setState(new Uint32Array(4))).toThrow('all-zero state');
    expect(() => rng.normal(f(4), 0, -1)).toThrow('std must be ≥ 0, got -1');
    expect(() => rng.uniform(i(4), 0, 1)).toThrow('rng_uniform_f32: y must be a float32 Storage, got int32');
    expect(() => rng.permutation(f(4))).toThrow('rng_permutation_i32: y must be a int32 Storage, got float32');
    expect(() => rng.dropout(f(4), f(4), f(4), 1)).toThrow('dropout_f32: p must be in [0, 1), got 1');
    expect(() => rng.dropout(f(4), f(3), f(4), 0.5)).toThrow('dropout_f32: mask needs 4 floats (x has 4), its buffer has 3');
    expect(() => rng.randomCrop(f(8), f(7), 2, 1, 2, 2, 1)).toThrow('random_crop_f32: y needs 8 floats (2×1×2×2), its buffer has 7');
    expect(() => rng.randomHflip(f(8), f(8), 2, 1, 2, 2, 2)).toThrow('random_hflip_f32: p must be in [0, 1], got 2');
  });

  it('permutation and dropout produce valid output', () => {
    const p = i(10);
    rng.seed(7);
    rng.permutation(p);
    expect(Array.from(p.i32()).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const x = storageFrom(new Float32Array(1000).fill(1));
    const m = f(1000);
    const y = f(1000);
    rng.dropout(x, m, y, 0.5);
    const vals = new Set(Array.from(y.f32()));
    expect([...vals].every((v) => v === 0 || v === 2)).toBe(true);
  });
});
