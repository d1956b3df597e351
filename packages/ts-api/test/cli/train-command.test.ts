// runTrain / runPredict on a small slice of the real Fashion-MNIST (2 000 training, 500 test images):
// the run folder's contents, --resume's bit-exactness, early stopping across a resume, and predict.

import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { data, io, type Tensor } from '../../src/index.js';
import { Collect, useCliFixture } from '../helpers/cli-fixture.js';
import { parseTrainArgs, UsageError, type TrainOptions } from '../../src/cli/args.js';
import { buildNet, inferArch } from '../../src/cli/models.js';
import { runPredict } from '../../src/cli/predict-command.js';
import { runTrain, RUN_FILES } from '../../src/cli/train-command.js';

type Dataset = data.Dataset<[Tensor, Tensor]>;

const fixture = useCliFixture(2000, 500, 'softmax-nn-cli-');
let datasets: { train: Dataset; test: Dataset };
let root: string;
beforeAll(() => {
  ({ datasets, root } = fixture);
});

function options(out: string, ...args: string[]): TrainOptions {
  return parseTrainArgs(['--out', join(root, out), ...args])!;
}

async function train(opts: TrainOptions) {
  const stdout = new Collect();
  const result = await runTrain(opts, { datasets, stdout });
  return { result, text: stdout.text };
}

async function expectUsage(p: Promise<unknown>, message: RegExp): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(UsageError);
  expect((e as Error).message).toMatch(message);
}

