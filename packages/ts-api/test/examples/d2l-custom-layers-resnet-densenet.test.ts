// The d2l.ai sections 5.4 custom layers, 7.6 ResNet and 7.7 DenseNet ported to examples/d2l/: each port
// runs as a program and must print what the book's PyTorch code prints (parity/d2l/ch5_4_*.py,
// ch7_6_*.py, ch7_7_*.py). 5.4 prints random weights and outputs, so its mirror records its draws and the
// port replays them (examples/d2l/shared.ts, D2L_REPLAY); 7.6 and 7.7 print only shapes. By the rules of
// test/helpers/printed-output.ts:
//
//   committed  the port (replaying expected/<mirror>.start.safetensors) prints expected/<mirror>.txt
//   live       when /usr/bin/python3 imports torch: the mirror runs now (recording its draws to a
//              temporary file) and the port (replaying them) prints what the mirror printed
//   own draws  the port without D2L_REPLAY prints the same text, numbers drawn aside

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arange, nn } from '../../src/index.js';
import { D2L, expectPrintsAsLiveMirror, runPort, structure, torchMissing } from '../helpers/d2l-programs.js';
import { printedDifference } from '../helpers/printed-output.js';

// shares: the mirror records random draws that change what is printed.
const CHAPTERS = [
  { port: 'custom-layers', mirror: 'ch5_4_custom_layers', shares: true },
  { port: 'resnet', mirror: 'ch7_6_resnet', shares: false },
  { port: 'densenet', mirror: 'ch7_7_densenet', shares: false },
] as const;

const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l 5.4, 7.6, 7.7: live PyTorch runs skipped — ${NO_TORCH}; the committed outputs are still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-custom-resnet-densenet-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

// A D2L_REPLAY or D2L_RECORD in the shell must not reach the port: it replays only what it is given.
const port = (name: string, replay?: string): Promise<string> => runPort(name, { D2L_REPLAY: replay, D2L_RECORD: undefined });

const TIMEOUT = 120_000;

describe('d2l 5.4, 7.6, 7.7: the ports print what PyTorch prints', () => {
  for (const { port: name, mirror, shares } of CHAPTERS) {
    const expected = (): string => readFileSync(join(D2L, 'expected', `${mirror}.txt`), 'utf8');
    const committedDraws = shares ? join(D2L, 'expected', `${mirror}.start.safetensors`) : undefined;

    it(`${name}: ${shares ? 'replaying the committed draws, ' : ''}as the committed output of ${mirror}.py`, async () => {
      expect(printedDifference(await port(name, committedDraws), expected())).toBeNull();
    }, TIMEOUT);

    it.skipIf(NO_TORCH !== null)(`${name}: ${shares ? 'replaying the draws of ' : 'as '}${mirror}.py run live${shares ? ', as it prints' : ''}`, () =>
      expectPrintsAsLiveMirror(name, mirror, join(TMP, `${mirror}.start.safetensors`), shares), TIMEOUT);
  }

  it('custom-layers: with its own draws, the same text; the centred outputs still average to 0', async () => {
    const printed = await port('custom-layers');
    const expected = readFileSync(join(D2L, 'expected', 'ch5_4_custom_layers.txt'), 'utf8');
    expect(structure(printed)).toBe(structure(expected));
    // CenteredLayer on [1..5] and the mean of its output (0 up to float32 rounding) reach no draw.
    const firstTwo = (text: string): string => text.split('\n').slice(0, 2).join('\n');
    expect(printedDifference(firstTwo(printed), firstTwo(expected))).toBeNull();
  }, TIMEOUT);
});

describe('what the ResNet port needed: Y += X on a batch norm\'s output', () => {
  // The Residual block's `Y = bn(...); Y += X; relu(Y)`: the in-place add rewrites a tensor autograd
  // recorded but no op saved, which PyTorch allows. Expected: PyTorch 1.13 on the same inputs.
  it('Y.add_(X) after BatchNorm2d gives PyTorch\'s output and gradients', () => {
    const x = arange(18).float().reshape(1, 2, 3, 3).pow(2).div(10).requiresGrad_();
    const w = arange(18).float().reshape(1, 2, 3, 3).div(7).sub(1);
    const bn = new nn.BatchNorm2d(2);
    const Y = bn.forward(x.mul(1));
    Y.add_(x);
    const out = nn.functional.relu(Y);
    out.mul(w).sum().backward();
    expect(printedDifference(String(out), `tensor([[[[ 0.0000,  0.0000,  0.0000],
          [ 0.2634,  1.2895,  2.6087],
          [ 4.2211,  6.1266,  8.3253]],

         [[ 6.6952,  8.8771, 11.2888],
          [13.9301, 16.8011, 19.9017],
          [23.2321, 26.7921, 30.5819]]]], grad_fn=<ReluBackward0>)`)).toBeNull();
    expect(printedDifference(String(x.grad), `tensor([[[[ 0.1022,  0.1006,  0.0959],
          [-0.7496, -0.5512, -0.3559],
          [-0.1638,  0.0251,  0.2110]],

         [[ 0.2775,  0.4262,  0.5733],
          [ 0.7187,  0.8625,  1.0047],
          [ 1.1453,  1.2843,  1.4217]]]])`)).toBeNull();
    expect(printedDifference(`${bn.weight!.grad} ${bn.bias!.grad}`, 'tensor([0.6521, 3.3072]) tensor([-1.2857,  7.7143])')).toBeNull();
  });
});
