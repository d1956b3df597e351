// softmax-nn's argument parsing and validation, help texts and exit codes (no training here).

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parsePredictArgs, parseTrainArgs, PREDICT_HELP, TOP_HELP, TRAIN_HELP, UsageError } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/cli.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  const streams = {
    stdout: { write: (s: string) => { out.stdout += s; } },
    stderr: { write: (s: string) => { out.stderr += s; } },
  };
  return { out, streams };
}

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('train arguments', () => {
  it('has the notes\' defaults', () => {
    const o = parseTrainArgs([], new Date(2025, 0, 2, 3, 4, 5))!;
    expect(o).toEqual({
      model: 'softmax', epochs: 10, batchSize: 256, lr: 0.1, weightDecay: 0, dropout: 0, hidden: 256,
      augment: [], earlyStop: null, valSize: 0, lrSchedule: null, optimizer: 'sgd', momentum: 0, seed: 0,
      out: 'runs/softmax-20250102-030405', resume: false, overwrite: false, limit: null, workers: 1, dataRoot: null, download: true,
    });
    // The MLP's steps are big enough for data-parallel training: one worker per core by default.
    expect(parseTrainArgs(['--model', 'mlp'])!.workers).toBe(Math.min(64, availableParallelism()));
  });

  it('trains LeNet with Adam at its default lr unless an optimiser is given', () => {
    expect(parseTrainArgs(['--model', 'lenet'])).toMatchObject({ optimizer: 'adam', lr: 0.001, momentum: 0 });
    expect(parseTrainArgs(['--model', 'lenet', '--lr', '0.003'])).toMatchObject({ optimizer: 'adam', lr: 0.003 });
    expect(parseTrainArgs(['--model', 'lenet', '--optimizer', 'sgd'])).toMatchObject({ optimizer: 'sgd', lr: 0.1 });
    expect(parseTrainArgs(['--model', 'lenet-bn'])).toMatchObject({ optimizer: 'sgd', lr: 0.1 });
    expect(usage(() => parseTrainArgs(['--model', 'lenet', '--momentum', '0.9']))).toBe(
      '--momentum applies to --optimizer sgd or rmsprop; Adam has no momentum (its betas play that part) (--model lenet trains with adam unless --optimizer is given)',
    );
    expect(parseTrainArgs(['--model', 'lenet', '--optimizer', 'sgd', '--momentum', '0.9'])).toMatchObject({ optimizer: 'sgd', momentum: 0.9 });
  });

  it('reads every option', () => {
    const o = parseTrainArgs([
      '--model', 'mlp', '--epochs', '20', '--batch-size', '128', '--lr', '0.05', '--weight-decay', '1e-4',
      '--dropout', '0.2', '--hidden', '512', '--augment', '--early-stop', '3', '--seed', '7', '--out', 'runs/x',
      '--resume', '--limit', '1000', '--data-root', '/data/fm', '--no-download', '--workers', '2',
    ])!;
    expect(o).toEqual({
      model: 'mlp', epochs: 20, batchSize: 128, lr: 0.05, weightDecay: 1e-4, dropout: 0.2, hidden: 512,
      augment: ['crop', 'flip'], earlyStop: 3, valSize: 5000, lrSchedule: null, optimizer: 'sgd', momentum: 0, seed: 7,
      out: 'runs/x', resume: true, overwrite: false, limit: 1000, workers: 2, dataRoot: '/data/fm', download: false,
    });
    expect(usage(() => parseTrainArgs(['--workers', '0']))).toMatch(/--workers must be an integer from 1 to 64/);
    expect(parseTrainArgs(['--lr=0.3', '--out=o'])!.lr).toBe(0.3);
  });

  it('returns null for --help / -h', () => {
    expect(parseTrainArgs(['--help'])).toBeNull();
    expect(parseTrainArgs(['-h', '--lr', 'x'])).toBeNull();
  });

  it('rejects bad values with clear messages', () => {
    expect(usage(() => parseTrainArgs(['--bogus']))).toMatch(/unknown option '--bogus'/i);
    expect(usage(() => parseTrainArgs(['--lr', 'abc']))).toBe("--lr must be a number, got 'abc'");
    expect(usage(() => parseTrainArgs(['--lr', '0.1x']))).toMatch(/--lr must be a number/);
    expect(usage(() => parseTrainArgs(['--lr', '0']))).toMatch(/--lr must be > 0/);
    expect(usage(() => parseTrainArgs(['--lr']))).toMatch(/--lr/);
    expect(usage(() => parseTrainArgs(['--epochs', '0']))).toBe('--epochs must be an integer ≥ 1, got 0');
    expect(usage(() => parseTrainArgs(['--epochs', '2.5']))).toMatch(/--epochs must be an integer/);
    expect(usage(() => parseTrainArgs(['--batch-size', '-3']))).toMatch(/--batch-size/);
    expect(usage(() => parseTrainArgs(['--batch-size=-3']))).toMatch(/--batch-size must be an integer ≥ 1/);
    expect(usage(() => parseTrainArgs(['--dropout', '1']))).toMatch(/--dropout must be in \[0, 1\)/);
    expect(usage(() => parseTrainArgs(['--weight-decay=-1']))).toMatch(/--weight-decay must be ≥ 0/);
    expect(usage(() => parseTrainArgs(['--model', 'cnn']))).toBe("--model must be softmax, mlp, lenet or lenet-bn, got 'cnn'");
    expect(usage(() => parseTrainArgs(['--hidden', '64']))).toMatch(/needs --model mlp/);
    expect(usage(() => parseTrainArgs(['--early-stop', '0']))).toMatch(/--early-stop must be an integer ≥ 1/);
    expect(usage(() => parseTrainArgs(['--resume']))).toMatch(/--resume needs --out/);
    expect(usage(() => parseTrainArgs(['--resume', '--overwrite', '--out', 'x']))).toMatch(/contradict/);
    expect(usage(() => parseTrainArgs(['--out', '']))).toMatch(/--out must not be empty/);
    expect(usage(() => parseTrainArgs(['extra']))).toMatch(/unexpected argument 'extra'/i);
    expect(usage(() => parseTrainArgs(['--augment=yes']))).toMatch(/--augment/);
  });
});

