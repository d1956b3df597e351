// The d2l.ai chapter 7 networks (7.1 AlexNet, 7.2 VGG, 7.3 NiN, 7.4 GoogLeNet) ported to examples/d2l/:
// each port builds the book's network, walks one random image through it printing every layer's output
// shape, and prints models (not in the book: PyTorch's print(net) format is user-visible). The random
// input only feeds the shapes, so no draws are shared. By the rules of test/helpers/printed-output.ts:
//
//   committed  the port prints expected/<mirror>.txt (parity/d2l/ch7_*.py run with PyTorch)
//   live       when /usr/bin/python3 imports torch: the port prints what the mirror prints now

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { D2L, runMirror, runPort, torchMissing } from '../helpers/d2l-programs.js';
import { printedDifference } from '../helpers/printed-output.js';

const CHAPTERS = [
  { port: 'alexnet', mirror: 'ch7_1_alexnet' },
  { port: 'vgg', mirror: 'ch7_2_vgg' },
  { port: 'nin', mirror: 'ch7_3_nin' },
  { port: 'googlenet', mirror: 'ch7_4_googlenet' },
] as const;

// No draws are shared, so numpy is not needed.
const NO_TORCH = torchMissing('torch');
if (NO_TORCH !== null) console.log(`d2l chapter 7: live PyTorch runs skipped — ${NO_TORCH}; the committed outputs are still checked`);

// The programs run in the test's environment as it is: no draws are shared to unset.
const port = (name: string): Promise<string> => runPort(name);

// AlexNet and VGG hold 47M and 129M parameters: a few seconds each here, more on a loaded machine.
const TIMEOUT = 120_000;

describe('d2l chapter 7.1–7.4: the ports print what PyTorch prints', () => {
  for (const { port: name, mirror } of CHAPTERS) {
    it(`${name}: as the committed output of ${mirror}.py`, async () => {
      const expected = readFileSync(join(D2L, 'expected', `${mirror}.txt`), 'utf8');
      const printed = await port(name);
      expect(printedDifference(printed, expected)).toBeNull();
      // No values are printed, so the text must match byte for byte (the printed models' indentation too),
      // once Node's `[ 1, 10 ]` is written as Python's list `[1, 10]`.
      expect(printed.replace(/\[ (.*) \]$/gm, '[$1]')).toBe(expected);
    }, TIMEOUT);

    it.skipIf(NO_TORCH !== null)(`${name}: as ${mirror}.py run live`, async () => {
      const printed = await runMirror(mirror);
      expect(printedDifference(await port(name), printed)).toBeNull();
    }, TIMEOUT);
  }

  it('the committed outputs show the book\'s shapes', () => {
    // The last shape each section's walk prints, as the book shows them: a 10-class output.
    for (const { mirror } of CHAPTERS) {
      const shapes = readFileSync(join(D2L, 'expected', `${mirror}.txt`), 'utf8').match(/output shape:\t \[.*\]/g) ?? [];
      expect(shapes.at(-1)).toBe('output shape:\t [1, 10]');
    }
  });
});
