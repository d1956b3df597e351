// softmax-nn/worker given bad input: every method rejects with an error that names the method and says
// what it expected and what it got — no TypeError from inside comlink, no index silently rounded, no
// progress-callback failure swallowed by a fit that then reports "completed".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainer, type Trainer, type TrainerData, type TrainerProgress } from '../../src/worker/index.js';
import { TrainerCore } from '../../src/worker/trainer.js';

const TRAIN = 64;
const TEST = 32;

/** Small Fashion-MNIST-shaped data: 64 training and 32 test images, labels cycling 0…9. */
function smallData(): TrainerData {
  return {
    trainImages: new Uint8Array(TRAIN * 784).map((_, i) => (i * 31) % 251),
    trainLabels: new Uint8Array(TRAIN).map((_, i) => i % 10),
    testImages: new Uint8Array(TEST * 784).map((_, i) => (i * 17) % 241),
    testLabels: new Uint8Array(TEST).map((_, i) => (i * 3) % 10),
  };
}

let t: Trainer;

beforeAll(async () => {
  t = await createTrainer();
  await t.setData(smallData());
  await t.configure({ epochs: 1, batchSize: 16, seed: 2 });
}, 60_000);

afterAll(async () => {
  await t.terminate();
});

describe('createTrainer', () => {
  it('rejects bad options before starting a worker', async () => {
    await expect(createTrainer(null as unknown as object)).rejects.toThrow("createTrainer: options must be an object like { name: 'trainer' }, got null");
    await expect(createTrainer({ workerUrl: 5 as unknown as string })).rejects.toThrow('createTrainer: workerUrl must be a URL or a string, got a number (5)');
    await expect(createTrainer({ name: {} as unknown as string })).rejects.toThrow('createTrainer: name must be a string, got an Object');
  });
});

describe('setData', () => {
  it('rejects a missing data object and bad options, naming what it expected', async () => {
    const expected = 'setData: expected { trainImages, trainLabels, testImages, testLabels } (Uint8Array images, Uint8Array or Int32Array labels), got ';
    await expect(t.setData(null as unknown as TrainerData)).rejects.toThrow(`${expected}null`);
    await expect(t.setData(undefined as unknown as TrainerData)).rejects.toThrow(`${expected}undefined`);
    await expect(t.setData('images' as unknown as TrainerData)).rejects.toThrow(`${expected}a string`);
    await expect(t.setData(smallData(), null as unknown as { transfer?: boolean })).rejects.toThrow('setData: options must be an object like { transfer: false }, got null');
    await expect(t.setData(smallData(), { transfer: 'no' as unknown as boolean })).rejects.toThrow('setData: options.transfer must be true or false, got "no"');
  });

  it('rejects empty splits as empty, not as a size mismatch', async () => {
    const d = smallData();
    await expect(t.setData({ ...d, trainImages: new Uint8Array(0), trainLabels: new Uint8Array(0) }))
      .rejects.toThrow('setData: trainLabels is empty; expected at least one example');
    await expect(t.setData({ ...smallData(), testImages: new Uint8Array(0), testLabels: new Int32Array(0) }))
      .rejects.toThrow('setData: testLabels is empty; expected at least one example');
  });

  it('keeps the data it had after a rejected call', async () => {
    expect((await t.status()).data).toEqual({ trainCount: TRAIN, testCount: TEST });
  });
});

describe('loadFashionMnist', () => {
  it('rejects a source that is neither a URL nor the four files, and a non-boolean verify', async () => {
    const expected = 'loadFashionMnist: expected a base URL (a string) or the four files { trainImages, trainLabels, testImages, testLabels }, got ';
    await expect(t.loadFashionMnist(null as unknown as string)).rejects.toThrow(`${expected}null`);
    await expect(t.loadFashionMnist(5 as unknown as string)).rejects.toThrow(`${expected}a number (5)`);
    await expect(t.loadFashionMnist({ trainImages: new Uint8Array(1) } as unknown as string)).rejects.toThrow('loadFashionMnist: missing trainLabels, testImages, testLabels');
    await expect(t.loadFashionMnist('/data/', { verify: 'no' as unknown as boolean })).rejects.toThrow('loadFashionMnist: verify must be true or false, got "no"');
    await expect(t.loadFashionMnist('/data/', null as unknown as { verify?: boolean })).rejects.toThrow('loadFashionMnist: options must be an object like { verify: false }, got null');
    expect((await t.status()).data).toEqual({ trainCount: TRAIN, testCount: TEST });
  });
});

