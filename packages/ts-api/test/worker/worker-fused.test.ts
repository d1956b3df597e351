// The worker's runs go through fit's fused step (softmax regression and the MLP on one thread): its
// training loader hands fit the batches' dataset indices, resumable mid-epoch like its tensor batches.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { kernels } from '../../src/backend/index.js';
import type { TrainerConfig } from '../../src/worker/index.js';
import { TrainerCore } from '../../src/worker/trainer.js';

const TRAIN = 72;

/** Pixels from an LCG and labels 0…9 in turn: enough for the weights to move differently every step. */
function data() {
  let s = 12345;
  const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  const images = (n: number) => Uint8Array.from({ length: n * 784 }, next);
  const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10);
  return { trainImages: images(TRAIN), trainLabels: labels(TRAIN), testImages: images(20), testLabels: labels(20) };
}

const cores: TrainerCore[] = [];
function core(config: Partial<TrainerConfig>): TrainerCore {
  const c = new TrainerCore();
  c.setData(data());
  c.configure(config);
  cores.push(c);
  return c;
}
afterAll(() => {
  for (const c of cores) c.dispose();
});

const weights = (c: TrainerCore) => Object.fromEntries(c.parameters().map((p) => [p.name, Array.from(p.data)]));

describe('the worker on the fused step', () => {
  for (const [model, kernel] of [['softmax', 'linearCeStepU8'], ['mlp', 'mlpCeStepU8']] as const) {
    it(`${model}: every step is one fused call, and stop + resume mid-epoch gives a straight run's bits`, async () => {
      const spy = vi.spyOn(kernels, kernel);
      const config: Partial<TrainerConfig> = { model, hidden: 16, seed: 3, batchSize: 8, epochs: 2, dropout: model === 'mlp' ? 0.2 : 0 };
      const straight = core(config);
      await straight.fit();
      const steps = 2 * (TRAIN / 8);
      expect(spy).toHaveBeenCalledTimes(steps);

      const stopped = core(config);
      let n = 0;
      const first = await stopped.fit((p) => {
        if (p.type === 'batch' && ++n === 5) stopped.stop();
      });
      expect(first.stopReason).toBe('stopped');
      expect(stopped.status().midEpoch).toBe(true);
      const second = await stopped.fit();
      expect(second.stopReason).toBe('completed');
      expect(spy).toHaveBeenCalledTimes(2 * steps);
      expect(weights(stopped)).toEqual(weights(straight));
      expect(stopped.history().map((r) => r.trainLoss)).toEqual(straight.history().map((r) => r.trainLoss));
      spy.mockRestore();
    });
  }
});
