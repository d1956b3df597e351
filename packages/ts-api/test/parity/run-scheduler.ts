// The parity runner of learning-rate schedulers: the lr (and the momentum or beta1 OneCycleLR cycles)
// of every group after construction and after each step, against torch.optim.lr_scheduler.

import * as sm from '../../src/index.js';
import { fail, resolve, type Case } from './harness.js';

type Ctor = new (...args: unknown[]) => unknown;

/** The same functions as parity/cases_sched.py's LAMBDAS. */
const LAMBDAS: Record<string, (e: number) => number> = {
  'pow0.95': (e) => 0.95 ** e,
  inverse: (e) => 1.0 / (e + 1),
  'warmup10': (e) => Math.min(1.0, (e + 1) / 10),
};

/**
 * Both sides compute in float64 with the same formulas in the same order; only the libm of cos and pow
 * may differ by an ulp, which 100 chained steps can grow to a few ulps.
 */
const RELATIVE = 1e-12;

function close(a: number, e: number): boolean {
  return a === e || Math.abs(a - e) <= RELATIVE * Math.abs(e);
}

interface SchedSpec {
  optim: string; optimArgs: object; groups: number[]; steps: number; lrs: number[][]; momentum: number[][];
  lambdas?: string[]; metrics?: number[];
}

interface Stepper { step(metric?: number): void; getLastLr(): number[] }

export function runScheduler(c: Case): void {
  const spec = c.spec as unknown as SchedSpec;
  const params = spec.groups.map(() => sm.nn.Parameter(sm.zeros(2)));
  const opt = new (resolve(spec.optim) as Ctor)(spec.groups.map((lr, i) => ({ params: [params[i]], lr })), spec.optimArgs) as sm.optim.Optimizer<object>;
  const opts = { ...(c.args[0] as object) } as Record<string, unknown>;
  if (spec.lambdas !== undefined) {
    const fns = spec.lambdas.map((n) => LAMBDAS[n] ?? fail(c, `unknown lambda ${n}`));
    opts.lrLambda = fns.length === 1 ? fns[0] : fns;
  }
  const sched = new (resolve(c.op) as Ctor)(opt, opts) as Stepper;
  const check = (k: number): void => {
    const lrs = opt.paramGroups.map((g) => (g.options as { lr: number }).lr);
    if (!lrs.every((lr, i) => close(lr, spec.lrs[k][i]))) fail(c, `lr after step ${k}: softmax-nn ${JSON.stringify(lrs)}, PyTorch ${JSON.stringify(spec.lrs[k])}`);
    if (!sched.getLastLr().every((lr, i) => lr === lrs[i])) fail(c, `getLastLr() after step ${k} is not the groups' lr`);
    const moms = opt.paramGroups.map((g) => {
      const o = g.options as { betas?: number[]; momentum?: number };
      return o.betas !== undefined ? o.betas[0] : (o.momentum as number);
    });
    if (!moms.every((m, i) => close(m, spec.momentum[k][i]))) {
      fail(c, `momentum after step ${k}: softmax-nn ${JSON.stringify(moms)}, PyTorch ${JSON.stringify(spec.momentum[k])}`);
    }
  };
  check(0);
  for (let k = 1; k <= spec.steps; k++) {
    if (spec.metrics !== undefined) sched.step(spec.metrics[k - 1]);
    else sched.step();
    check(k);
  }
}
