// The training flags --val-size, --lr-schedule, --optimizer, --momentum and --augment LIST: their parsing
// (errors with their messages) and short real runs on a slice of Fashion-MNIST (1 500 training, 300 test
// images): what metrics.json, config.json and the printed lines hold, and --resume staying bit-exact.

import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { data, type Tensor } from '../../src/index.js';
import { Collect, useCliFixture } from '../helpers/cli-fixture.js';
import { parseTrainArgs, UsageError, type TrainOptions } from '../../src/cli/args.js';
import { readRunConfig } from '../../src/cli/run-folder.js';
import { runTrain } from '../../src/cli/train-command.js';
import { augmentation } from '../../src/models.js';

type Dataset = data.Dataset<[Tensor, Tensor]>;

const fixture = useCliFixture(1500, 300, 'softmax-nn-flags-');
let datasets: { train: Dataset; test: Dataset };
let root: string;
beforeAll(() => {
  ({ datasets, root } = fixture);
});

const parse = (...args: string[]) => parseTrainArgs(['--out', 'o', ...args])!;

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

function options(out: string, ...args: string[]): TrainOptions {
  return parseTrainArgs(['--out', join(root, out), '--epochs', '2', ...args])!;
}

async function train(opts: TrainOptions) {
  const stdout = new Collect();
  const result = await runTrain(opts, { datasets, stdout });
  const dir = opts.out;
  const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as Record<string, number>[];
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const sha = createHash('sha256').update(await readFile(join(dir, 'model.safetensors'))).digest('hex');
  return { result, text: stdout.text, metrics, config, sha };
}

async function rejectsUsage(p: Promise<unknown>, message: string): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(UsageError);
  expect((e as Error).message).toBe(message);
}

describe('parsing', () => {
  it('--val-size: 0 by default, 5000 with --early-stop, and checked', () => {
    expect(parse().valSize).toBe(0);
    expect(parse('--early-stop', '2').valSize).toBe(5000);
    expect(parse('--early-stop', '2', '--val-size', '300').valSize).toBe(300);
    expect(parse('--val-size', '10').valSize).toBe(10);
    expect(usage(() => parse('--val-size=-1'))).toBe('--val-size must be an integer ≥ 0, got -1');
    expect(usage(() => parse('--early-stop', '2', '--val-size', '0'))).toBe(
      '--early-stop monitors validation accuracy and needs a validation split: --val-size must be ≥ 1 (default 5000)',
    );
  });

  it('--lr-schedule step:EPOCHS:GAMMA, cosine, onecycle', () => {
    expect(parse('--lr-schedule', 'step:5:0.5').lrSchedule).toEqual({ kind: 'step', stepSize: 5, gamma: 0.5 });
    expect(parse('--lr-schedule', 'cosine').lrSchedule).toEqual({ kind: 'cosine' });
    expect(parse('--lr-schedule', 'onecycle').lrSchedule).toEqual({ kind: 'onecycle' });
    expect(parse().lrSchedule).toBeNull();
    const general = (v: string) => `--lr-schedule must be step:EPOCHS:GAMMA (e.g. step:5:0.5), cosine or onecycle, got '${v}'`;
    expect(usage(() => parse('--lr-schedule', 'linear'))).toBe(general('linear'));
    expect(usage(() => parse('--lr-schedule', 'step:5'))).toBe(general('step:5'));
    expect(usage(() => parse('--lr-schedule', 'step:0:0.5'))).toBe("--lr-schedule step:EPOCHS:GAMMA needs EPOCHS an integer ≥ 1, got '0'");
    expect(usage(() => parse('--lr-schedule', 'step:1.5:0.5'))).toBe("--lr-schedule step:EPOCHS:GAMMA needs EPOCHS an integer ≥ 1, got '1.5'");
    expect(usage(() => parse('--lr-schedule', 'step:2:0'))).toBe("--lr-schedule step:EPOCHS:GAMMA needs GAMMA a number > 0, got '0'");
    expect(usage(() => parse('--lr-schedule', 'step:2:x'))).toBe("--lr-schedule step:EPOCHS:GAMMA needs GAMMA a number > 0, got 'x'");
  });

  it("--optimizer with PyTorch's default lr, --momentum", () => {
    expect([parse().optimizer, parse().lr]).toEqual(['sgd', 0.1]);
    expect([parse('--optimizer', 'adam').optimizer, parse('--optimizer', 'adam').lr]).toEqual(['adam', 0.001]);
    expect(parse('--optimizer', 'rmsprop').lr).toBe(0.01);
    expect(parse('--optimizer', 'adam', '--lr', '0.003').lr).toBe(0.003);
    expect(parse('--momentum', '0.9').momentum).toBe(0.9);
    expect(parse('--optimizer', 'rmsprop', '--momentum', '0.5').momentum).toBe(0.5);
    expect(usage(() => parse('--optimizer', 'lbfgs'))).toBe("--optimizer must be sgd, adam, rmsprop, got 'lbfgs'");
    expect(usage(() => parse('--optimizer', 'adam', '--momentum', '0.9'))).toBe(
      '--momentum applies to --optimizer sgd or rmsprop; Adam has no momentum (its betas play that part)',
    );
    expect(usage(() => parse('--momentum=-0.1'))).toBe('--momentum must be ≥ 0, got -0.1');
    expect(usage(() => parse('--momentum', 'lots'))).toBe("--momentum must be a number, got 'lots'");
  });

  it('--augment LIST, and --augment alone as before (crop, flip)', () => {
    expect(parse().augment).toEqual([]);
    expect(parse('--augment').augment).toEqual(['crop', 'flip']);
    expect(parse('--augment', '--seed', '3').augment).toEqual(['crop', 'flip']);
    expect(parse('--augment', 'flip').augment).toEqual(['flip']);
    expect(parse('--augment', 'flip,crop').augment).toEqual(['flip', 'crop']);
    expect(parse('--augment=crop').augment).toEqual(['crop']);
    expect(parse('--augment', 'crop,affine').augment).toEqual(['crop', 'affine']);
    expect(usage(() => parse('--augment', 'rotate'))).toBe("--augment: unknown augmentation 'rotate'; known: crop, flip, affine");
    expect(usage(() => parse('--augment', 'crop,crop'))).toBe("--augment: 'crop' is listed twice");
    expect(usage(() => parse('--augment', 'crop,'))).toBe("--augment must be a comma-separated list of crop, flip, affine, got 'crop,'");
    // the set-up shared with the worker refuses the same names
    expect(() => augmentation(['rotate'])).toThrow("unknown augmentation 'rotate'; known: crop, flip, affine");
    expect(augmentation([])).toBeUndefined();
  });
});

