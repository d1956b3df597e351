"""Learning-rate schedulers, RMSprop / Adagrad and clip_grad_norm_.

Schedulers: each group's lr (and momentum or beta1 where OneCycleLR cycles it) after
construction and after each of 100 steps, from torch.optim.lr_scheduler.

The values are float64 Python numbers and travel in the spec as JSON (exact round trip); the TypeScript
side rebuilds the optimiser from spec.optim / spec.optimArgs / spec.groups and steps the scheduler.
LambdaLR's functions are named in spec.lambdas and defined on both sides (LAMBDAS below).
"""

import numpy as np
import torch

from cases_common import add_case, normal, rng_for, to_np

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
      'minLr': 'min_lr', 'lrDecay': 'lr_decay', 'initialAccumulatorValue': 'initial_accumulator_value'}


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


# ---------------------------------------------------------------------------------------------------
# RMSprop and Adagrad: parameters after each of 20 steps from given gradients (the format of
# cases_nn.optim_case, run by the TypeScript side's 'optim' kind)

def adaptive_optim_case(stem, op, opts, steps=20):
    r = rng_for(stem)
    shapes = [(13, 5), (13,)]
    starts = [normal(r, s) for s in shapes]
    params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in starts]
    cls = {'optim.RMSprop': torch.optim.RMSprop, 'optim.Adagrad': torch.optim.Adagrad}[op]
    kw = py_kwargs({**opts, 'foreach': False})
    opt = cls(params, **kw)
    tensors = {f'param.{i}': a for i, a in enumerate(starts)}
    for k in range(1, steps + 1):
        opt.zero_grad(set_to_none=True)
        for i, p in enumerate(params):
            g = normal(r, tuple(p.shape))
            tensors[f'grad.s{k}.{i}'] = g
            p.grad = torch.from_numpy(g.copy())
        opt.step()
        for i, p in enumerate(params):
            tensors[f'expected.s{k}.{i}'] = to_np(p)
    spec = {'steps': steps, 'params': len(params), 'skip': []}
    expr = f'torch.optim.{op[6:]}(params, {", ".join(f"{k}={v}" for k, v in kw.items())})'
    add_case(stem, 'optim', op, [opts], spec, expr, tensors)


# ---------------------------------------------------------------------------------------------------
# clip_grad_norm_: the total norm returned and every gradient after clipping

def clip_case(stem, max_norm, norm_type, scale=1.0):
    r = rng_for(stem)
    shapes = [(7, 5), (5,), (3, 2, 2)]
    grads = [normal(r, s, scale) for s in shapes]
    params = [torch.nn.Parameter(torch.zeros(s)) for s in shapes]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    tensors = {f'grad.{i}': g for i, g in enumerate(grads)}
    tensors.update({f'expected.grad.{i}': to_np(p.grad) for i, p in enumerate(params)})
    tensors['expected.out'] = to_np(total)
    nt = {'$float': 'inf'} if norm_type == float('inf') else norm_type
    add_case(stem, 'clip', 'nn.utils.clipGradNorm_', [max_norm, nt], {'params': len(shapes)},
             f'torch.nn.utils.clip_grad_norm_(params, {max_norm}, {norm_type})', tensors)


def gen_adaptive():
    for name, o in [
        ('default', {}),
        ('alpha-eps-wd', {'lr': 1e-3, 'alpha': 0.9, 'eps': 1e-6, 'weightDecay': 0.1}),
        ('momentum', {'lr': 1e-3, 'momentum': 0.9}),
        ('centered', {'lr': 1e-3, 'centered': True}),
        ('centered-momentum-wd', {'lr': 5e-3, 'alpha': 0.95, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.01}),
    ]:
        adaptive_optim_case(f'optim.RMSprop.{name}', 'optim.RMSprop', o)
    for name, o in [
        ('default', {}),
        ('lr-decay', {'lr': 0.1, 'lrDecay': 0.01}),
        ('wd-initial-eps', {'lr': 0.05, 'weightDecay': 0.1, 'initialAccumulatorValue': 0.5, 'eps': 1e-6}),
    ]:
        adaptive_optim_case(f'optim.Adagrad.{name}', 'optim.Adagrad', o)
    clip_case('nn.utils.clipGradNorm_.l2-clips', 1.0, 2.0)
    clip_case('nn.utils.clipGradNorm_.l2-no-clip', 100.0, 2.0)
    clip_case('nn.utils.clipGradNorm_.l1', 2.0, 1.0)
    clip_case('nn.utils.clipGradNorm_.inf', 0.5, float('inf'))
    clip_case('nn.utils.clipGradNorm_.p3', 1.5, 3.0, scale=2.0)
