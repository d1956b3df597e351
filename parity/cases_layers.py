"""Parity cases for the losses and activations of nn/losses.ts and nn/activations.ts: BCE (on logits and
on probabilities), NLL, L1, smooth L1, Huber, and Tanh, LeakyReLU, GELU, Softplus, at odd sizes, every
reduction, and edge values (logits of +-1e4, probabilities 0 and 1, targets 0 and 1, |d| = beta)."""

import numpy as np
import torch
import torch.nn.functional as F

from cases_bool import error_case
from cases_common import MODULE_BUILDERS, M, dims, fn_case, labels, module_case, normal, rng_for, uniform

REDUCTIONS = ['none', 'mean', 'sum']


def _opts(o):
    return o[0] if o else {}


def _t(v):
    return None if v is None else torch.from_numpy(np.asarray(v))


# torch modules for the TS constructors (weights are not passed to module cases; fn cases cover them)
MODULE_BUILDERS.update({
    'nn.BCEWithLogitsLoss': lambda a: torch.nn.BCEWithLogitsLoss(reduction=_opts(a).get('reduction', 'mean')),
    'nn.BCELoss': lambda a: torch.nn.BCELoss(reduction=_opts(a).get('reduction', 'mean')),
    'nn.NLLLoss': lambda a: torch.nn.NLLLoss(reduction=_opts(a).get('reduction', 'mean'), ignore_index=_opts(a).get('ignoreIndex', -100)),
    'nn.L1Loss': lambda a: torch.nn.L1Loss(reduction=_opts(a).get('reduction', 'mean')),
    'nn.SmoothL1Loss': lambda a: torch.nn.SmoothL1Loss(reduction=_opts(a).get('reduction', 'mean'), beta=_opts(a).get('beta', 1.0)),
    'nn.HuberLoss': lambda a: torch.nn.HuberLoss(reduction=_opts(a).get('reduction', 'mean'), delta=_opts(a).get('delta', 1.0)),
    'nn.Tanh': lambda a: torch.nn.Tanh(),
    'nn.LeakyReLU': lambda a: torch.nn.LeakyReLU(*a),
    'nn.GELU': lambda a: torch.nn.GELU(approximate=_opts(a).get('approximate', 'none')),
    'nn.Softplus': lambda a: torch.nn.Softplus(beta=_opts(a).get('beta', 1), threshold=_opts(a).get('threshold', 20)),
})


def scalar(red):
    return 0.75 if red != 'none' else None


def logits(r, shape, variant):
    if variant == 'large':
        x = normal(r, shape, 1e4)
        x.flat[::7] = 0.0
        return x
    return normal(r, shape, 3.0)


def as_runtime_error(f):
    """torch raises ValueError / IndexError for these; error_case expects RuntimeError."""
    def call(*a):
        try:
            return f(*a)
        except (ValueError, IndexError) as e:
            raise RuntimeError(str(e)) from e
    return call


def binary_targets(r, shape, variant):
    if variant == 'soft':
        return uniform(r, shape, 0.0, 1.0)
    return (r.rand(*shape) < 0.5).astype(np.float32)


def gen_bce_with_logits():
    op = 'nn.functional.binaryCrossEntropyWithLogits'
    for shape in [(37, 13), (3, 5), (1,), (255,)]:
        for variant in ['plain', 'large']:
            for tv in ['binary', 'soft']:
                for red in REDUCTIONS:
                    stem = f'{op}.{variant}.{tv}.{dims(shape)}.{red}'
                    r = rng_for(stem)
                    x, t = logits(r, shape, variant), binary_targets(r, shape, tv)
                    fn_case(stem, op, ['$x', '$t', {'reduction': red}], {'x': x, 't': t},
                            lambda x, t, red=red: F.binary_cross_entropy_with_logits(x, t, reduction=red),
                            f"F.binary_cross_entropy_with_logits(x, t, reduction='{red}')", grads=('x',), scalar_grad=scalar(red))
    for variant in ['plain', 'large']:
        for red in REDUCTIONS:
            for which in ['weight', 'posWeight', 'both']:
                stem = f'{op}.{which}.{variant}.37x13.{red}'
                r = rng_for(stem)
                x, t = logits(r, (37, 13), variant), binary_targets(r, (37, 13), 'soft')
                w, pw = uniform(r, (13,), 0.1, 3.0), uniform(r, (13,), 0.1, 5.0)
                inputs = {'x': x, 't': t}
                opts = {'reduction': red}
                if which != 'posWeight':
                    inputs['w'], opts['weight'] = w, '$w'
                if which != 'weight':
                    inputs['pw'], opts['posWeight'] = pw, '$pw'
                fn_case(stem, op, ['$x', '$t', opts], inputs,
                        lambda x, t, *rest, red=red, which=which: F.binary_cross_entropy_with_logits(
                            x, t, reduction=red, weight=rest[0] if which != 'posWeight' else None,
                            pos_weight=rest[-1] if which != 'weight' else None),
                        f"F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction='{red}')  # {which}",
                        grads=('x',), scalar_grad=scalar(red))
    for red in REDUCTIONS:
        stem = f'nn.BCEWithLogitsLoss.37x13.{red}'
        r = rng_for(stem)
        module_case(stem, M('nn.BCEWithLogitsLoss', {'reduction': red}), {'x': logits(r, (37, 13), 'plain'),
                    't': binary_targets(r, (37, 13), 'soft')}, scalar_grad=scalar(red))
    error_case(f'{op}.shape-mismatch', op, ['$x', '$t'], {'x': np.zeros((3, 5), np.float32), 't': np.zeros((5, 3), np.float32)},
               as_runtime_error(F.binary_cross_entropy_with_logits), 'F.binary_cross_entropy_with_logits(x, t)', 'must be the same as input size')


