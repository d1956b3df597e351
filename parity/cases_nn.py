"""Parity cases for randomness (dropout, creation, initialisers), modules, optimisers and small
training runs."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from cases_common import (M, SEED, add_case, build_module, cross_entropy_scale, dims, fn_case, init_params, labels,
                          logits_variants, module_case, normal, rng_for, to_np, to_torch, uniform)


# ---------------------------------------------------------------------------------------------------
# dropout

def gen_dropout():
    for op in ['dropout', 'nn.functional.dropout']:
        for p in [0.5, 0.0, 0.9]:
            stem = f'{op}.eval.p{p}.37x13'
            r = rng_for(stem)
            fn_case(stem, op, ['$x', p, False], {'x': normal(r, (37, 13))}, lambda x, p=p: F.dropout(x, p, False),
                    f'F.dropout(x, {p}, training=False)', grads=('x',))
        stem = f'{op}.train.p0.3x5'
        r = rng_for(stem)
        fn_case(stem, op, ['$x', 0.0, True], {'x': normal(r, (3, 5))}, lambda x: F.dropout(x, 0.0, True),
                'F.dropout(x, 0.0, training=True)', grads=('x',))
        stem = f'{op}.train.p1.3x5'
        r = rng_for(stem)
        fn_case(stem, op, ['$x', 1.0, True], {'x': normal(r, (3, 5))}, lambda x: F.dropout(x, 1.0, True),
                'F.dropout(x, 1.0, training=True)', grads=('x',))
        for p in [0.5, 0.2]:
            dropout_train_case(f'{op}.train-stats.p{p}', op, ['$x', p, True], p, lambda x, p=p: F.dropout(x, p, True),
                               f'F.dropout(x, {p}, training=True)')
    dropout_train_case('nn.Dropout.train-stats.p0.5', 'nn.Dropout', [0.5], 0.5, torch.nn.Dropout(0.5).train(),
                       'nn.Dropout(0.5).train()(x)')


DROPOUT_SHAPE = [400, 500]


def dropout_train_case(stem, op, args, p, torch_fn, expr):
    """Random masks differ from torch's; both sides must satisfy the same properties (checked here on torch)."""
    x = torch.full(DROPOUT_SHAPE, 1.5, requires_grad=True)
    torch.manual_seed(SEED)
    y = torch_fn(x)
    y.backward(torch.ones_like(y))
    n = y.numel()
    zero_frac = float((y == 0).float().mean())
    kept = y[y != 0]
    assert torch.allclose(kept, torch.tensor(1.5 / (1 - p)), rtol=1e-6), stem
    assert abs(zero_frac - p) <= 6 * math.sqrt(p * (1 - p) / n), stem
    assert torch.allclose(x.grad * 1.5, y.detach()), stem
    spec = {'shape': DROPOUT_SHAPE, 'fill': 1.5, 'p': p, 'torchZeroFraction': round(zero_frac, 6)}
    add_case(stem, 'dropout-train', op, args, spec, expr, {})


# ---------------------------------------------------------------------------------------------------
# creation