describe('loadStateDict', () => {
  it('rejects null / non-bytes, saying what it expected', async () => {
    await expect(t.loadStateDict(null as unknown as Uint8Array)).rejects.toThrow('loadStateDict: expected the safetensors bytes as a Uint8Array, got null');
    await expect(t.loadStateDict(undefined as unknown as Uint8Array)).rejects.toThrow('loadStateDict: expected the safetensors bytes as a Uint8Array, got undefined');
    await expect(t.loadStateDict([1, 2] as unknown as Uint8Array)).rejects.toThrow('loadStateDict: expected the safetensors bytes as a Uint8Array, got an Array');
  });
});

describe('configure', () => {
  it('rejects non-object settings, naming them', async () => {
    await expect(t.configure(null as unknown as object)).rejects.toThrow('configure: expected an object of settings, got null');
    await expect(t.configure([1] as unknown as object)).rejects.toThrow('configure: expected an object of settings, got an Array');
    await expect(t.configure({ batchSize: 1.5 })).rejects.toThrow('configure: batchSize must be an integer from 1 to 65536, got 1.5');
  });

  it('rejects values out of range, naming the field and the value', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ epochs: 0 }, 'epochs must be an integer from 1 to 10000, got 0'],
      [{ epochs: 1e9 }, 'epochs must be an integer from 1 to 10000, got 1000000000'],
      [{ hidden: 0 }, 'hidden must be an integer from 1 to 4096, got 0'],
      [{ hidden: 4097 }, 'hidden must be an integer from 1 to 4096, got 4097'],
      [{ batchSize: 65537 }, 'batchSize must be an integer from 1 to 65536, got 65537'],
      [{ batchSize: 0 }, 'batchSize must be an integer from 1 to 65536, got 0'],
      [{ dropout: 1 }, 'dropout must be in [0, 1), got 1'],
      [{ lr: Infinity }, 'lr must be a positive number, got Infinity'],
      [{ lr: 0 }, 'lr must be a positive number, got 0'],
      [{ weightDecay: -0.1 }, 'weightDecay must be a non-negative number, got -0.1'],
      [{ l1: -1 }, 'l1 must be a non-negative number, got -1'],
      [{ l1: NaN }, 'l1 must be a non-negative number, got NaN'],
      [{ momentum: 1 }, 'momentum must be in [0, 1), got 1'],
      [{ patience: 1.5 }, 'patience must be a non-negative integer (0 = no early stopping), got 1.5'],
      [{ trainSubset: -3 }, 'trainSubset must be a non-negative integer (0 = all the training data), got -3'],
      [{ valSize: 2.5 }, 'valSize must be a non-negative integer, got 2.5'],
      [{ optimizer: 'lbfgs' }, "optimizer must be 'sgd', 'adam', 'rmsprop', got \"lbfgs\""],
      [{ augment: 'crop' }, "augment must be true, false or a list of 'crop', 'flip', 'affine', got \"crop\""],
      [{ augment: ['crop', 'rotate'] }, 'augment[1] is "rotate"; expected one of crop, flip, affine'],
      [{ augment: ['flip', 'flip'] }, "augment lists 'flip' twice"],
      [{ patience: 2 }, 'patience 2 needs valSize > 0 (early stopping watches the loss on the held-out validation examples), got valSize 0'],
      [{ optimizer: 'adam', momentum: 0.9 }, "momentum must be 0 with optimizer 'adam' (Adam has none; its betas play that part), got 0.9"],
    ];
    for (const [settings, message] of cases) {
      await expect(t.configure(settings as object), JSON.stringify(settings)).rejects.toThrow(`configure: ${message}`);
    }
    // The run configured before is still there.
    expect((await t.status()).config).toMatchObject({ epochs: 1, batchSize: 16, seed: 2 });
  });

  it('takes the optimiser\'s default lr when none is given', async () => {
    expect((await t.configure({ optimizer: 'adam' })).lr).toBe(0.001);
    expect((await t.configure({ optimizer: 'rmsprop', momentum: 0.5 })).lr).toBe(0.01);
    expect((await t.configure({ optimizer: 'adam', lr: 0.02 })).lr).toBe(0.02);
    expect(await t.configure({ epochs: 1, batchSize: 16, seed: 2 })).toMatchObject({ optimizer: 'sgd', lr: 0.1, momentum: 0, l1: 0, patience: 0, valSize: 0, trainSubset: 0 });
  });
});

