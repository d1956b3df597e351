// The training API in a Node worker_threads Worker (comlink's node adapter), on the real Fashion-MNIST.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data } from '../../src/index.js';
import { createTrainer, type Trainer, type TrainerData, type TrainerProgress } from '../../src/worker/index.js';
import { TrainerCore } from '../../src/worker/trainer.js';

/** The settings of the cross-runtime determinism check; packages/demo/test/e2e.test.ts uses the same. */
export const DETERMINISM_CONFIG = { model: 'softmax', lr: 0.1, batchSize: 256, epochs: 1, seed: 7 } as const;
/** Data-parallel (workers: 2) settings; packages/demo/test/e2e.test.ts checks the browser against them. */
export const PARALLEL_CONFIG = { model: 'mlp', hidden: 64, lr: 0.1, batchSize: 64, epochs: 1, seed: 3, workers: 2 } as const;

let fm: data.FashionMnistData;
const trainers: Trainer[] = [];

function copyOfData(): TrainerData {
  return {
    trainImages: fm.train.images.slice(), trainLabels: fm.train.labels.slice(),
    testImages: fm.test.images.slice(), testLabels: fm.test.labels.slice(),
  };
}

async function trainerWithData(): Promise<Trainer> {
  const t = await createTrainer();
  trainers.push(t);
  await t.setData(copyOfData());
  return t;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  fm = await data.loadFashionMnistFiles({ download: false });
}, 60_000);

afterAll(async () => {
  await Promise.all(trainers.map((t) => t.terminate()));
});