def probabilities(r, shape, variant):
    p = uniform(r, shape, 0.0, 1.0)
    if variant == 'edges':
        p.flat[::3] = 0.0
        p.flat[1::3] = 1.0
    return p


def gen_bce():
    op = 'nn.functional.binaryCrossEntropy'
    for shape in [(37, 13), (3, 5), (1,)]:
        for variant in ['plain', 'edges']:
            for red in REDUCTIONS:
                for weighted in [False, True]:
                    stem = f'{op}.{variant}.{dims(shape)}.{red}' + ('.weight' if weighted else '')
                    r = rng_for(stem)
                    x, t = probabilities(r, shape, variant), binary_targets(r, shape, 'binary')
                    inputs, opts = {'x': x, 't': t}, {'reduction': red}
                    if weighted:
                        inputs['w'], opts['weight'] = uniform(r, shape[-1:], 0.1, 3.0), '$w'
                    fn_case(stem, op, ['$x', '$t', opts], inputs,
                            lambda x, t, *w, red=red: F.binary_cross_entropy(x, t, weight=w[0] if w else None, reduction=red),
                            f"F.binary_cross_entropy(x, t, weight=w, reduction='{red}')", grads=('x',), scalar_grad=scalar(red))
    for red in REDUCTIONS:
        stem = f'nn.BCELoss.37x13.{red}'
        r = rng_for(stem)
        module_case(stem, M('nn.BCELoss', {'reduction': red}), {'x': probabilities(r, (37, 13), 'edges'),
                    't': binary_targets(r, (37, 13), 'soft')}, scalar_grad=scalar(red))
    error_case(f'{op}.out-of-range', op, ['$x', '$t'], {'x': np.array([0.5, 1.5], np.float32), 't': np.zeros(2, np.float32)},
               F.binary_cross_entropy, 'F.binary_cross_entropy(x, t)', 'between 0 and 1')