describe('runs', () => {
  it('--val-size holds out a seeded split and reports val loss / val acc per epoch', async () => {
    const a = await train(options('val', '--val-size', '300'));
    expect(a.text).toContain('training softmax (784 → 10) on 1200 images (val 300, test 300), 2 epochs');
    expect(a.text).toMatch(/epoch 1\/2 {2}loss \d\.\d{4} {2}train acc \d\.\d{4} {2}val loss \d\.\d{4} {2}val acc \d\.\d{4} {2}test acc/);
    expect(a.text).toMatch(/val loss +val acc +test acc/);
    expect(a.metrics.map((m) => Object.keys(m).sort())).toEqual(Array(2).fill(['epoch', 'lr', 'seconds', 'testAcc', 'trainAcc', 'trainLoss', 'valAcc', 'valLoss']));
    expect(a.metrics.map((m) => m.valAcc)).toEqual(a.result.history.valAcc);
    // 300 images: an accuracy is a whole number of them
    for (const m of a.metrics) expect(Math.round(m.valAcc * 300) / 300).toBe(m.valAcc);
    expect(a.config).toMatchObject({ valSize: 300, trainExamples: 1500 });
    const b = await train(options('val-again', '--val-size', '300'));
    expect(b.sha).toBe(a.sha);
    const c = await train(options('val-seed', '--val-size', '300', '--seed', '1'));
    expect(c.metrics[0].valAcc).not.toBe(a.metrics[0].valAcc);
    await rejectsUsage(
      runTrain(options('val-too-big', '--val-size', '1500'), { datasets, stdout: new Collect() }),
      '--val-size 1500 leaves no training examples: there are 1500; give at most 1499',
    );
  });

  it('--lr-schedule: the lr of each epoch in metrics.json and the table; --resume stays bit-exact', async () => {
    const step = await train(options('step', '--epochs', '3', '--lr-schedule', 'step:1:0.5'));
    expect(step.metrics.map((m) => m.lr)).toEqual([0.1, 0.05, 0.025]);
    expect(step.text).toMatch(/test acc +lr +seconds/);
    expect(step.text).toContain('lr schedule step:1:0.5');
    expect(step.config.lrSchedule).toBe('step:1:0.5');
    await train(options('step-split', '--epochs', '1', '--lr-schedule', 'step:1:0.5'));
    const resumed = await train(options('step-split', '--epochs', '3', '--lr-schedule', 'step:1:0.5', '--resume'));
    expect(resumed.sha).toBe(step.sha);
    expect(resumed.metrics.map((m) => m.lr)).toEqual([0.1, 0.05, 0.025]);

    const cycle = await train(options('onecycle', '--lr-schedule', 'onecycle'));
    expect(cycle.metrics[0].lr).toBeCloseTo(0.1 / 25, 12); // OneCycleLR starts at maxLr / divFactor
    await rejectsUsage(
      runTrain(options('onecycle', '--epochs', '3', '--lr-schedule', 'onecycle', '--resume'), { datasets, stdout: new Collect() }),
      "--resume: the run's --lr-schedule onecycle spans its 2 epochs, so --epochs cannot change (now 3)",
    );
    const cosine = await train(options('cosine', '--epochs', '3', '--lr-schedule', 'cosine'));
    // CosineAnnealingLR with tMax 3: 0.1 · (1 + cos(π e / 3)) / 2
    cosine.metrics.forEach((m, e) => expect(m.lr).toBeCloseTo((0.1 * (1 + Math.cos((Math.PI * e) / 3))) / 2, 12));
  });

  it('--optimizer and --momentum change the training and are recorded', async () => {
    const plain = await train(options('sgd'));
    const momentum = await train(options('momentum', '--momentum', '0.9'));
    const adam = await train(options('adam', '--optimizer', 'adam'));
    const rms = await train(options('rmsprop', '--optimizer', 'rmsprop', '--momentum', '0.5'));
    expect(new Set([plain.sha, momentum.sha, adam.sha, rms.sha]).size).toBe(4);
    expect(adam.config).toMatchObject({ optimizer: 'adam', lr: 0.001, momentum: 0 });
    expect(rms.config).toMatchObject({ optimizer: 'rmsprop', lr: 0.01, momentum: 0.5 });
    expect(adam.text).toContain('batch 256, adam, lr 0.001, seed 0');
    expect(momentum.text).toContain('lr 0.1, momentum 0.9, seed 0');
    for (const r of [momentum, adam, rms]) expect(r.metrics[1].testAcc).toBeGreaterThan(0.5);
    await rejectsUsage(
      runTrain(options('adam', '--optimizer', 'sgd', '--resume'), { datasets, stdout: new Collect() }),
      `--resume: the options differ from those of the run (${join(root, 'adam', 'config.json')}):\n` +
        '  --lr: the run used 0.001, now 0.1\n  --optimizer: the run used adam, now sgd\n' +
        "Resume with the run's options (only --epochs may change), or start a new run with another --out.",
    );
  });

  it('--augment: alone is crop,flip (the same bits); each entry changes the run', async () => {
    const none = await train(options('aug-none'));
    const bare = await train(options('aug-bare', '--augment'));
    const both = await train(options('aug-both', '--augment', 'crop,flip'));
    const flip = await train(options('aug-flip', '--augment', 'flip'));
    const affine = await train(options('aug-affine', '--augment', 'affine'));
    const affineAgain = await train(options('aug-affine-again', '--augment', 'affine'));
    expect(bare.sha).toBe(both.sha);
    expect(affineAgain.sha).toBe(affine.sha);
    expect(new Set([none.sha, both.sha, flip.sha, affine.sha]).size).toBe(4);
    expect(affine.metrics[1].testAcc).toBeGreaterThan(0.5);
    expect(both.config.augment).toEqual(['crop', 'flip']);
    expect(flip.text).toContain('(test 300, augmented: flip)');
  });

  it('--early-stop chooses the epoch by validation and says so', async () => {
    const es = await train(options('es', '--epochs', '6', '--lr', '1.5', '--early-stop', '1', '--val-size', '300'));
    const epochs = es.result.history.epochs;
    const best = epochs.reduce((a, e) => (e.valAcc! > a.valAcc! ? e : a));
    expect(es.result.weightsEpoch).toBe(best.epoch);
    expect(es.text).toContain(
      `kept the weights of epoch ${best.epoch}, chosen by validation (val acc ${best.valAcc!.toFixed(4)}; its test acc ${best.testAcc.toFixed(4)})`,
    );
    expect(es.text).toContain('early stop 1 (on val acc)');
    // The final line gives the figures of the weights saved, the chosen epoch's.
    const stoppedAt = epochs[epochs.length - 1].epoch;
    const from = best.epoch === stoppedAt ? '' : `, the weights of epoch ${best.epoch}`;
    expect(es.text).toContain(`final: train loss ${best.trainLoss.toFixed(4)}, train acc ${best.trainAcc.toFixed(4)}, test acc ${best.testAcc.toFixed(4)} (${epochs.length} epochs${from}, `);
  });

  it('reads the config.json of a run made before these options, as a run without them', async () => {
    const dir = join(root, 'old-config');
    await mkdir(dir, { recursive: true });
    const old = {
      model: 'softmax', hidden: null, epochs: 2, batchSize: 256, lr: 0.1, weightDecay: 0, dropout: 0, augment: true, earlyStop: null,
      seed: 0, limit: null, workers: 1, trainExamples: 1500, testExamples: 300, dataRoot: null, download: true,
    };
    await writeFile(join(dir, 'config.json'), JSON.stringify(old));
    expect(await readRunConfig(join(dir, 'config.json'))).toEqual({
      ...old, augment: ['crop', 'flip'], valSize: 0, lrSchedule: null, optimizer: 'sgd', momentum: 0,
    });
  });
});