describe('softmax-nn train (runTrain)', () => {
  it('trains and writes the run folder', async () => {
    const opts = options('softmax', '--epochs', '2');
    const { result, text } = await train(opts);
    const dir = opts.out;
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.safetensors', 'config.json', 'curves.svg', 'metrics.json', 'model.safetensors']);

    const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as Record<string, number>[];
    expect(metrics).toHaveLength(2);
    metrics.forEach((m, i) => {
      expect(Object.keys(m).sort()).toEqual(['epoch', 'lr', 'seconds', 'testAcc', 'trainAcc', 'trainLoss']);
      expect(m.lr).toBe(0.1);
      expect(m.epoch).toBe(i + 1);
      expect(m.trainAcc).toBeGreaterThan(0.3);
      expect(m.testAcc).toBeGreaterThan(0.3);
      expect(m.seconds).toBeGreaterThan(0);
    });
    expect(metrics[1].trainLoss).toBeLessThan(metrics[0].trainLoss);
    expect(metrics[1].testAcc).toBeGreaterThan(0.55);
    expect(result.history.epochs.map((e) => e.testAcc)).toEqual(metrics.map((m) => m.testAcc));

    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({
      model: 'softmax', epochs: 2, batchSize: 256, lr: 0.1, weightDecay: 0, dropout: 0, augment: [], earlyStop: null,
      valSize: 0, lrSchedule: null, optimizer: 'sgd', momentum: 0, seed: 0, trainExamples: 2000, testExamples: 500,
    });

    // model.safetensors: PyTorch's key names, loads back into the same model.
    const dict = await io.load(join(dir, 'model.safetensors'));
    expect(Object.keys(dict).sort()).toEqual(['1.bias', '1.weight']);
    expect(dict['1.weight'].shape).toEqual([10, 784]);
    expect(inferArch(dict, 'model')).toEqual({ model: 'softmax', hidden: 0, dropout: 0 });
    const net = buildNet({ model: 'softmax', hidden: 0, dropout: 0 });
    net.loadStateDict(dict);
    for (const t of Object.values(dict)) t.dispose();

    const svg = await readFile(join(dir, 'curves.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    for (const label of ['train loss', 'train acc', 'test acc', 'epoch']) expect(svg).toContain(`>${label}</text>`);
    expectBalanced(svg);
    // Two points per curve.
    for (const m of svg.matchAll(/<polyline points="([^"]*)"/g)) expect(m[1].split(' ')).toHaveLength(2);

    // Output: a plain line per epoch (no TTY), then the table.
    expect(text).toMatch(/epoch 1\/2 {2}loss \d\.\d{4} {2}train acc \d\.\d{4} {2}test acc \d\.\d{4} {2}\d+\.\d\d s\n/);
    expect(text).toMatch(/epoch +loss +train acc +test acc +seconds\n/);
    expect(text).toMatch(/\n +2 +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +\d+\.\d\d\n/);
    expect(text).not.toMatch(/\x1b/);
  });

  it('trains d2l\'s LeNets (--model lenet, lenet-bn) and predict recognises their weights', async () => {
    const cases = [
      { args: ['--model', 'lenet'], model: 'lenet', keys: 10, dropout: 0 },
      { args: ['--model', 'lenet', '--dropout', '0.3'], model: 'lenet', keys: 10, dropout: 0.5 },
      { args: ['--model', 'lenet-bn', '--lr', '1'], model: 'lenet-bn', keys: 30, dropout: 0 },
    ] as const;
    for (const [i, c] of cases.entries()) {
      const dir = join(root, `lenet-${i}`);
      const { result } = await train(options(`lenet-${i}`, ...c.args, '--epochs', '1', '--limit', '512', '--workers', '1'));
      expect(result.history.epochs).toHaveLength(1);
      const dict = await io.load(join(dir, 'model.safetensors'));
      expect(Object.keys(dict)).toHaveLength(c.keys);
      expect(dict['0.weight'].shape).toEqual([6, 1, 5, 5]);
      expect(inferArch(dict, 'model')).toEqual({ model: c.model, hidden: 0, dropout: c.dropout });
      for (const t of Object.values(dict)) t.dispose();
    }
    const stdout = new Collect();
    await runPredict({ weights: join(root, 'lenet-2', 'model.safetensors'), n: 4, model: null, hidden: null, svg: null, dataRoot: null, download: false }, { test: datasets.test, stdout });
    expect(stdout.text).toMatch(/\d\/4 correct/);
    const conv = { '0.weight': [6, 1, 3, 3], '0.bias': [6] };
    expect(() => inferArch(Object.fromEntries(Object.entries(conv).map(([k, s]) => [k, { shape: s } as unknown as Tensor])), 'w.safetensors'))
      .toThrow('w.safetensors has convolution weights but does not match the lenet or lenet-bn model; it has 0.bias [6], 0.weight [6, 1, 3, 3]');
  });

  it('refuses to overwrite a run unless asked, and rejects --limit beyond the data', async () => {
    const opts = options('softmax', '--epochs', '1');
    await expectUsage(runTrain(opts, { datasets, stdout: new Collect() }), /already holds a run .*--resume.*--overwrite/);
    await expectUsage(runTrain(options('limit', '--limit', '5000'), { datasets, stdout: new Collect() }), /--limit 5000 is more than the 2000 training examples/);
  });

  it('--resume gives the same weights, bit for bit, as an uninterrupted run (mlp, dropout, augmentation, weight decay)', async () => {
    const args = ['--model', 'mlp', '--hidden', '32', '--dropout', '0.3', '--augment', '--weight-decay', '1e-3', '--seed', '3', '--batch-size', '100'];
    await train(options('straight', '--epochs', '3', ...args));
    await train(options('split', '--epochs', '2', ...args));
    const { result, text } = await train(options('split', '--epochs', '3', '--resume', ...args));
    expect(result.resumedFrom).toBe(2);
    expect(text).toContain('resuming after epoch 2');
    const a = await readFile(join(root, 'straight', 'model.safetensors'));
    const b = await readFile(join(root, 'split', 'model.safetensors'));
    expect(Buffer.compare(a, b)).toBe(0);
    const ma = JSON.parse(await readFile(join(root, 'straight', 'metrics.json'), 'utf8')) as { trainLoss: number; testAcc: number }[];
    const mb = JSON.parse(await readFile(join(root, 'split', 'metrics.json'), 'utf8')) as { trainLoss: number; testAcc: number }[];
    expect(mb.map((m) => [m.trainLoss, m.testAcc])).toEqual(ma.map((m) => [m.trainLoss, m.testAcc]));
    expect(mb).toHaveLength(3);
    // The MLP's keys with a Dropout layer: Flatten, Linear, ReLU, Dropout, Linear.
    const dict = await io.load(join(root, 'split', 'model.safetensors'));
    expect(Object.keys(dict).sort()).toEqual(['1.bias', '1.weight', '4.bias', '4.weight']);
    for (const t of Object.values(dict)) t.dispose();
  });

  it('--resume requires the run\'s options and a checkpoint', async () => {
    const args = ['--model', 'mlp', '--hidden', '32', '--dropout', '0.3', '--augment', '--weight-decay', '1e-3', '--seed', '3', '--batch-size', '100'];
    await expectUsage(
      runTrain(options('split', '--epochs', '4', '--resume', ...args.slice(0, -2)), { datasets, stdout: new Collect() }),
      /--batch-size: the run used 100, now 256/,
    );
    await expectUsage(
      runTrain(options('split', '--epochs', '4', '--resume', ...args, '--lr', '0.5'), { datasets, stdout: new Collect() }),
      /--lr: the run used 0.1, now 0.5/,
    );
    await expectUsage(runTrain(options('split', '--epochs', '2', '--resume', ...args), { datasets, stdout: new Collect() }), /already has 3 epochs/);
    await expectUsage(runTrain(options('nothing-here', '--resume'), { datasets, stdout: new Collect() }), /no checkpoint to resume/);
  });

  it('early stopping keeps the best weights, also across --resume', async () => {
    // A learning rate this large makes validation accuracy go up and down, so patience 1 stops early. One
    // worker: the MLP's default is one per core, and the epoch it stops at must not depend on the machine.
    const args = ['--model', 'mlp', '--hidden', '16', '--lr', '1.5', '--early-stop', '1', '--val-size', '500', '--workers', '1'];
    const { result, text } = await train(options('es-straight', '--epochs', '12', ...args));
    expect(result.history.stopReason).toBe('early-stopping');
    const stopped = result.history.epochs.length;
    expect(stopped).toBeLessThan(12);
    // The best epoch by validation (the first of equals), never by the test set.
    const best = result.history.epochs.reduce((a, e) => (e.valAcc! > a.valAcc! ? e : a));
    expect(result.weightsEpoch).toBe(best.epoch);
    expect(text).toContain(`stopped early after epoch ${stopped}`);
    expect(text).toContain(`kept the weights of epoch ${best.epoch}`);
    expect(await readdir(join(root, 'es-straight'))).toContain(RUN_FILES.best);

    // The same run in pieces: one epoch, then resumed to the end (and once more, which has nothing to do).
    await train(options('es-split', '--epochs', String(best.epoch), ...args));
    const resumed = await train(options('es-split', '--epochs', '12', '--resume', ...args));
    expect(resumed.result.history.epochs.length).toBe(stopped);
    expect(resumed.result.weightsEpoch).toBe(best.epoch);
    const again = await train(options('es-split', '--epochs', '12', '--resume', ...args));
    expect(again.text).toContain(`the run was stopped early after epoch ${stopped}; nothing to train`);
    for (const run of ['es-split']) {
      const a = await readFile(join(root, 'es-straight', 'model.safetensors'));
      const b = await readFile(join(root, run, 'model.safetensors'));
      expect(Buffer.compare(a, b)).toBe(0);
    }
  });
});

describe('softmax-nn predict (runPredict)', () => {
  it('prints true and predicted labels, and draws them as SVG', async () => {
    const stdout = new Collect();
    const svgPath = join(root, 'pred', 'predictions.svg');
    const weights = join(root, 'softmax', 'model.safetensors');
    const r = await runPredict({ weights, n: 6, model: null, hidden: null, svg: svgPath, dataRoot: null, download: false }, { test: datasets.test, stdout });
    expect(r.arch.model).toBe('softmax');
    expect(r.predictions).toHaveLength(6);
    // The first test images of Fashion-MNIST are an ankle boot, a pullover and two trousers.
    expect(r.predictions.slice(0, 4).map((p) => p.trueName)).toEqual(['ankle boot', 'pullover', 'trouser', 'trouser']);
    const lines = stdout.text.split('\n');
    expect(lines[0]).toBe(`softmax (784 → 10) from ${weights}, first 6 test images:`);
    expect(lines[2]).toMatch(/^#  true +predicted$/);
    r.predictions.forEach((p, i) => {
      const row = lines[4 + i];
      expect(row).toMatch(new RegExp(`^${i}  ${p.trueName} +${p.predictedName}${p.label === p.predicted ? '$' : '  wrong$'}`));
    });
    expect(stdout.text).toContain(`\n${r.correct}/6 correct (`);
    expect(stdout.text).toContain(`wrote ${svgPath}`);

    const svg = await readFile(svgPath, 'utf8');
    expectBalanced(svg);
    expect(svg.match(/<g class="image"/g)).toHaveLength(6);
    for (const p of r.predictions) expect(svg).toContain(`<title>#${p.index}: true ${p.trueName}, predicted ${p.predictedName}</title>`);
  });

  it('infers the MLP from its weights, reads checkpoints, and rejects weights that do not fit', async () => {
    const stdout = new Collect();
    const base = { n: 3, model: null, hidden: null, svg: null, dataRoot: null, download: false } as const;
    const r = await runPredict({ ...base, weights: join(root, 'straight', 'model.safetensors') }, { test: datasets.test, stdout });
    expect(r.arch).toMatchObject({ model: 'mlp', hidden: 32 });
    expect(stdout.text).toMatch(/^mlp \(784 → 32 → 10\) from /);
    const c = await runPredict({ ...base, weights: join(root, 'straight', 'checkpoint.safetensors') }, { test: datasets.test, stdout: new Collect() });
    expect(c.predictions.map((p) => p.predicted)).toEqual(r.predictions.map((p) => p.predicted));

    const softmaxWeights = join(root, 'softmax', 'model.safetensors');
    await expectUsage(runPredict({ ...base, weights: softmaxWeights, model: 'mlp' }, { test: datasets.test, stdout: new Collect() }), /does not fit mlp \(784 → 256 → 10\).*\n.*size mismatch for 1.weight/);
    await expectUsage(runPredict({ ...base, weights: join(root, 'straight', 'model.safetensors'), model: 'mlp', hidden: 64 }, { test: datasets.test, stdout: new Collect() }), /size mismatch/);
    const notWeights = join(root, 'not-weights.safetensors');
    await writeFile(notWeights, 'hello, world');
    await expectUsage(runPredict({ ...base, weights: notWeights }, { test: datasets.test, stdout: new Collect() }), /cannot read .*not-weights/);
    await expectUsage(runPredict({ ...base, weights: join(root, 'missing.safetensors') }, { test: datasets.test, stdout: new Collect() }), /no such file/);
    await expectUsage(runPredict({ ...base, weights: softmaxWeights, n: 501 }, { test: datasets.test, stdout: new Collect() }), /--n 501 is more than the 500 test images/);
  });
});

/** Every opened tag is closed in order (a cheap XML well-formedness check). */
function expectBalanced(svg: string): void {
  const body = svg.replace(/^<\?xml[^>]*\?>/, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(body).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
}