describe('predict', () => {
  it('rejects indices that are not integers of a test image instead of rounding them', async () => {
    const range = `expected an integer index of a test image, 0…${TEST - 1}`;
    await expect(t.predict([NaN])).rejects.toThrow(`predict: indices[0] is NaN; ${range}`);
    await expect(t.predict([0, 1.7])).rejects.toThrow(`predict: indices[1] is 1.7; ${range}`);
    await expect(t.predict([2 ** 32])).rejects.toThrow('predict: index 4294967296 is out of range for 32 test images (indices[0]; expected 0…31)');
    await expect(t.predict([0, TEST])).rejects.toThrow('predict: index 32 is out of range for 32 test images (indices[1]; expected 0…31)');
    await expect(t.predict([-1])).rejects.toThrow('predict: index -1 is out of range for 32 test images (indices[0]; expected 0…31)');
    await expect(t.predict(['3'] as unknown as number[])).rejects.toThrow(`predict: indices[0] is "3"; ${range}`);
    await expect(t.predict(new Float32Array([0.5]))).rejects.toThrow(`predict: indices[0] is 0.5; ${range}`);
  });

  it('rejects a non-array instead of predicting nothing', async () => {
    const expected = 'predict: expected an array (or typed array) of test-image indices, got ';
    await expect(t.predict(null as unknown as number[])).rejects.toThrow(`${expected}null`);
    await expect(t.predict(5 as unknown as number[])).rejects.toThrow(`${expected}a number (5)`);
    await expect(t.predict({ length: 2 } as unknown as number[])).rejects.toThrow(`${expected}an Object`);
  });

  it('still predicts for valid indices (typed arrays too)', async () => {
    const p = await t.predict(new Int32Array([3, 0]));
    expect(Array.from(p.trueLabels)).toEqual([9, 0]);
    expect(p.probabilities.length).toBe(20);
  });
});

describe('fit', () => {
  it('rejects with the error a progress callback throws, instead of reporting "completed"', async () => {
    await t.configure({ epochs: 2, batchSize: 16, seed: 2 });
    await expect(t.fit(() => { throw new Error('boom in the page'); }))
      .rejects.toThrow(/^fit: the progress callback failed: boom in the page/);
    expect((await t.status()).running).toBe(false);
    // The page's answer reaches the worker while it trains on: how far the first fit got is not fixed,
    // so start again for the second case (which fails on the first epoch's end).
    await t.configure({ epochs: 2, batchSize: 16, seed: 2 });
    await expect(t.fit(async (p: TrainerProgress) => { if (p.type === 'epoch') throw new Error('async boom'); }))
      .rejects.toThrow(/^fit: the progress callback failed: async boom/);
    // The trainer is usable afterwards: fit() again resumes (after the first epoch at the latest) and completes.
    const r = await t.fit();
    expect(r.stopReason).toBe('completed');
    expect(r.epochsDone).toBe(2);
  });

  it('rejects a callback that is not a function and bad options', async () => {
    await expect(t.fit(5 as unknown as () => void)).rejects.toThrow('fit: onProgress must be a function, got a number (5)');
    await expect(t.fit(undefined, null as unknown as { epochs?: number })).rejects.toThrow('fit: options must be an object like { epochs: 3 }, got null');
    await expect(t.fit(undefined, { epochs: 1.5 })).rejects.toThrow('fit: epochs must be an integer from 1 to 10000, got 1.5');
    await expect(t.fit(undefined, { epochs: '2' as unknown as number })).rejects.toThrow('fit: epochs must be an integer from 1 to 10000, got "2"');
    await expect(t.fit(undefined, { epochs: 0 })).rejects.toThrow('fit: epochs must be an integer from 1 to 10000, got 0');
  });
});

describe('TrainerCore in-thread', () => {
  it('a throwing progress callback stops training after that batch and rejects fit with its error', async () => {
    const core = new TrainerCore();
    try {
      core.setData(smallData());
      core.configure({ epochs: 1, batchSize: 16 });
      let calls = 0;
      const failure = new Error('sync boom');
      let caught: unknown;
      try {
        await core.fit(() => { calls++; throw failure; });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Error);
      expect((caught as Error).message).toBe('fit: the progress callback failed: sync boom');
      expect((caught as Error).cause).toBe(failure);
      expect(calls).toBe(1);
      // Stopped after the first of four batches: mid-epoch, nothing finished, not running.
      expect(core.status()).toMatchObject({ epochsDone: 0, midEpoch: true, running: false });
    } finally {
      core.dispose();
    }
  });
});