describe('predict arguments', () => {
  it('reads its options', () => {
    expect(parsePredictArgs(['--weights', 'w.safetensors'])).toEqual({
      weights: 'w.safetensors', n: 12, model: null, hidden: null, svg: null, dataRoot: null, download: true,
    });
    expect(parsePredictArgs(['--weights', 'w', '--n', '5', '--model', 'mlp', '--hidden', '64', '--svg', 'p.svg', '--no-download'])).toEqual({
      weights: 'w', n: 5, model: 'mlp', hidden: 64, svg: 'p.svg', dataRoot: null, download: false,
    });
  });

  it('rejects bad values', () => {
    expect(usage(() => parsePredictArgs([]))).toMatch(/--weights FILE is required/);
    expect(usage(() => parsePredictArgs(['--weights', 'w', '--n', '0']))).toMatch(/--n must be an integer from 1 to 10000/);
    expect(usage(() => parsePredictArgs(['--weights', 'w', '--model', 'softmax', '--hidden', '3']))).toMatch(/does not apply/);
    expect(usage(() => parsePredictArgs(['--weights', 'w', '--epochs', '3']))).toMatch(/unknown option '--epochs'/i);
  });
});

describe('help', () => {
  it('documents every option', () => {
    for (const flag of ['--model', '--epochs', '--batch-size', '--lr', '--weight-decay', '--dropout', '--hidden', '--augment',
      '--early-stop', '--val-size', '--lr-schedule', '--optimizer', '--momentum', '--seed', '--out', '--resume', '--overwrite', '--limit', '--data-root', '--no-download', '--help']) {
      expect(TRAIN_HELP).toContain(flag);
    }
    for (const flag of ['--weights', '--n', '--model', '--hidden', '--svg', '--data-root', '--no-download', '--help']) {
      expect(PREDICT_HELP).toContain(flag);
    }
    for (const word of ['train', 'predict', '--help', '--version']) expect(TOP_HELP).toContain(word);
  });

  it('prints help and the version with exit code 0', async () => {
    for (const [argv, text] of [[['--help'], TOP_HELP], [[], TOP_HELP], [['train', '--help'], TRAIN_HELP], [['predict', '-h'], PREDICT_HELP], [['help', 'train'], TRAIN_HELP]] as const) {
      const { out, streams } = capture();
      expect(await runCli(argv, streams)).toBe(0);
      expect(out.stdout).toBe(text);
      expect(out.stderr).toBe('');
    }
    const { out, streams } = capture();
    expect(await runCli(['--version'], streams)).toBe(0);
    expect(out.stdout).toMatch(/^softmax-nn \d+\.\d+\.\d+\n$/);
  });
});

describe('exit codes', () => {
  it('reports usage errors on stderr with exit code 2 and no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['train', '--bogus'], /unknown option '--bogus'/i],
      [['train', '--lr', 'fast'], /--lr must be a number, got 'fast'/],
      [['train', '--epochs', '0'], /--epochs must be an integer ≥ 1/],
      [['predict', '--weights', '/nonexistent/model.safetensors'], /no such file: \/nonexistent\/model\.safetensors/],
      [['fly'], /unknown command 'fly'/],
      [['--lr', '1'], /unknown option '--lr'/],
      [['help', 'fly'], /no help for 'fly'/],
    ];
    for (const [argv, message] of cases) {
      const { out, streams } = capture();
      expect(await runCli(argv, streams), argv.join(' ')).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr).toMatch(/^softmax-nn: error: /);
      expect(out.stderr).toMatch(message);
      expect(out.stderr).toMatch(/see 'softmax-nn( train| predict)? --help'/);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