def gen_create():
    vals = [0.1, 1 / 3, -2.5, 1e-45, 3.4e38, 16777217, -0.0, 1e-8, 123456.789]
    fn_case('tensor.float-rounding', 'tensor', [vals], {}, lambda: torch.tensor(vals, dtype=torch.float32), f'torch.tensor({vals})')
    nested = [[1.5, 2.25, -3.0], [4.0, 0.2, 6e-3]]
    fn_case('tensor.nested', 'tensor', [nested], {}, lambda: torch.tensor(nested), f'torch.tensor({nested})')
    ints = [0, -3, 7, 2147483647, -2147483648]
    fn_case('tensor.int32', 'tensor', [ints, {'dtype': 'int32'}], {}, lambda: torch.tensor(ints, dtype=torch.int32),
            f'torch.tensor({ints}, dtype=torch.int32)')
    fn_case('tensor.scalar', 'tensor', [2.5], {}, lambda: torch.tensor(2.5), 'torch.tensor(2.5)')
    for op, f in [('zeros', torch.zeros), ('ones', torch.ones)]:
        for shape in [[3, 5], [1, 784], [255], []]:
            fn_case(f'{op}.{dims(shape)}', op, [shape], {}, lambda f=f, shape=shape: f(shape), f'torch.{op}({shape})')
        fn_case(f'{op}.int32.3x5', op, [[3, 5], {'dtype': 'int32'}], {}, lambda f=f: f([3, 5], dtype=torch.int32),
                f'torch.{op}([3, 5], dtype=torch.int32)')
    for v in [0.1, -7.0, 1e30]:
        fn_case(f'full.{v}.37x13', 'full', [[37, 13], v], {}, lambda v=v: torch.full([37, 13], v), f'torch.full([37, 13], {v})')
    fn_case('full.int32.3x5', 'full', [[3, 5], 7, {'dtype': 'int32'}], {}, lambda: torch.full([3, 5], 7, dtype=torch.int32),
            'torch.full([3, 5], 7, dtype=torch.int32)')
    for op, f in [('zerosLike', torch.zeros_like), ('onesLike', torch.ones_like)]:
        r = rng_for(op)
        fn_case(f'{op}.37x13', op, ['$x'], {'x': normal(r, (37, 13))}, lambda x, f=f: f(x), f'torch.{f.__name__}(x)')
        fn_case(f'{op}.int32.255', op, ['$x'], {'x': labels(r, 255, 10)}, lambda x, f=f: f(x).to(torch.int32),
                f'torch.{f.__name__}(labels)')
    for args in [[10], [0, 1, 0.1], [0, 0.3, 0.1], [1, 0, -0.3], [-5, 5, 0.7], [2, 784], [0, 255, 1]]:
        # integer arguments infer int32 (torch: int64), so the float32 cases ask for it
        ts_args = args + [{'dtype': 'float32'}] if all(isinstance(a, int) for a in args) else args
        fn_case(f'arange.{"_".join(map(str, args))}', 'arange', ts_args, {}, lambda args=args: torch.arange(*args, dtype=torch.float32),
                f'torch.arange({", ".join(map(str, args))}, dtype=torch.float32)')
    fn_case('arange.int32.0_10_3', 'arange', [0, 10, 3, {'dtype': 'int32'}], {}, lambda: torch.arange(0, 10, 3, dtype=torch.int32),
            'torch.arange(0, 10, 3, dtype=torch.int32)')


# ---------------------------------------------------------------------------------------------------
# random initialisation: compared by statistics, since the random streams differ

def dist_check(sample, dist, mean, std, lo=None, hi=None):
    """The statistical test both sides run (TS mirrors it in test/parity/parity.test.ts)."""
    a = sample.reshape(-1).astype(np.float64)
    n = a.size
    kurt = 3.0 if dist == 'normal' else 1.8
    m, s = a.mean(), a.std()
    errs = []
    if abs(m - mean) > 6 * std / math.sqrt(n):
        errs.append(f'mean {m} vs {mean}')
    if abs(s - std) > 6 * std * math.sqrt((kurt - 1) / (4 * n)):
        errs.append(f'std {s} vs {std}')
    if dist == 'uniform':
        if a.min() < lo or a.max() > hi:
            errs.append('out of bounds')
        if a.min() > lo + (hi - lo) * 20 / n or a.max() < hi - (hi - lo) * 20 / n:
            errs.append('bounds not reached')
    return errs, {'mean': m, 'std': s, 'min': float(a.min()), 'max': float(a.max())}


def stats_case(stem, op, args, shape, dist, mean, std, torch_fn, expr, lo=None, hi=None, target='$t', param=None):
    torch.manual_seed(SEED)
    sample = torch_fn()
    errs, got = dist_check(sample.detach().numpy(), dist, mean, std, lo, hi)
    if errs:
        raise AssertionError(f'{stem}: torch itself fails the statistical check: {errs}')
    spec = {'shape': shape, 'dist': dist, 'mean': mean, 'std': std, 'target': target,
            'torchSample': {k: float(f'{v:.6g}') for k, v in got.items()}}
    if lo is not None:
        spec['lo'], spec['hi'] = lo, hi
    if param is not None:
        spec['param'] = param
    add_case(stem, 'stats', op, args, spec, expr, {})


