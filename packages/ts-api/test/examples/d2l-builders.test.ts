// The d2l.ai chapters on building models (4.5 weight decay, 5.1 layers and blocks, 5.2 parameter
// management) ported to examples/d2l/: each port runs as a program and must print what the book's
// PyTorch code prints (parity/d2l/ch4_5_*.py, ch5_*.py). Their inputs and initial weights are random
// draws, which the mirror records and the port replays (examples/d2l/shared.ts, D2L_REPLAY), so the
// numbers can be compared, by the rules of test/helpers/printed-output.ts:
//
//   committed  the port replaying expected/<mirror>.start.safetensors prints expected/<mirror>.txt
//   live       when /usr/bin/python3 imports torch: the mirror runs now, recording its draws to a
//              temporary file, and the port replaying them prints what the mirror printed
//   own draws  the port without D2L_REPLAY (its own generator) prints the same text, numbers aside

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { io, nn, noGrad, ones, tensor, Tensor, zeros } from '../../src/index.js';
import { D2L, expectPrintsAsLiveMirror, runPort, spawnPort, structure, torchMissing } from '../helpers/d2l-programs.js';
import { printedDifference } from '../helpers/printed-output.js';

const CHAPTERS = [
  { port: 'weight-decay', mirror: 'ch4_5_weight_decay' },
  { port: 'layers-and-blocks', mirror: 'ch5_1_layers_and_blocks' },
  { port: 'parameters', mirror: 'ch5_2_parameters' },
] as const;

const NO_TORCH = torchMissing();
if (NO_TORCH !== null) console.log(`d2l chapters: live PyTorch runs skipped — ${NO_TORCH}; the committed outputs are still checked`);