def gen_nll():
    op = 'nn.functional.nllLoss'
    for n, c in [(37, 13), (3, 5), (1, 2), (255, 10)]:
        for red in REDUCTIONS:
            for variant in ['plain', 'weight', 'ignore', 'weight-ignore']:
                stem = f'{op}.{variant}.{n}x{c}.{red}'
                r = rng_for(stem)
                x = torch.log_softmax(torch.from_numpy(normal(r, (n, c), 3.0)), 1).numpy()
                y = labels(r, n, c)
                inputs, opts, kw = {'x': x, 'y': y}, {'reduction': red}, {}
                if 'ignore' in variant:
                    y[::3] = 1 if c > 1 else 0
                    opts['ignoreIndex'] = kw['ignore_index'] = 1
                if 'weight' in variant:
                    inputs['w'], opts['weight'] = uniform(r, (c,), 0.1, 3.0), '$w'
                fn_case(stem, op, ['$x', '$y', opts], inputs,
                        lambda x, y, *w, red=red, kw=kw: F.nll_loss(x, y, weight=w[0] if w else None, reduction=red, **kw),
                        f"F.nll_loss(x, y, weight=w, reduction='{red}', {kw})", grads=('x',), scalar_grad=scalar(red))
    # [C] with a 0-d target, and [N, C, d1, d2] with the class dim second
    for shape in [(7,), (3, 5, 2, 3), (2, 4, 5)]:
        for red in REDUCTIONS:
            for variant in ['plain', 'weight-ignore']:
                stem = f'{op}.{variant}.{dims(shape)}.{red}'
                r = rng_for(stem)
                c = shape[0] if len(shape) == 1 else shape[1]
                x = torch.log_softmax(torch.from_numpy(normal(r, shape, 3.0)), 0 if len(shape) == 1 else 1).numpy()
                tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
                y = np.asarray(r.randint(0, c, size=tshape)).astype(np.int32)
                inputs, opts, kw = {'x': x, 'y': y}, {'reduction': red}, {}
                if variant == 'weight-ignore':
                    if y.ndim > 0:
                        y.flat[::3] = 1
                    opts['ignoreIndex'] = kw['ignore_index'] = 1
                    inputs['w'], opts['weight'] = uniform(r, (c,), 0.1, 3.0), '$w'
                fn_case(stem, op, ['$x', '$y', opts], inputs,
                        lambda x, y, *w, red=red, kw=kw: F.nll_loss(x, y, weight=w[0] if w else None, reduction=red, **kw),
                        f"F.nll_loss(x, y, weight=w, reduction='{red}', {kw})", grads=('x',), scalar_grad=scalar(red))
    stem = f'nn.NLLLoss.2x5x3x4.mean'
    r = rng_for(stem)
    module_case(stem, M('nn.NLLLoss', {}), {'x': normal(r, (2, 5, 3, 4)), 'y': r.randint(0, 5, size=(2, 3, 4)).astype(np.int32)},
                scalar_grad=1.0)
    error_case(f'{op}.target-shape', op, ['$x', '$y'], {'x': np.zeros((2, 5, 3), np.float32), 'y': np.zeros((2, 5), np.int32)},
               as_runtime_error(lambda x, y: F.nll_loss(x, y.long())), 'F.nll_loss(x, y)', 'target must have shape [2, 3] to match input [2, 5, 3]')
    stem = f'{op}.all-ignored.3x5.mean'
    r = rng_for(stem)
    fn_case(stem, op, ['$x', '$y'], {'x': normal(r, (3, 5)), 'y': np.full(3, -100, np.int32)}, F.nll_loss,
            'F.nll_loss(x, y)  # every target ignored: nan', grads=('x',), scalar_grad=1.0)
    for red in REDUCTIONS:
        stem = f'nn.NLLLoss.37x13.{red}'
        r = rng_for(stem)
        y = labels(r, 37, 13)
        y[::4] = 3
        module_case(stem, M('nn.NLLLoss', {'reduction': red, 'ignoreIndex': 3}), {'x': normal(r, (37, 13)), 'y': y}, scalar_grad=scalar(red))
    error_case(f'{op}.target-out-of-bounds', op, ['$x', '$y'], {'x': np.zeros((3, 5), np.float32), 'y': np.array([0, 5, 1], np.int32)},
               as_runtime_error(lambda x, y: F.nll_loss(x, y.long())), 'F.nll_loss(x, y)', 'out of bounds')


def regression_pair(r, shape, edge):
    a, b = normal(r, shape, 2.0), normal(r, shape, 2.0)
    if edge is not None:  # exact ties (d = 0) and |d| exactly at the switch point
        b.flat[::5] = a.flat[::5]
        b.flat[1::5] = a.flat[1::5] - np.float32(edge)
        b.flat[2::5] = a.flat[2::5] + np.float32(edge)
        a, b = a.astype(np.float32), b.astype(np.float32)
    return a, b


