// lrScheduler beyond the parity cases: checked options, stateDict round trips, errors PyTorch raises.

import { describe, expect, it } from 'vitest';
import { nn, optim, tensor, zeros } from '../../src/index.js';

const { lrScheduler } = optim;

function sgd(lr = 0.1, momentum = 0): optim.SGD {
  return new optim.SGD([nn.Parameter(zeros(2))], { lr, momentum });
}

const lrOf = (o: optim.SGD): number => o.paramGroups[0].options.lr;

describe('lrScheduler', () => {
  it('StepLR by hand: 0.1 for steps 0–2, 0.01 for 3–5', () => {
    const o = sgd();
    const s = new lrScheduler.StepLR(o, { stepSize: 3, gamma: 0.1 });
    const seen = [lrOf(o)];
    for (let k = 0; k < 5; k++) {
      s.step();
      seen.push(lrOf(o));
    }
    expect(seen.map((x) => Number(x.toPrecision(12)))).toEqual([0.1, 0.1, 0.1, 0.01, 0.01, 0.01]);
    expect(s.getLastLr()).toEqual([lrOf(o)]);
  });

  it('checks options: unknown and snake_case keys, missing and bad values', () => {
    expect(() => new lrScheduler.StepLR(sgd(), { step_size: 3 } as never)).toThrow(/StepLR: unknown option 'step_size' \(did you mean stepSize\?\)/);
    expect(() => new lrScheduler.StepLR(sgd(), {} as never)).toThrow('StepLR: stepSize must be a positive integer, got undefined');
    expect(() => new lrScheduler.CosineAnnealingLR(sgd(), { T_max: 10 } as never)).toThrow(/unknown option 'T_max'/);
    expect(() => new lrScheduler.LinearLR(sgd(), { startFactor: 0 })).toThrow('LinearLR: startFactor must be greater than 0 and at most 1, got 0');
    expect(() => new lrScheduler.ExponentialLR(sgd(), { gamma: 0.9, lastEpoch: 5 })).toThrow(/lastEpoch other than -1 is not supported/);
    expect(() => new lrScheduler.LambdaLR(sgd(), { lrLambda: [(e: number) => e, (e: number) => e] })).toThrow('LambdaLR: Expected 1 lr_lambdas, but got 2');
    expect(() => new lrScheduler.MultiStepLR(sgd(), { milestones: [1.5] })).toThrow(/milestones must be a list of integers/);
    expect(() => new lrScheduler.ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow(/factor must be less than 1/);
    expect(() => new lrScheduler.ReduceLROnPlateau(sgd(), { min_lr: 0.1 } as never)).toThrow(/did you mean minLr\?/);
    expect(() => new lrScheduler.StepLR(null as never, { stepSize: 1 })).toThrow('StepLR: expected an optimiser (e.g. optim.SGD), got null');
  });

  it('OneCycleLR refuses a step past totalSteps and needs totalSteps or epochs × stepsPerEpoch', () => {
    const s = new lrScheduler.OneCycleLR(sgd(0.1, 0.9), { maxLr: 1, totalSteps: 3 });
    s.step();
    s.step();
    s.step();
    expect(() => s.step()).toThrow('OneCycleLR: Tried to step 4 times. The specified number of total steps is 3');
    expect(() => new lrScheduler.OneCycleLR(sgd(), { maxLr: 1 })).toThrow(/You must define either totalSteps OR \(epochs AND stepsPerEpoch\)/);
    expect(() => new lrScheduler.OneCycleLR(sgd(), { maxLr: [1, 2], totalSteps: 5 })).toThrow('OneCycleLR: expected 1 values for maxLr (one per parameter group), got 2');
  });

  it('stateDict / loadStateDict resume a schedule where it was', () => {
    const run = (stop: number | null): number[] => {
      let o = sgd(0.1, 0.9);
      let s = new lrScheduler.CosineAnnealingLR(o, { tMax: 7, etaMin: 0.01 });
      const seen: number[] = [];
      for (let k = 0; k < 20; k++) {
        if (k === stop) {
          const os = o.stateDict();
          const ss = s.stateDict();
          o = sgd(0.1, 0.9);
          s = new lrScheduler.CosineAnnealingLR(o, { tMax: 7, etaMin: 0.01 });
          o.loadStateDict(os);
          s.loadStateDict(ss);
        }
        s.step();
        seen.push(lrOf(o));
      }
      return seen;
    };
    expect(run(9)).toEqual(run(null));
    expect(() => new lrScheduler.StepLR(sgd(), { stepSize: 1 }).loadStateDict({ lastEpoch: 1 })).toThrow("StepLR.loadStateDict: the state has no 'stepCount'");
  });

  it('ReduceLROnPlateau takes a number or a one-element tensor and needs a metric', () => {
    const o = sgd();
    const s = new lrScheduler.ReduceLROnPlateau(o, { patience: 0, factor: 0.5 });
    s.step(1);
    s.step(tensor([2]));
    // 2 is worse than 1 and patience is 0: halved once.
    expect(lrOf(o)).toBe(0.05);
    expect(s.getLastLr()).toEqual([0.05]);
    expect(() => s.step(undefined as never)).toThrow('ReduceLROnPlateau.step: expected the metric as a number or a one-element Tensor, got undefined');
    const copy = new lrScheduler.ReduceLROnPlateau(sgd(), { patience: 0, factor: 0.5 });
    copy.loadStateDict(s.stateDict());
    expect(copy.best).toBe(1);
    expect(copy.lastEpoch).toBe(2);
  });
});