const TMP = mkdtempSync(join(tmpdir(), 'd2l-builders-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

// A D2L_REPLAY or D2L_RECORD in the shell must not reach the port: it replays only what it is given.
const port = (name: string, replay?: string): Promise<string> => runPort(name, { D2L_REPLAY: replay, D2L_RECORD: undefined });

/** 4.5 runs 4 × 100 epochs in each of its programs (about 15 s alone, more on a busy machine). */
const SLOW = 300_000;

// Printed lines whose values do not depend on the draws: initialisers to constants, the tied weights'
// comparisons, names, shapes and types.
const DETERMINISTIC = /^(tensor\(\[1\., 1\., 1\., 1\.\]\) tensor\(0\.\)|tensor\(\[\[42\.(, 42\.)+\]\]\)|tensor\(\[(True, )+True\]\)|Parameter|Init |\['0\.weight'|\['weight'|true$)/;

/**
 * What 4.5 shows, whatever the draws: with decay (λ = 3, wd = 3) the weight's norm is far below the
 * undecayed one (≈ 14, the norm of 200 standard normal draws), and so is the test loss, while the
 * undecayed runs fit the 20 training examples almost exactly. Numbers: [train, test] per run, norms.
 */
function expectWeightDecayEffect(printed: string): void {
  const losses = [...printed.matchAll(/^epochs 100: train (\S+), test (\S+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
  const norms = [...printed.matchAll(/^w的L2范数(?:是)?： (\S+)$/gm)].map((m) => Number(m[1]));
  expect(losses).toHaveLength(4);
  expect(norms).toHaveLength(4);
  for (const [plain, decayed] of [[0, 1], [2, 3]]) {
    expect(norms[plain]).toBeGreaterThan(10);
    expect(norms[decayed]).toBeLessThan(norms[plain] / 10);
    expect(losses[plain][0]).toBeLessThan(1e-3);
    expect(losses[decayed][1]).toBeLessThan(losses[plain][1] / 10);
  }
}

describe('d2l chapters 4.5, 5.1, 5.2: the ports print what PyTorch prints', () => {
  for (const { port: name, mirror } of CHAPTERS) {
    const expected = (): string => readFileSync(join(D2L, 'expected', `${mirror}.txt`), 'utf8');

    it(`${name}: replaying the committed draws, as the committed output of ${mirror}.py`, async () => {
      const printed = await port(name, join(D2L, 'expected', `${mirror}.start.safetensors`));
      expect(printedDifference(printed, expected())).toBeNull();
      if (name === 'weight-decay') expectWeightDecayEffect(printed);
    }, SLOW);

    it.skipIf(NO_TORCH !== null)(`${name}: replaying the draws of ${mirror}.py run live, as it prints`, () =>
      expectPrintsAsLiveMirror(name, mirror, join(TMP, `${mirror}.start.safetensors`)), SLOW);

    it(`${name}: with its own draws, the same text`, async () => {
      const printed = await port(name);
      expect(structure(printed)).toBe(structure(expected()));
      // Lines no draw reaches are the same to the digit.
      const missing = expected().split('\n').filter((want) => DETERMINISTIC.test(want)
        && !printed.split('\n').some((line) => printedDifference(line, want) === null));
      expect(missing).toEqual([]);
      if (name === 'weight-decay') expectWeightDecayEffect(printed);
    }, SLOW);
  }

  it('a replay that does not hold what the port draws is an error naming the draw', async () => {
    const wrong = join(TMP, 'wrong.safetensors');
    writeFileSync(wrong, io.serialize({ '0.net.0.weight': zeros(1) }));
    const r = await spawnPort('layers-and-blocks', { D2L_REPLAY: wrong, D2L_RECORD: undefined });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('0.net.0.weight was recorded as float32 [1], the port has float32 [256, 20]');
  });
});

describe('what the ports needed: PyTorch\'s Parameter, state_dict and grad_fn texts', () => {
  // Expected strings are PyTorch 1.13's str() of the same objects.
  const linear = (): nn.Linear => {
    const l = new nn.Linear(2, 1);
    noGrad(() => {
      l.weight.copy_(tensor([[1, 2]]));
      l.bias!.copy_(tensor([3]));
    });
    return l;
  };

  it('a Parameter is an nn.Parameter and a Tensor, and prints as "Parameter containing:"', () => {
    const l = linear();
    expect(l.bias).toBeInstanceOf(nn.Parameter);
    expect(l.bias).toBeInstanceOf(Tensor);
    expect(l.bias!.constructor.name).toBe('Parameter');
    expect(String(l.bias)).toBe('Parameter containing:\ntensor([3.], requires_grad=True)');
    expect(`${l.bias!}`).toBe('Parameter containing:\ntensor([3.], requires_grad=True)');
    expect(inspect(l.bias)).toBe('Parameter containing:\ntensor([3.], requires_grad=True)');
    expect(Number(l.bias)).toBe(3);
    expect(String(nn.Parameter(tensor([1, 2]), false))).toBe('Parameter containing:\ntensor([1., 2.])');
    // .data, detach() and ops give plain tensors, as in PyTorch.
    expect(String(l.bias!.data)).toBe('tensor([3.])');
    expect(l.bias!.data).not.toBeInstanceOf(nn.Parameter);
    expect(String(l.bias!.mul(2))).toBe('tensor([6.], grad_fn=<MulBackward0>)');
    expect(tensor([1])).not.toBeInstanceOf(nn.Parameter);
  });

  it('console.log of a state dict prints PyTorch\'s OrderedDict; its keys are only the tensors', () => {
    const sd = linear().stateDict();
    expect(inspect(sd)).toBe("OrderedDict([('weight', tensor([[1., 2.]])), ('bias', tensor([3.]))])");
    expect(Object.keys(sd)).toEqual(['weight', 'bias']);
    expect(Object.keys({ ...sd })).toEqual(['weight', 'bias']);
    expect(inspect(new nn.ReLU().stateDict())).toBe('OrderedDict()');
    const s = new nn.Sequential();
    s.addModule("it's", new nn.Linear(1, 1, { bias: false }));
    noGrad(() => (s[0] as nn.Linear).weight.fill_(2));
    expect(inspect(s.stateDict())).toBe('OrderedDict([("it\'s.weight", tensor([[2.]]))])');
  });

  it('basic indexing is named after its last item, as PyTorch\'s Select/Slice/UnsqueezeBackward0', () => {
    const x = ones([3, 4], { requiresGrad: true }).mul(1);
    const node = (t: Tensor): string => /grad_fn=<(\w+)>/.exec(String(t))![1];
    expect(node(x.index('0:2'))).toBe('SliceBackward0');
    expect(node(x.index(0))).toBe('SelectBackward0');
    expect(node(x.index(0, ':2'))).toBe('SliceBackward0');
    expect(node(x.index(':2', 0))).toBe('SelectBackward0');
    expect(node(x.index(':', 0))).toBe('SelectBackward0');
    expect(node(x.index(null))).toBe('UnsqueezeBackward0');
    expect(node(x.index('...', -1))).toBe('SelectBackward0');
    expect(node(x.index(':'))).toBe('SliceBackward0');
    expect(node(x.index(0, null))).toBe('UnsqueezeBackward0');
    expect(node(x.narrow(0, 0, 2))).toBe('SliceBackward0');
    expect(node(x.select(0, 1))).toBe('SelectBackward0');
    expect(node(x.unsqueeze(0))).toBe('UnsqueezeBackward0');
  });

  // x.sum() → SumBackward0, x.sum(dim) → SumBackward1 (the dim overload, even over every dim).
  it('sum over everything and sum over dims are PyTorch\'s two nodes', () => {
    const x = ones([2, 3], { requiresGrad: true });
    expect(String(x.sum())).toBe('tensor(6., grad_fn=<SumBackward0>)');
    expect(String(x.sum(0))).toBe('tensor([2., 2., 2.], grad_fn=<SumBackward1>)');
    expect(String(x.sum([0, 1]))).toBe('tensor(6., grad_fn=<SumBackward1>)');
    expect(String(x.sum(0, true))).toBe('tensor([[2., 2., 2.]], grad_fn=<SumBackward1>)');
  });
});