def gen_init():
    init = torch.nn.init
    fan = init._calculate_fan_in_and_fan_out
    shape = [400, 500]
    stats_case('nn.init.normal_.default', 'nn.init.normal_', ['$t'], shape, 'normal', 0.0, 1.0,
               lambda: init.normal_(torch.empty(shape)), 'nn.init.normal_(t)')
    stats_case('nn.init.normal_.notes-0.01', 'nn.init.normal_', ['$t', 0, 0.01], shape, 'normal', 0.0, 0.01,
               lambda: init.normal_(torch.empty(shape), 0, 0.01), 'nn.init.normal_(t, 0, 0.01)')
    stats_case('nn.init.normal_.2.5-3', 'nn.init.normal_', ['$t', 2.5, 3], shape, 'normal', 2.5, 3.0,
               lambda: init.normal_(torch.empty(shape), 2.5, 3), 'nn.init.normal_(t, 2.5, 3)')
    stats_case('nn.init.uniform_.default', 'nn.init.uniform_', ['$t'], shape, 'uniform', 0.5, 1 / math.sqrt(12),
               lambda: init.uniform_(torch.empty(shape)), 'nn.init.uniform_(t)', lo=0.0, hi=1.0)
    stats_case('nn.init.uniform_.-3_2', 'nn.init.uniform_', ['$t', -3, 2], shape, 'uniform', -0.5, 5 / math.sqrt(12),
               lambda: init.uniform_(torch.empty(shape), -3, 2), 'nn.init.uniform_(t, -3, 2)', lo=-3.0, hi=2.0)
    for s in [[256, 784], [10, 784], [64, 16, 3, 3]]:
        fi, fo = fan(torch.empty(s))
        for gain in [1.0, init.calculate_gain('relu')]:
            b = gain * math.sqrt(6 / (fi + fo))
            args = ['$t'] if gain == 1.0 else ['$t', gain]
            stats_case(f'nn.init.xavierUniform_.{dims(s)}.gain{gain:.4f}', 'nn.init.xavierUniform_', args, s, 'uniform', 0.0, b / math.sqrt(3),
                       lambda s=s, gain=gain: init.xavier_uniform_(torch.empty(s), gain), f'nn.init.xavier_uniform_(t, gain={gain})', lo=-b, hi=b)
            sd = gain * math.sqrt(2 / (fi + fo))
            stats_case(f'nn.init.xavierNormal_.{dims(s)}.gain{gain:.4f}', 'nn.init.xavierNormal_', args, s, 'normal', 0.0, sd,
                       lambda s=s, gain=gain: init.xavier_normal_(torch.empty(s), gain), f'nn.init.xavier_normal_(t, gain={gain})')
        for a, mode, nl in [(0, 'fan_in', 'leaky_relu'), (math.sqrt(5), 'fan_in', 'leaky_relu'), (0, 'fan_out', 'relu'),
                            (0.2, 'fan_in', 'leaky_relu'), (0, 'fan_in', 'linear')]:
            f_ = fi if mode == 'fan_in' else fo
            sd = init.calculate_gain(nl, a) / math.sqrt(f_)
            b = math.sqrt(3) * sd
            tag = f'{dims(s)}.a{a:.3f}.{mode}.{nl}'
            stats_case(f'nn.init.kaimingUniform_.{tag}', 'nn.init.kaimingUniform_', ['$t', a, mode, nl], s, 'uniform', 0.0, sd,
                       lambda s=s, a=a, mode=mode, nl=nl: init.kaiming_uniform_(torch.empty(s), a, mode, nl),
                       f"nn.init.kaiming_uniform_(t, a={a}, mode='{mode}', nonlinearity='{nl}')", lo=-b, hi=b)
            stats_case(f'nn.init.kaimingNormal_.{tag}', 'nn.init.kaimingNormal_', ['$t', a, mode, nl], s, 'normal', 0.0, sd,
                       lambda s=s, a=a, mode=mode, nl=nl: init.kaiming_normal_(torch.empty(s), a, mode, nl),
                       f"nn.init.kaiming_normal_(t, a={a}, mode='{mode}', nonlinearity='{nl}')")
        fi2, fo2 = fan(torch.empty(s))
        add_case(f'nn.init.calculateFanInAndFanOut.{dims(s)}', 'scalar', 'nn.init.calculateFanInAndFanOut', ['$t'],
                 {'expected': [fi2, fo2], 'shape': s}, f'nn.init._calculate_fan_in_and_fan_out(torch.empty({s}))', {})
    # defaults: kaiming_uniform_(t) is a=0, fan_in, leaky_relu
    s = [256, 784]
    sd = init.calculate_gain('leaky_relu', 0) / math.sqrt(784)
    stats_case('nn.init.kaimingUniform_.defaults', 'nn.init.kaimingUniform_', ['$t'], s, 'uniform', 0.0, sd,
               lambda: init.kaiming_uniform_(torch.empty(s)), 'nn.init.kaiming_uniform_(t)', lo=-math.sqrt(3) * sd, hi=math.sqrt(3) * sd)
    stats_case('nn.init.kaimingNormal_.defaults', 'nn.init.kaimingNormal_', ['$t'], s, 'normal', 0.0, sd,
               lambda: init.kaiming_normal_(torch.empty(s)), 'nn.init.kaiming_normal_(t)')
    # nn.Linear's default init: kaiming_uniform_(a=sqrt(5)) weight, U(±1/sqrt(fan_in)) bias
    for i, o in [(784, 256), (5, 4000)]:
        b = 1 / math.sqrt(i)
        stats_case(f'nn.Linear.init.weight.{i}-{o}', 'nn.Linear', [i, o], [o, i], 'uniform', 0.0, b / math.sqrt(3),
                   lambda i=i, o=o: torch.nn.Linear(i, o).weight, f'nn.Linear({i}, {o}).weight', lo=-b, hi=b, target='$module', param='weight')
        if o >= 1000:
            stats_case(f'nn.Linear.init.bias.{i}-{o}', 'nn.Linear', [i, o], [o], 'uniform', 0.0, b / math.sqrt(3),
                       lambda i=i, o=o: torch.nn.Linear(i, o).bias, f'nn.Linear({i}, {o}).bias', lo=-b, hi=b, target='$module', param='bias')
    # randn / rand
    stats_case('randn.400x500', 'randn', [[400, 500]], [400, 500], 'normal', 0.0, 1.0, lambda: torch.randn(400, 500),
               'torch.randn(400, 500)', target='$result')
    stats_case('rand.400x500', 'rand', [[400, 500]], [400, 500], 'uniform', 0.5, 1 / math.sqrt(12), lambda: torch.rand(400, 500),
               'torch.rand(400, 500)', lo=0.0, hi=1.0, target='$result')
    # deterministic initialisers: exact values
    for op, args, f in [('nn.init.constant_', ['$t', 0.37], lambda t: init.constant_(t, 0.37)),
                        ('nn.init.zeros_', ['$t'], init.zeros_), ('nn.init.ones_', ['$t'], init.ones_)]:
        stem = f'{op}.37x13'
        r = rng_for(stem)
        fn_case(stem, op, args, {'t': normal(r, (37, 13))}, lambda t, f=f: f(t.clone()), f'{op.replace("nn.", "torch.nn.")}(t)')
    for nl, param in [('linear', None), ('conv1d', None), ('conv2d', None), ('conv3d', None), ('sigmoid', None), ('tanh', None),
                      ('relu', None), ('leaky_relu', None), ('leaky_relu', 0.2), ('selu', None)]:
        g = init.calculate_gain(nl, param)
        args = [nl] if param is None else [nl, param]
        add_case(f'nn.init.calculateGain.{nl}{"" if param is None else "." + str(param)}', 'scalar', 'nn.init.calculateGain', args,
                 {'expected': g}, f"nn.init.calculate_gain('{nl}', {param})", {})


