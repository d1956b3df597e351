// The parity runner of nn.utils.clipGradNorm_: the total norm it returns and every clipped gradient.

import * as sm from '../../src/index.js';
import { compare, fail, GRAD, VALUE, type Case } from './harness.js';

export function runClip(c: Case, note: (kind: string, where: string, ratio: number) => void): void {
  const spec = c.spec as { params: number };
  const params = Array.from({ length: spec.params }, (_, i) => {
    const g = c.tensors[`grad.${i}`] ?? fail(c, `the case file has no grad.${i}`);
    const p = sm.nn.Parameter(sm.zerosLike(g));
    p.grad = g.clone();
    return p;
  });
  const [maxNorm, normType] = c.args as [number, number | { $float: string }];
  const total = sm.nn.utils.clipGradNorm_(params, maxNorm, typeof normType === 'number' ? normType : Infinity);
  note('clip value', c.stem, compare(c, 'the total norm', total, c.tensors['expected.out'], VALUE));
  params.forEach((p, i) => note('clip grad', c.stem, compare(c, `gradient ${i} after clipping`, p.grad as sm.Tensor, c.tensors[`expected.grad.${i}`], GRAD)));
}
