// d2l.ai 3.3 (concise linear regression) ported to examples/d2l/linear-regression-concise.ts, checked against
// its mirror parity/d2l/ch3_3_linear_regression_concise.py. The mirror records its draws and every pass's
// batch order (the first printed batch included); the port replaying them prints every line PyTorch prints.
// With its own draws the port prints the same text, and the fit the book shows: a tiny loss, w and b found.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { D2L, structure, torchMissing } from '../helpers/d2l-programs.js';
import { trainMirror, trainPort } from '../helpers/d2l-training.js';
import { printedDifference } from '../helpers/printed-output.js';

const PORT = 'linear-regression-concise';
const MIRROR = 'ch3_3_linear_regression_concise';
const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l 3.3: live PyTorch run skipped — ${NO_TORCH}; the committed output is still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-linreg-concise-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SLOW = 120_000;

/** What the book shows whatever the draws: the loss near the noise's 1e-4 after each epoch, w and b within 0.01. */
function expectFitted(printed: string): void {
  const losses = [...printed.matchAll(/^epoch (\d), loss (\d+\.\d{6})$/gm)];
  expect(losses.map((m) => Number(m[1]))).toEqual([1, 2, 3]);
  for (const m of losses) expect(Number(m[2])).toBeLessThan(1e-3);
  const w = /^w的估计误差： tensor\(\[\s*(\S+),\s+(\S+)\]\)$/m.exec(printed);
  const b = /^b的估计误差： tensor\(\[(\S+)\]\)$/m.exec(printed);
  expect(w, printed).not.toBeNull();
  expect(b, printed).not.toBeNull();
  for (const e of [w![1], w![2], b![1]]) expect(Math.abs(Number(e))).toBeLessThan(0.01);
}

describe('d2l 3.3 concise linear regression: the port prints what PyTorch prints', () => {
  const expected = (): string => readFileSync(join(D2L, 'expected', `${MIRROR}.txt`), 'utf8');

  it('replaying the committed draws and batch orders: as the committed output', async () => {
    const printed = await trainPort(PORT, { D2L_REPLAY: join(D2L, 'expected', `${MIRROR}.start.safetensors`) });
    expect(printedDifference(printed, expected())).toBeNull();
    expectFitted(printed);
  }, SLOW);

  it.skipIf(NO_TORCH !== null)(`replaying the draws and batch orders of ${MIRROR}.py run live: as it prints`, async () => {
    const start = join(TMP, `${MIRROR}.start.safetensors`);
    const torch = await trainMirror(MIRROR, { D2L_RECORD: start });
    expect(printedDifference(await trainPort(PORT, { D2L_REPLAY: start }), torch)).toBeNull();
  }, SLOW);

  it('with its own draws: the same text, and the fit', async () => {
    const printed = await trainPort(PORT);
    expect(structure(printed)).toBe(structure(expected()));
    expectFitted(printed);
  }, SLOW);
});