def gen_regression():
    variants = [
        ('nn.functional.l1Loss', 'nn.L1Loss', [{}], lambda o: (lambda a, b, red: F.l1_loss(a, b, reduction=red)), 1.0),
        ('nn.functional.smoothL1Loss', 'nn.SmoothL1Loss', [{}, {'beta': 0.5}, {'beta': 0.0}, {'beta': 3.0}],
         lambda o: (lambda a, b, red: F.smooth_l1_loss(a, b, reduction=red, beta=o.get('beta', 1.0))), None),
        ('nn.functional.huberLoss', 'nn.HuberLoss', [{}, {'delta': 0.3}, {'delta': 4.0}],
         lambda o: (lambda a, b, red: F.huber_loss(a, b, reduction=red, delta=o.get('delta', 1.0))), None),
    ]
    for op, mod, option_sets, make, edge in variants:
        for o in option_sets:
            f = make(o)
            e = edge if edge is not None else (o.get('beta', o.get('delta', 1.0)) or 0.5)
            for shape in [(37, 13), (3, 5), (1,), (255,)]:
                for red in REDUCTIONS:
                    tag = '.'.join(f'{k}{v}' for k, v in o.items()) or 'default'
                    stem = f'{op}.{tag}.{dims(shape)}.{red}'
                    r = rng_for(stem)
                    a, b = regression_pair(r, shape, e)
                    fn_case(stem, op, ['$a', '$b', dict(o, reduction=red)], {'a': a, 'b': b},
                            lambda a, b, red=red, f=f: f(a, b, red), f"{op}(a, b, {o}, reduction='{red}')",
                            grads=('a', 'b'), scalar_grad=scalar(red))
            for red in REDUCTIONS:
                tag = '.'.join(f'{k}{v}' for k, v in o.items()) or 'default'
                stem = f'{mod}.{tag}.37x13.{red}'
                r = rng_for(stem)
                a, b = regression_pair(r, (37, 13), e)
                module_case(stem, M(mod, dict(o, reduction=red)), {'x': a, 't': b}, grads=('x', 't'), scalar_grad=scalar(red))


def gen_layers():
    gen_bce_with_logits()
    gen_bce()
    gen_nll()
    gen_regression()
    gen_activations()


def activation_input(r, shape):
    x = normal(r, shape, 3.0)
    x.flat[::11] = 0.0
    x.flat[5::11] = 100.0
    x.flat[7::11] = -100.0
    return x


ACTIVATIONS = [
    # (op, TS extra args, torch function, module path, module args)
    ('nn.functional.tanh', [], torch.tanh, 'nn.Tanh', []),
    ('nn.functional.leakyRelu', [], F.leaky_relu, 'nn.LeakyReLU', []),
    ('nn.functional.leakyRelu', [0.2], lambda x: F.leaky_relu(x, 0.2), 'nn.LeakyReLU', [0.2]),
    ('nn.functional.leakyRelu', [-1.5], lambda x: F.leaky_relu(x, -1.5), 'nn.LeakyReLU', [-1.5]),
    ('nn.functional.gelu', [], F.gelu, 'nn.GELU', []),
    ('nn.functional.gelu', [{'approximate': 'none'}], F.gelu, 'nn.GELU', [{'approximate': 'none'}]),
    ('nn.functional.gelu', [{'approximate': 'tanh'}], lambda x: F.gelu(x, approximate='tanh'), 'nn.GELU', [{'approximate': 'tanh'}]),
    ('nn.functional.softplus', [], F.softplus, 'nn.Softplus', []),
    ('nn.functional.softplus', [{'beta': 2, 'threshold': 5}], lambda x: F.softplus(x, beta=2, threshold=5), 'nn.Softplus',
     [{'beta': 2, 'threshold': 5}]),
    ('nn.functional.softplus', [{'beta': 0.5}], lambda x: F.softplus(x, beta=0.5), 'nn.Softplus', [{'beta': 0.5}]),
]


def gen_activations():
    for op, extra, f, mod, margs in ACTIVATIONS:
        tag = json_tag(extra)
        for shape in [(37, 13), (3, 5), (1,), (255,)]:
            stem = f'{op}.{tag}.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x'] + extra, {'x': activation_input(r, shape)}, f, f'{op}(x, {extra})', grads=('x',))
        stem = f'{mod}.{tag}.37x13'
        r = rng_for(stem)
        module_case(stem, M(mod, *margs), {'x': activation_input(r, (37, 13))})
    # softplus at and around its switch: beta·x = threshold exactly, just above and just below
    op = 'nn.functional.softplus'
    x = np.array([2.5, np.nextafter(np.float32(2.5), np.float32(3)), np.nextafter(np.float32(2.5), np.float32(2)), -2.5, 0.0],
                 np.float32)
    fn_case(f'{op}.switch-point', op, ['$x', {'beta': 2, 'threshold': 5}], {'x': x}, lambda x: F.softplus(x, beta=2, threshold=5),
            'F.softplus(x, beta=2, threshold=5)', grads=('x',))


def json_tag(extra):
    if not extra:
        return 'default'
    return '.'.join(f'{k}{v}' for k, v in extra[0].items()) if isinstance(extra[0], dict) else f'slope{extra[0]}'
