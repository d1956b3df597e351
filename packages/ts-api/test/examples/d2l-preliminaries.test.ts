// The d2l.ai "Preliminaries" chapters (2.1 data manipulation, 2.3 linear algebra, 2.4 calculus, 2.5
// automatic differentiation) ported to examples/d2l/: each port runs as a program and must print what
// the book's PyTorch code prints. The Python originals (parity/d2l/, one print per displayed value)
// run live when /usr/bin/python3 imports torch; their committed output (parity/d2l/expected/) is
// checked everywhere. 2.2 (data preprocessing) is pandas, not tensors, and has no port.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { D2L, runMirror, runPort, torchMissing } from '../helpers/d2l-programs.js';
import { printedDifference } from '../helpers/printed-output.js';

const CHAPTERS = [
  { port: 'data-manipulation', mirror: 'ch2_1_data_manipulation' },
  { port: 'linear-algebra', mirror: 'ch2_3_linear_algebra' },
  { port: 'calculus', mirror: 'ch2_4_calculus' },
  { port: 'autograd', mirror: 'ch2_5_autograd' },
  { port: 'file-io', mirror: 'ch5_5_file_io' }, // 5.5 File I/O: io.save / io.load of a tensor, a list, a dict, a state dict
] as const;

const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l chapters: live PyTorch runs skipped — ${NO_TORCH}; the committed outputs are still checked`);

describe('d2l chapter 2 ports print what PyTorch prints', () => {
  for (const { port, mirror } of CHAPTERS) {
    // The programs run in the test's environment as it is; the port runs once, for both tests.
    let output: Promise<string> | null = null;
    const ours = (): Promise<string> => (output ??= runPort(port));

    it(`${port}: as the committed output of ${mirror}.py`, async () => {
      const expected = readFileSync(join(D2L, 'expected', `${mirror}.txt`), 'utf8');
      expect(printedDifference(await ours(), expected)).toBeNull();
    });

    it.skipIf(NO_TORCH !== null)(`${port}: as ${mirror}.py run live`, async () => {
      const expected = await runMirror(mirror);
      expect(printedDifference(await ours(), expected)).toBeNull();
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
