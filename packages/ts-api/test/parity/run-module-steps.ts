// The parity runner of a layer with running state (BatchNorm): three training steps (each output and
// input gradient), the buffers after them under PyTorch's state-dict names, then one eval forward.

import * as sm from '../../src/index.js';
import { compare, fail, GRAD, VALUE, type Case } from './harness.js';

type Ctor = new (...args: unknown[]) => sm.nn.Module;

export function runModuleSteps(c: Case, resolve: (path: string) => unknown, note: (kind: string, where: string, ratio: number) => void): void {
  const spec = c.spec as { ctor: { $module: string; args: unknown[] }; steps: number };
  const m = new (resolve(spec.ctor.$module) as Ctor)(...spec.ctor.args);
  for (const [n, p] of m.namedParameters()) {
    const v = c.tensors[`param.${n}`] ?? fail(c, `softmax-nn has a parameter ${n} that PyTorch does not`);
    sm.noGrad(() => p.copy_(v));
  }
  m.train();
  for (let k = 1; k <= spec.steps; k++) {
    const x = c.tensors[`input.s${k}.x`].clone().requiresGrad_(true);
    const out = m.forward(x);
    note('module value', c.stem, compare(c, `output at step ${k}`, out, c.tensors[`expected.s${k}.out`], VALUE));
    out.backward(c.tensors[`grad_out.s${k}`]);
    note('module grad', c.stem, compare(c, `input gradient at step ${k}`, x.grad, c.tensors[`expected.s${k}.grad.x`], GRAD));
  }
  const state = m.stateDict();
  const expected = Object.keys(c.tensors).filter((k) => k.startsWith('expected.buffer.')).map((k) => k.slice('expected.buffer.'.length));
  for (const name of expected) {
    const got = state[name] ?? fail(c, `stateDict has no ${name} (it has ${Object.keys(state).join(', ')})`);
    note('module value', c.stem, compare(c, `buffer ${name} after ${spec.steps} steps`, got, c.tensors[`expected.buffer.${name}`], VALUE));
  }
  const buffers = m.namedBuffers().map(([n]) => n).sort();
  if (buffers.join(',') !== [...expected].sort().join(',')) fail(c, `buffers: softmax-nn [${buffers.join(', ')}], PyTorch [${expected.sort().join(', ')}]`);
  m.eval();
  note('module value', c.stem, compare(c, 'eval output', m.forward(c.tensors['input.eval.x']), c.tensors['expected.eval.out'], VALUE));
}