# ---------------------------------------------------------------------------------------------------
# modules

def gen_modules():
    for n, i, o in [(1, 784, 10), (3, 5, 2), (37, 5, 10), (255, 13, 10), (255, 1, 13), (3, 784, 2)]:
        stem = f'nn.Linear.{n}x{i}-{o}'
        r = rng_for(stem)
        module_case(stem, M('nn.Linear', i, o), {'x': normal(r, (n, i))}, grad_scale=1 / n)
    stem = 'nn.Linear.no-bias.37x5-13'
    module_case(stem, M('nn.Linear', 5, 13, {'bias': False}), {'x': normal(rng_for(stem), (37, 5))}, grad_scale=1 / 37)
    stem = 'nn.Linear.3d.2x3x5-4'
    module_case(stem, M('nn.Linear', 5, 4), {'x': normal(rng_for(stem), (2, 3, 5))})
    for shape, args in [((1, 1, 28, 28), []), ((2, 3, 4), []), ((2, 3, 4), [0, -1]), ((37, 13), [])]:
        stem = f'nn.Flatten.{dims(shape)}.{"_".join(map(str, args)) or "default"}'
        module_case(stem, M('nn.Flatten', *args), {'x': normal(rng_for(stem), shape)})
    for name in ['nn.ReLU', 'nn.Sigmoid', 'nn.Identity']:
        for shape in [(37, 13), (1, 784), (255, 2)]:
            stem = f'{name}.{dims(shape)}'
            x = normal(rng_for(stem), shape, 3)
            x.reshape(-1)[::5] = 0.0
            module_case(stem, M(name), {'x': x})
    for name in ['nn.Softmax', 'nn.LogSoftmax']:
        for shape, d in [((37, 13), 1), ((255, 2), 1), ((3, 5), 0), ((2, 3, 4), -1)]:
            stem = f'{name}.dim{d}.{dims(shape)}'
            module_case(stem, M(name, d), {'x': normal(rng_for(stem), shape, 3)})
        stem = f'{name}.neginf.37x13'
        x = dict(logits_variants(rng_for(stem), 37, 13))['neginf']
        module_case(stem, M(name, 1), {'x': x})
        stem = f'{name}.scaled1e4.37x13'
        x = dict(logits_variants(rng_for(stem), 37, 13))['scaled1e4']
        module_case(stem, M(name, 1), {'x': x})
    for p in [0.5, 0.2]:
        for shape in [(37, 13), (1, 784)]:
            stem = f'nn.Dropout.eval.p{p}.{dims(shape)}'
            module_case(stem, M('nn.Dropout', p), {'x': normal(rng_for(stem), shape)}, train=False)
    stem = 'nn.Dropout.eval.default.37x13'
    module_case(stem, M('nn.Dropout'), {'x': normal(rng_for(stem), (37, 13))}, train=False)
    for n, c in [(1, 2), (3, 10), (37, 13), (255, 10)]:
        for red in (['mean', 'sum', 'none'] if n < 255 else ['mean']):
            for ls in [0.0, 0.1]:
                for variant in ['plain', 'scaled1e4', 'neginf']:
                    if variant != 'plain' and (n, c) != (37, 13):
                        continue
                    stem = f'nn.CrossEntropyLoss.{variant}.{n}x{c}.{red}.ls{ls}'
                    r = rng_for(stem)
                    x = dict(logits_variants(r, n, c))[variant]
                    y = labels(r, n, c)
                    if variant == 'neginf':
                        y[:] = 0
                    module_case(stem, M('nn.CrossEntropyLoss', {'reduction': red, 'labelSmoothing': ls}), {'x': x, 'y': y},
                                scalar_grad=0.75 if red != 'none' else None, scale_ref=cross_entropy_scale(n, red))
    stem = 'nn.CrossEntropyLoss.default.255x10'
    r = rng_for(stem)
    module_case(stem, M('nn.CrossEntropyLoss'), {'x': normal(r, (255, 10), 3), 'y': labels(r, 255, 10)}, scalar_grad=1.0,
                scale_ref=cross_entropy_scale(255, 'mean'))
    for shape in [(37, 13), (255, 1)]:
        for red in ['mean', 'sum', 'none']:
            stem = f'nn.MSELoss.{dims(shape)}.{red}'
            r = rng_for(stem)
            module_case(stem, M('nn.MSELoss', {'reduction': red}), {'x': normal(r, shape), 't': normal(r, shape)},
                        grads=('x', 't'), scalar_grad=0.75 if red != 'none' else None)
    stem = 'nn.MSELoss.default.37x13'
    r = rng_for(stem)
    module_case(stem, M('nn.MSELoss'), {'x': normal(r, (37, 13)), 't': normal(r, (37, 13))}, grads=('x', 't'), scalar_grad=1.0)
    # the notes' networks
    stem = 'nn.Sequential.notes-softmax-regression.3x1x28x28'
    module_case(stem, M('nn.Sequential', M('nn.Flatten'), M('nn.Linear', 784, 10)),
                {'x': uniform(rng_for(stem), (3, 1, 28, 28), 0, 1)}, grads=(), grad_scale=1 / 3)
    stem = 'nn.Sequential.mlp.3x1x28x28'
    module_case(stem, M('nn.Sequential', M('nn.Flatten'), M('nn.Linear', 784, 16), M('nn.ReLU'), M('nn.Linear', 16, 10)),
                {'x': uniform(rng_for(stem), (3, 1, 28, 28), 0, 1)}, grads=('x',), grad_scale=1 / 3)
    stem = 'nn.Sequential.dropout-eval.37x13'
    module_case(stem, M('nn.Sequential', M('nn.Linear', 13, 10), M('nn.Sigmoid'), M('nn.Dropout', 0.5), M('nn.Linear', 10, 2),
                        M('nn.LogSoftmax', 1)),
                {'x': normal(rng_for(stem), (37, 13))}, train=False, grad_scale=1 / 37)


