// The d2l.ai "Preliminaries" chapters (2.1 data manipulation, 2.3 linear algebra, 2.4 calculus, 2.5
// automatic differentiation) ported to examples/d2l/: each port runs as a program and must print what
// the book's PyTorch code prints. The Python originals (parity/d2l/, one print per displayed value)
// run live when /usr/bin/python3 imports torch; their committed output (parity/d2l/expected/) is
// checked everywhere. 2.2 (data preprocessing) is pandas, not tensors, and has no port.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { printedDifference } from '../helpers/printed-output.js';

const PACKAGE = fileURLToPath(new URL('../../', import.meta.url));
const D2L = fileURLToPath(new URL('../../../../parity/d2l/', import.meta.url));
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

const CHAPTERS = [
  { port: 'data-manipulation', mirror: 'ch2_1_data_manipulation' },
  { port: 'linear-algebra', mirror: 'ch2_3_linear_algebra' },
  { port: 'calculus', mirror: 'ch2_4_calculus' },
  { port: 'autograd', mirror: 'ch2_5_autograd' },
  { port: 'file-io', mirror: 'ch5_5_file_io' }, // 5.5 File I/O: io.save / io.load of a tensor, a list, a dict, a state dict
] as const;

function torchMissing(): string | null {
  if (process.env.PARITY_NO_TORCH === '1') return 'PARITY_NO_TORCH=1';
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? null : `${PYTHON} cannot import torch and numpy`;
}
const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l chapters: live PyTorch runs skipped — ${NO_TORCH}; the committed outputs are still checked`);

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

describe('d2l chapter 2 ports print what PyTorch prints', () => {
  for (const { port, mirror } of CHAPTERS) {
    const printed = (): string => run(process.execPath, ['--import', 'tsx', join('examples', 'd2l', `${port}.ts`)], PACKAGE);
    let output: string | null = null;
    const ours = (): string => (output ??= printed());

    it(`${port}: as the committed output of ${mirror}.py`, () => {
      const expected = readFileSync(join(D2L, 'expected', `${mirror}.txt`), 'utf8');
      expect(printedDifference(ours(), expected)).toBeNull();
    });

    it.skipIf(NO_TORCH !== null)(`${port}: as ${mirror}.py run live`, () => {
      const expected = run(PYTHON, [join(D2L, `${mirror}.py`)], D2L);
      expect(printedDifference(ours(), expected)).toBeNull();
    });
  }
});

describe('printedDifference', () => {
  it('accepts other column alignment and the last printed digit, nothing more', () => {
    expect(printedDifference('tensor([ 1.0000, -2.5000])', 'tensor([1.0000, -2.5000])')).toBeNull();
    expect(printedDifference('tensor([1.0001])', 'tensor([1.0000])')).toBeNull();
    expect(printedDifference('tensor([1.0003])', 'tensor([1.0000])')).toMatch(/line 1/);
    expect(printedDifference('tensor([1., 2.])', 'tensor([1., 2., 3.])')).toMatch(/line 1/);
    expect(printedDifference('tensor([True])', 'tensor([False])')).toMatch(/line 1/);
    expect(printedDifference('a\nb', 'a')).toMatch(/line 2: extra/);
    expect(printedDifference('a', 'a\nb')).toMatch(/line 2: missing/);
  });

  it('{{num}} stands for any number, in the expected layout', () => {
    expect(printedDifference('tensor([[-0.3, 1.2]])', 'tensor([[{{num}}, {{num}}]])')).toBeNull();
    expect(printedDifference('tensor([[-0.3]])', 'tensor([[{{num}}, {{num}}]])')).toMatch(/line 1/);
  });
});
