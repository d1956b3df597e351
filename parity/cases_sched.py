"""Learning-rate schedulers: each group's lr (and momentum or beta1 where OneCycleLR cycles it) after
construction and after each of 100 steps, from torch.optim.lr_scheduler.

The values are float64 Python numbers and travel in the spec as JSON (exact round trip); the TypeScript
side rebuilds the optimiser from spec.optim / spec.optimArgs / spec.groups and steps the scheduler.
LambdaLR's functions are named in spec.lambdas and defined on both sides (LAMBDAS below).
"""

import numpy as np
import torch

from cases_common import add_case

STEPS = 100

# The same functions as test/parity/parity.test.ts's LAMBDAS.
LAMBDAS = {
    'pow0.95': lambda e: 0.95 ** e,
    'inverse': lambda e: 1.0 / (e + 1),
    'warmup10': lambda e: min(1.0, (e + 1) / 10),
}

PY = {'weightDecay': 'weight_decay', 'stepSize': 'step_size', 'tMax': 'T_max', 'etaMin': 'eta_min', 'startFactor': 'start_factor',
      'endFactor': 'end_factor', 'totalIters': 'total_iters', 'maxLr': 'max_lr', 'totalSteps': 'total_steps',
      'stepsPerEpoch': 'steps_per_epoch', 'pctStart': 'pct_start', 'annealStrategy': 'anneal_strategy',
      'cycleMomentum': 'cycle_momentum', 'baseMomentum': 'base_momentum', 'maxMomentum': 'max_momentum',
      'divFactor': 'div_factor', 'finalDivFactor': 'final_div_factor', 'threePhase': 'three_phase', 'thresholdMode': 'threshold_mode',
      'minLr': 'min_lr'}


def py_kwargs(opts):
    return {PY.get(k, k): (tuple(v) if k == 'betas' else v) for k, v in opts.items()}


def sched_case(stem, name, opts, optim='optim.SGD', optim_args=None, groups=(0.1,), lambdas=None, metrics=None):
    optim_args = {'lr': 0.1} if optim_args is None else optim_args
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in groups]
    cls = {'optim.SGD': torch.optim.SGD, 'optim.Adam': torch.optim.Adam}[optim]
    opt = cls([{'params': [p], 'lr': lr} for p, lr in zip(params, groups)], **py_kwargs(optim_args))
    kw = py_kwargs(opts)
    if lambdas is not None:
        fns = [LAMBDAS[n] for n in lambdas]
        kw['lr_lambda'] = fns[0] if len(fns) == 1 else fns
    sched = getattr(torch.optim.lr_scheduler, name)(opt, **kw)

    def snapshot():
        lrs.append([g['lr'] for g in opt.param_groups])
        moms.append([g['betas'][0] if 'betas' in g else g['momentum'] for g in opt.param_groups])

    lrs, moms = [], []
    snapshot()
    for k in range(STEPS):
        opt.step()  # no gradients: nothing moves, but PyTorch expects the optimiser to step first
        if metrics is not None:
            sched.step(metrics[k])
        else:
            sched.step()
        snapshot()
    spec = {'optim': optim, 'optimArgs': optim_args, 'groups': list(groups), 'steps': STEPS, 'lrs': lrs, 'momentum': moms}
    if lambdas is not None:
        spec['lambdas'] = lambdas
    if metrics is not None:
        spec['metrics'] = metrics
    expr = f'torch.optim.lr_scheduler.{name}(opt, {", ".join(f"{k}={v!r}" for k, v in kw.items() if k != "lr_lambda")})'
    add_case(stem, 'scheduler', f'optim.lrScheduler.{name}', [opts], spec, expr, {'param.0': np.zeros(2, np.float32)})


def plateau_metrics():
    # Improves, then stalls with small wiggles (below and above the thresholds), then improves again.
    m = [1.0 / (1 + k) for k in range(20)]
    m += [0.05 + 0.0001 * ((k % 3) - 1) for k in range(40)]
    m += [0.05 - 0.002 * k for k in range(20)]
    m += [0.012] * 20
    return m


def gen_sched():
    two = (0.1, 0.01)
    mom = {'lr': 0.1, 'momentum': 0.9}
    sched_case('optim.lrScheduler.StepLR.30.groups', 'StepLR', {'stepSize': 30, 'gamma': 0.1}, groups=two)
    sched_case('optim.lrScheduler.StepLR.7.gamma0.5', 'StepLR', {'stepSize': 7, 'gamma': 0.5})
    sched_case('optim.lrScheduler.MultiStepLR.groups', 'MultiStepLR', {'milestones': [30, 80], 'gamma': 0.1}, groups=two)
    sched_case('optim.lrScheduler.MultiStepLR.repeated', 'MultiStepLR', {'milestones': [50, 10, 10], 'gamma': 0.5})
    sched_case('optim.lrScheduler.ExponentialLR.groups', 'ExponentialLR', {'gamma': 0.95}, groups=two)
    sched_case('optim.lrScheduler.CosineAnnealingLR.30.groups', 'CosineAnnealingLR', {'tMax': 30, 'etaMin': 0.001}, groups=two)
    sched_case('optim.lrScheduler.CosineAnnealingLR.100', 'CosineAnnealingLR', {'tMax': 100})
    sched_case('optim.lrScheduler.LinearLR.default.groups', 'LinearLR', {}, groups=two)
    sched_case('optim.lrScheduler.LinearLR.warmup40', 'LinearLR', {'startFactor': 0.25, 'endFactor': 0.75, 'totalIters': 40})
    sched_case('optim.lrScheduler.LinearLR.decay50', 'LinearLR', {'startFactor': 1.0, 'endFactor': 0.1, 'totalIters': 50})
    sched_case('optim.lrScheduler.LambdaLR.one', 'LambdaLR', {}, groups=two, lambdas=['pow0.95'])
    sched_case('optim.lrScheduler.LambdaLR.per-group', 'LambdaLR', {}, groups=(0.1, 0.01, 1.0), lambdas=['pow0.95', 'inverse', 'warmup10'])
    sched_case('optim.lrScheduler.OneCycleLR.sgd-momentum.groups', 'OneCycleLR', {'maxLr': [0.1, 0.05], 'totalSteps': 100},
               optim_args=mom, groups=two)
    sched_case('optim.lrScheduler.OneCycleLR.adam-three-phase-linear', 'OneCycleLR',
               {'maxLr': 0.01, 'epochs': 10, 'stepsPerEpoch': 10, 'threePhase': True, 'annealStrategy': 'linear', 'pctStart': 0.25,
                'baseMomentum': 0.8, 'maxMomentum': 0.9, 'divFactor': 10, 'finalDivFactor': 100},
               optim='optim.Adam', optim_args={'lr': 1e-3, 'betas': [0.9, 0.99]}, groups=(1e-3, 1e-3))
    sched_case('optim.lrScheduler.OneCycleLR.no-momentum', 'OneCycleLR', {'maxLr': 0.5, 'totalSteps': 120, 'cycleMomentum': False},
               optim_args={'lr': 0.1, 'momentum': 0.5})
    sched_case('optim.lrScheduler.ReduceLROnPlateau.min.groups', 'ReduceLROnPlateau',
               {'factor': 0.5, 'patience': 5, 'cooldown': 2, 'minLr': [0.01, 0.004]}, groups=two, metrics=plateau_metrics())
    sched_case('optim.lrScheduler.ReduceLROnPlateau.max-abs', 'ReduceLROnPlateau',
               {'mode': 'max', 'thresholdMode': 'abs', 'threshold': 0.001, 'patience': 3},
               metrics=[-x for x in plateau_metrics()])