# ---------------------------------------------------------------------------------------------------
# optimisers: parameters after each of 5 steps from the same start and the same gradients

def optim_case(stem, op, opts, skip=()):
    r = rng_for(stem)
    shapes = [(13, 5), (13,)]
    starts = [normal(r, s) for s in shapes]
    params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in starts]
    cls = {'optim.SGD': torch.optim.SGD, 'optim.Adam': torch.optim.Adam, 'optim.AdamW': torch.optim.AdamW}[op]
    kw = {'lr': opts['lr']} if 'lr' in opts else {}
    for ts, py in [('momentum', 'momentum'), ('dampening', 'dampening'), ('weightDecay', 'weight_decay'), ('nesterov', 'nesterov'),
                   ('eps', 'eps')]:
        if ts in opts:
            kw[py] = opts[ts]
    if 'betas' in opts:
        kw['betas'] = tuple(opts['betas'])
    kw['foreach'] = False
    opt = cls(params, **kw)
    tensors = {f'param.{i}': a for i, a in enumerate(starts)}
    for k in range(1, 6):
        opt.zero_grad(set_to_none=True)
        for i, p in enumerate(params):
            if [k, i] in [list(s) for s in skip]:
                continue  # no gradient this step: torch skips the parameter (and its step count)
            g = normal(r, tuple(p.shape))
            tensors[f'grad.s{k}.{i}'] = g
            p.grad = torch.from_numpy(g.copy())
        opt.step()
        for i, p in enumerate(params):
            tensors[f'expected.s{k}.{i}'] = to_np(p)
    spec = {'steps': 5, 'params': len(params), 'skip': [list(s) for s in skip]}
    expr = f'torch.optim.{op[6:]}(params, {", ".join(f"{k}={v}" for k, v in kw.items())})'
    add_case(stem, 'optim', op, [opts], spec, expr, tensors)


