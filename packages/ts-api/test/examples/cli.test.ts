// Every example runs as a script (`node --import tsx examples/NAME.ts`), tiny sizes from the command
// line: the main guard fires when the file is executed (and, as the other tests show, not on import).

import { noDownloadEnv } from './no-download.js';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

// The timeout only stops a hung script; each gets it on its own (they run one after another).
async function script(file: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args], { cwd: packageDir, timeout: 300_000, env: noDownloadEnv() });
  return stdout;
}

const tiny = ['--train-limit', '200', '--test-limit', '200'];

describe('examples as scripts', () => {
  it('each example runs from the command line and prints its result', async () => {
    // One at a time: six at once on a 2-core machine made each one's time depend on the others'.
    const softmax = await script('softmax-regression.ts', ['1']);
    const mlp = await script('mlp.ts', [...tiny, '--epochs', '1', '--hidden', '128']);
    const custom = await script('custom-module.ts', [...tiny, '--epochs', '1']);
    const hyper = await script('hyperparameters.ts', [...tiny]);
    const overfit = await script('overfitting.ts', [...tiny, '--epochs', '3', '--eval-every', '1']);
    const remedies = await script('remedies.ts', [...tiny, '--epochs', '2', '--val-limit', '100', '--ensemble-size', '2']);
    expect(softmax).toMatch(/^final: train loss [\d.]+, test acc [\d.]+$/m);
    expect(mlp).toContain('Linear(in_features=784, out_features=128, bias=True)');
    expect(mlp).toMatch(/200 training \/ 200 test images, batch 256, lr 0\.1, 1 epochs/);
    expect(mlp).toMatch(/^final: /m);
    expect(custom).toMatch(/^final: /m);
    expect(hyper).toMatch(/^epochs +0\.1 +256 +20 /m);
    expect(overfit).toMatch(/^final +3 /m);
    for (const name of ['baseline', 'early stopping', 'L2', 'L1', 'augmentation', 'dropout', 'ensemble']) {
      expect(remedies).toMatch(new RegExp(`^${name} +[\\d.]+ +[\\d.]+`, 'm'));
    }
  }, 6 * 300_000);

  it('rejects an unknown option instead of ignoring it', async () => {
    await expect(script('mlp.ts', ['--epoch', '1'])).rejects.toThrow(/Unknown option '--epoch'/);
  });
});