describe('softmax-nn/worker in Node worker_threads', () => {
  it('trains one epoch of softmax regression on Fashion-MNIST with progress arriving from the worker', async () => {
    const trainer = await createTrainer();
    trainers.push(trainer);
    const d = copyOfData();
    const info = await trainer.setData(d);
    expect(info).toEqual({ trainCount: 60000, testCount: 10000 });
    // Transferred, not copied: the buffers are detached on this side.
    expect(d.trainImages.byteLength).toBe(0);
    expect(d.testLabels.byteLength).toBe(0);

    const config = await trainer.configure({ model: 'softmax', epochs: 1, seed: 1 });
    expect(config).toMatchObject({ model: 'softmax', lr: 0.1, batchSize: 256, epochs: 1, seed: 1 });
    const events: TrainerProgress[] = [];
    const result = await trainer.fit((p) => {
      events.push(p);
    });
    // fit resolves only once every progress event has been delivered: the epoch's is the last.
    expect(events.at(-1)).toMatchObject({ type: 'epoch', epoch: 1, step: 235 });
    const batches = events.filter((e) => e.type === 'batch');
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(batches.length).toBe(235);
    expect(batches[0]).toMatchObject({ epoch: 1, batch: 0, batches: 235, step: 1, size: 256 });
    expect(batches.at(-1)).toMatchObject({ batch: 234, step: 235, size: 60000 - 234 * 256 });
    expect(batches.every((b) => Number.isFinite(b.loss) && b.loss > 0)).toBe(true);
    expect(batches.at(-1)!.loss).toBeLessThan(batches[0].loss);
    expect(epochs).toHaveLength(1);
    expect(result.stopReason).toBe('completed');
    expect(result.history).toHaveLength(1);
    expect(result.history[0].testAcc).toBeGreaterThan(0.7);
    expect(result.history[0].trainLoss).toBeLessThan(1.2);

    const ev = await trainer.evaluate();
    expect(ev.accuracy).toBeCloseTo(result.history[0].testAcc, 10);
    expect(ev.count).toBe(10000);
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10000);
    expect(ev.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(new Array(10).fill(1000));
    expect(ev.loss).toBeGreaterThan(0);
  });

  it('fit resolves only after the progress callback has answered its last event (what the worker relies on)', async () => {
    const core = new TrainerCore();
    core.setData(copyOfData());
    core.configure({ model: 'softmax', epochs: 1, seed: 2 });
    // The epoch's event is answered only when this test says so, as a slow channel to the page would.
    const epochEvent: { answer?: () => void } = {};
    let resolved = false;
    const fitting = core.fit((p) => (p.type === 'epoch' ? new Promise<void>((r) => { epochEvent.answer = r; }) : undefined))
      .then((r) => { resolved = true; return r; });
    const turn = () => new Promise((r) => setImmediate(r));
    while (epochEvent.answer === undefined) await turn();
    // Without that wait fit resolves one turn of the event loop after its last event; 20 turns leave a wide margin.
    for (let i = 0; i < 20; i++) await turn();
    expect(resolved).toBe(false);
    epochEvent.answer();
    expect((await fitting).stopReason).toBe('completed');
    core.dispose();
  });

  it('createTrainer: fit does not wait for a promise the progress callback returns', async () => {
    const trainer = await trainerWithData();
    await trainer.configure({ model: 'softmax', epochs: 1, seed: 2 });
    let calls = 0;
    const result = await trainer.fit(() => {
      calls++;
      return new Promise(() => undefined); // never settles
    });
    expect(result.stopReason).toBe('completed');
    expect(calls).toBe(235 + 1);
  });

  it('predict returns labels, probabilities that sum to 1, true labels and pixels', async () => {
    const trainer = await trainerWithData();
    await trainer.configure({ epochs: 1, seed: 3 });
    await trainer.fit();
    const indices = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1234, 9999];
    const p = await trainer.predict(indices);
    expect(p.classes).toBe(10);
    expect(p.labels).toBeInstanceOf(Int32Array);
    expect(p.labels).toHaveLength(indices.length);
    expect(p.probabilities).toHaveLength(indices.length * 10);
    for (let i = 0; i < indices.length; i++) {
      const row = Array.from(p.probabilities.subarray(i * 10, i * 10 + 10));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(row.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(row.indexOf(Math.max(...row))).toBe(p.labels[i]);
      expect(p.trueLabels[i]).toBe(fm.test.labels[indices[i]]);
    }
    expect(p.images).toHaveLength(indices.length * 784);
    expect(Array.from(p.images.subarray(11 * 784, 12 * 784))).toEqual(Array.from(fm.test.images.subarray(9999 * 784, 10000 * 784)));
    // Most of the first test images are right after one epoch.
    expect(Array.from(p.labels).filter((l, i) => l === p.trueLabels[i]).length).toBeGreaterThan(indices.length / 2);
    await expect(trainer.predict([10000])).rejects.toThrow('predict: index 10000 is out of range for 10000 test images');
  });

  it('stop() ends fit early, and fit() again resumes to the same weights as an uninterrupted run', async () => {
    const config = { model: 'mlp', hidden: 32, epochs: 2, seed: 11, dropout: 0.2, augment: true } as const;
    const stopped = await trainerWithData();
    await stopped.configure(config);
    let seen = 0;
    const fitting = stopped.fit((p) => {
      if (p.type === 'batch') seen++;
    });
    // Sent right behind fit on the same channel: the worker reads it at training's first turn of its
    // event loop (after ~50 ms of batches), however slow this thread or the machine is.
    await stopped.stop();
    const first = await fitting;
    expect(first.stopReason).toBe('stopped');
    expect(first.epochsDone).toBe(0);
    expect(seen).toBeGreaterThanOrEqual(1);
    expect(seen).toBeLessThan(235);
    const status = await stopped.status();
    expect(status).toMatchObject({ running: false, midEpoch: true, epochsDone: 0 });

    const resumedEvents: TrainerProgress[] = [];
    const second = await stopped.fit((p) => {
      resumedEvents.push(p);
    });
    expect(second.stopReason).toBe('completed');
    expect(second.history.map((h) => h.epoch)).toEqual([1, 2]);
    // It resumed at the batch after the last one reported before the first fit resolved.
    expect(resumedEvents[0]).toMatchObject({ type: 'batch', epoch: 1, batch: seen, step: seen + 1 });

    const straight = await trainerWithData();
    await straight.configure(config);
    const whole = await straight.fit();
    expect(sha256(await stopped.stateDict())).toBe(sha256(await straight.stateDict()));
    // Timings aside, the same records.
    expect(second.history).toEqual(whole.history.map((h, i) => ({ ...h, seconds: second.history[i].seconds, examplesPerSecond: second.history[i].examplesPerSecond })));
  });

  it('errors inside the worker reject with their original message', async () => {
    const trainer = await createTrainer();
    trainers.push(trainer);
    await expect(trainer.configure({ lr: -1 })).rejects.toThrow('configure: lr must be a positive number, got -1');
    await expect(trainer.configure({ model: 'cnn' as 'mlp' })).rejects.toThrow("configure: model must be 'softmax', 'mlp', 'lenet', 'lenet-bn', got \"cnn\"");
    await expect(trainer.fit()).rejects.toThrow('fit: there is no data; call setData() or loadFashionMnist() first');
    await expect(trainer.setData({ trainImages: new Uint8Array(10), trainLabels: new Uint8Array(1), testImages: new Uint8Array(784), testLabels: new Uint8Array(1) }))
      .rejects.toThrow('setData: trainImages has 10 bytes for 1 labels; expected 1 × 784 = 784');
    await expect(trainer.loadStateDict(new Uint8Array([1, 2, 3]))).rejects.toThrow('loadStateDict: not a safetensors file');
    // The worker is still usable after errors.
    await expect(trainer.configure({ lr: 0.5 })).resolves.toMatchObject({ lr: 0.5 });
    // A terminated worker rejects instead of hanging.
    await trainer.terminate();
    await expect(trainer.status()).rejects.toThrow('the training worker was terminated');
  });

  it('a worker that cannot start rejects createTrainer with its error', async () => {
    const url = new URL('data:text/javascript,throw new Error("boom at start")');
    await expect(createTrainer({ workerUrl: url })).rejects.toThrow('boom at start');
  });

  it('stateDict / loadStateDict round-trip (safetensors), also across architectures', async () => {
    const a = await trainerWithData();
    await a.configure({ model: 'mlp', hidden: 32, epochs: 1, seed: 5 });
    await a.fit();
    const bytes = await a.stateDict();
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)))));
    expect(Object.keys(header).filter((k) => k !== '__metadata__').sort()).toEqual(['1.bias', '1.weight', '3.bias', '3.weight']);
    expect(header['1.weight']).toMatchObject({ dtype: 'F32', shape: [32, 784] });
    const accA = (await a.evaluate()).accuracy;

    const b = await trainerWithData();
    await b.configure({ model: 'softmax' });
    const loaded = await b.loadStateDict(bytes.slice());
    expect(loaded).toMatchObject({ model: 'mlp', hidden: 32, dropout: false });
    expect((await b.status()).model).toBe('mlp (784 → 32 → 10)');
    expect((await b.evaluate()).accuracy).toBe(accA);
    expect(sha256(await b.stateDict())).toBe(sha256(bytes));
  });

  it('determinism: the same seed and settings give bit-identical weights in two workers and in-thread', async () => {
    const hashes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t = await trainerWithData();
      await t.configure(DETERMINISM_CONFIG);
      await t.fit();
      hashes.push(sha256(await t.stateDict()));
    }
    const core = new TrainerCore();
    core.setData(copyOfData());
    core.configure(DETERMINISM_CONFIG);
    const history = await core.fit();
    const inThread = sha256(core.stateDict());
    core.dispose();
    expect(hashes[1]).toBe(hashes[0]);
    expect(inThread).toBe(hashes[0]);
    // The Node side of the cross-runtime check (packages/demo/test/e2e.test.ts computes the browser's).
    const out = new URL('../../../../test-output/', import.meta.url);
    mkdirSync(out, { recursive: true });
    writeFileSync(
      new URL('worker-determinism-node.json', out),
      JSON.stringify({ config: DETERMINISM_CONFIG, sha256: hashes[0], testAcc: history.history[0].testAcc }, null, 2) + '\n',
    );
  });

  it('workers: validated, and workers: 2 trains with a nested gradient worker, deterministically', async () => {
    const bad = await trainerWithData();
    for (const w of [0, 17, 1.5, -1]) {
      await expect(bad.configure({ workers: w })).rejects.toThrow(`configure: workers must be an integer from 1 to 16, got ${w}`);
    }
    await expect(bad.configure({ workers: '2' as unknown as number })).rejects.toThrow('configure: workers must be an integer from 1 to 16, got "2"');
    expect((await bad.configure({})).workers).toBe(1); // the default

    const hashes: string[] = [];
    const accs: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = await trainerWithData();
      expect((await t.configure(PARALLEL_CONFIG)).workers).toBe(2);
      const r = await t.fit();
      expect(r.stopReason).toBe('completed');
      accs.push(r.history[0].testAcc);
      hashes.push(sha256(await t.stateDict()));
    }
    expect(hashes[1]).toBe(hashes[0]);
    expect(accs[0]).toBeGreaterThanOrEqual(0.75);
    // In-thread with the same N: the same weights.
    const core = new TrainerCore();
    core.setData(copyOfData());
    core.configure(PARALLEL_CONFIG);
    await core.fit();
    expect(sha256(core.stateDict())).toBe(hashes[0]);
    // workers: 1 sums the batch in one pass: rounding differs, so the weights do (the shards really ran apart).
    core.configure({ ...PARALLEL_CONFIG, workers: 1 });
    await core.fit();
    expect(sha256(core.stateDict())).not.toBe(hashes[0]);
    core.dispose();
  });

  it('workers: 2 over two epochs: stop + resume (mid-epoch and at the epoch end) gives the weights of an uninterrupted run', async () => {
    const config = { ...PARALLEL_CONFIG, epochs: 2 };
    const run = async (stopAt: number | null): Promise<{ hash: string; batches: number[]; losses: number[] }> => {
      const core = new TrainerCore();
      core.setData(copyOfData());
      core.configure(config);
      const batches: number[] = [];
      const onProgress = (p: TrainerProgress) => {
        if (p.type !== 'batch') return;
        batches.push(p.batch);
        if (p.step === stopAt) core.stop();
      };
      let result = await core.fit(onProgress);
      if (stopAt !== null) {
        expect(result.stopReason).toBe('stopped');
        result = await core.fit(onProgress);
      }
      expect(result.stopReason).toBe('completed');
      const losses = result.history.map((h) => h.trainLoss);
      const hash = sha256(core.stateDict());
      core.dispose();
      return { hash, batches, losses };
    };
    const whole = await run(null);
    const B = 938; // 60000 / 64
    expect(whole.batches).toEqual([...Array(B).keys(), ...Array(B).keys()]);
    for (const stopAt of [100, B]) {
      const resumed = await run(stopAt);
      expect(resumed.batches, `stopped at step ${stopAt}`).toEqual(whole.batches);
      expect(resumed.losses).toEqual(whole.losses);
      expect(resumed.hash, `stopped at step ${stopAt}`).toBe(whole.hash);
    }
  });

  it('workers: 2 with dropout: stop + resume mid-epoch gives the weights of an uninterrupted run (the workers\' masks too)', async () => {
    const config = { ...PARALLEL_CONFIG, dropout: 0.2 };
    const run = async (stopAt: number | null): Promise<string> => {
      const core = new TrainerCore();
      core.setData(copyOfData());
      core.configure(config);
      const onProgress = (p: TrainerProgress) => { if (p.type === 'batch' && p.step === stopAt) core.stop(); };
      let result = await core.fit(onProgress);
      if (stopAt !== null) result = await core.fit(onProgress);
      expect(result.stopReason).toBe('completed');
      const hash = sha256(core.stateDict());
      core.dispose();
      return hash;
    };
    const whole = await run(null);
    expect(await run(300)).toBe(whole);
    // Dropout really ran in the workers: without it the weights differ.
    const core = new TrainerCore();
    core.setData(copyOfData());
    core.configure({ ...config, dropout: 0 });
    await core.fit();
    expect(sha256(core.stateDict())).not.toBe(whole);
    core.dispose();
  });
});