def gen_optim():
    sgd = [
        ('lr', {'lr': 0.1}),
        ('momentum', {'lr': 0.1, 'momentum': 0.9}),
        ('dampening', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1}),
        ('nesterov', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}),
        ('weight-decay', {'lr': 0.1, 'weightDecay': 1e-2}),
        ('momentum-weight-decay', {'lr': 0.1, 'momentum': 0.9, 'weightDecay': 0.1}),
        ('nesterov-weight-decay', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'weightDecay': 5e-4}),
        ('all', {'lr': 0.5, 'momentum': 0.5, 'dampening': 0.5, 'weightDecay': 0.1}),
    ]
    for name, o in sgd:
        optim_case(f'optim.SGD.{name}', 'optim.SGD', o)
    optim_case('optim.SGD.momentum-missing-grad', 'optim.SGD', {'lr': 0.1, 'momentum': 0.9}, skip=[(1, 1), (3, 0)])
    adam = [
        ('default', {}),
        ('lr1e-2', {'lr': 1e-2}),
        ('weight-decay', {'lr': 1e-2, 'weightDecay': 0.1}),
        ('betas-eps', {'lr': 1e-2, 'betas': [0.8, 0.99], 'eps': 1e-6}),
        ('all', {'lr': 0.05, 'betas': [0.5, 0.9], 'eps': 1e-4, 'weightDecay': 0.3}),
    ]
    for cls in ['Adam', 'AdamW']:
        for name, o in adam:
            optim_case(f'optim.{cls}.{name}', f'optim.{cls}', o)
        optim_case(f'optim.{cls}.missing-grad', f'optim.{cls}', {'lr': 1e-2}, skip=[(1, 1), (3, 0)])


