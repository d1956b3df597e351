// The d2l.ai chapter 6 sections on convolutions (6.2 convolutions for images, 6.3 padding and stride,
// 6.4 multiple channels, 6.5 pooling) ported to examples/d2l/: each port runs as a program and must
// print what the book's PyTorch code prints (parity/d2l/ch6_*.py). 6.2's learned kernel starts from a
// random draw and 6.4 asserts on random inputs; those mirrors record their draws and the ports replay
// them (examples/d2l/shared.ts, D2L_REPLAY), by the rules of test/helpers/printed-output.ts:
//
//   committed  the port (replaying expected/<mirror>.start.safetensors) prints expected/<mirror>.txt
//   live       when /usr/bin/python3 imports torch: the mirror runs now, recording its draws to a
//              temporary file, and the port replaying them prints what the mirror printed
//   own draws  the port without D2L_REPLAY prints the same text, numbers drawn aside

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { D2L, expectPrintsAsLiveMirror, runPort, structure, torchMissing } from '../helpers/d2l-programs.js';
import { printedDifference } from '../helpers/printed-output.js';

// shares: the mirror records random draws that change what is printed or asserted.
const CHAPTERS = [
  { port: 'conv-layer', mirror: 'ch6_2_conv_layer', shares: true },
  { port: 'padding-and-strides', mirror: 'ch6_3_padding_and_strides', shares: false },
  { port: 'channels', mirror: 'ch6_4_channels', shares: true },
  { port: 'pooling', mirror: 'ch6_5_pooling', shares: false },
] as const;

const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l chapter 6: live PyTorch runs skipped — ${NO_TORCH}; the committed outputs are still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-convolutions-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

// A D2L_REPLAY or D2L_RECORD in the shell must not reach the port: it replays only what it is given.
const port = (name: string, replay?: string): Promise<string> => runPort(name, { D2L_REPLAY: replay, D2L_RECORD: undefined });

const TIMEOUT = 120_000;

/**
 * What 6.2 shows, whatever the initial kernel: the loss falls every two epochs and the learned kernel
 * is close to the edge detector [1, -1] that made the targets (the book's run ends near [1.0, -0.97]).
 */
function expectKernelLearned(printed: string): void {
  const losses = [...printed.matchAll(/^epoch (\d+), loss (\S+)$/gm)].map((m) => Number(m[2]));
  expect(losses).toHaveLength(5);
  for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
  const kernel = /tensor\(\[\[\s*(\S+),\s*(\S+)\]\]\)\s*$/.exec(printed);
  expect(kernel).not.toBeNull();
  expect(Math.abs(Number(kernel![1]) - 1)).toBeLessThan(0.2);
  expect(Math.abs(Number(kernel![2]) + 1)).toBeLessThan(0.2);
}

describe('d2l chapter 6.2–6.5: the ports print what PyTorch prints', () => {
  for (const { port: name, mirror, shares } of CHAPTERS) {
    const expected = (): string => readFileSync(join(D2L, 'expected', `${mirror}.txt`), 'utf8');
    const committedDraws = shares ? join(D2L, 'expected', `${mirror}.start.safetensors`) : undefined;

    it(`${name}: ${shares ? 'replaying the committed draws, ' : ''}as the committed output of ${mirror}.py`, async () => {
      const printed = await port(name, committedDraws);
      expect(printedDifference(printed, expected())).toBeNull();
      if (name === 'conv-layer') expectKernelLearned(printed);
    }, TIMEOUT);

    it.skipIf(NO_TORCH !== null)(`${name}: ${shares ? 'replaying the draws of ' : 'as '}${mirror}.py run live${shares ? ', as it prints' : ''}`, () =>
      expectPrintsAsLiveMirror(name, mirror, join(TMP, `${mirror}.start.safetensors`), shares), TIMEOUT);

    if (!shares) continue;
    it(`${name}: with its own draws, the same text`, async () => {
      const printed = await port(name);
      expect(structure(printed)).toBe(structure(expected()));
      // Only the learning of 6.2 (its last 6 lines) depends on the draws; 6.4's draws only reach its assert.
      const fixed = (text: string): string => text.trimEnd().split('\n').slice(0, name === 'conv-layer' ? -6 : undefined).join('\n');
      expect(printedDifference(fixed(printed), fixed(expected()))).toBeNull();
      if (name === 'conv-layer') expectKernelLearned(printed);
    }, TIMEOUT);
  }
});