# ---------------------------------------------------------------------------------------------------
# small training runs: module + loss + optimiser, 5 steps of autograd and updates on one batch

def train_case(stem, ctor, loss_opts, opt_path, opts, n=37):
    torch.manual_seed(0)
    m = build_module(ctor)
    params = init_params(stem, m)
    r = rng_for(stem)
    in_f = ctor['args'][0]['args'][0] if ctor['$module'] == 'nn.Sequential' else ctor['args'][0]
    x = normal(r, (n, in_f))
    y = labels(r, n, 10)
    loss_fn = build_module(M('nn.CrossEntropyLoss', loss_opts))
    cls = {'optim.SGD': torch.optim.SGD, 'optim.Adam': torch.optim.Adam, 'optim.AdamW': torch.optim.AdamW}[opt_path]
    kw = {{'weightDecay': 'weight_decay'}.get(k, k): v for k, v in opts.items()}
    opt = cls(m.parameters(), foreach=False, **kw)
    tensors = {'input.x': x, 'input.y': y}
    tensors.update({f'param.{k}': a for k, a in params.items()})
    for k in range(1, 6):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(m(to_torch(x)), to_torch(y))
        loss.backward()
        opt.step()
        tensors[f'expected.s{k}.loss'] = to_np(loss)
        for name, p in m.named_parameters():
            tensors[f'expected.s{k}.param.{name}'] = to_np(p)
    spec = {'ctor': ctor, 'loss': loss_opts, 'optim': opt_path, 'steps': 5}
    add_case(stem, 'train', opt_path, [opts], spec, f'{repr(m)} / CrossEntropyLoss({loss_opts}) / {opt_path}({kw})'.replace('\n', ' '), tensors)


def gen_train():
    mlp = M('nn.Sequential', M('nn.Linear', 13, 16), M('nn.ReLU'), M('nn.Linear', 16, 10))
    train_case('train.softmax-regression.sgd', M('nn.Linear', 13, 10), {}, 'optim.SGD', {'lr': 0.1})
    train_case('train.mlp.sgd-momentum-nesterov', mlp, {'labelSmoothing': 0.1}, 'optim.SGD',
               {'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'weightDecay': 1e-3})
    train_case('train.mlp.adam', mlp, {'reduction': 'sum'}, 'optim.Adam', {'lr': 1e-2})
    train_case('train.mlp.adamw', mlp, {}, 'optim.AdamW', {'lr': 1e-2, 'weightDecay': 0.1})
