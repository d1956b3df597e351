"""Parity cases for cross-entropy's options beyond label smoothing alone: class weights, ignoreIndex
(in range, the default -100, every target ignored), probability targets, label smoothing with each of
them, [C] and [N, C, d...] inputs, every reduction, at odd sizes; values and gradients, and the calls both
sides refuse."""

import numpy as np
import torch
import torch.nn.functional as F

from cases_bool import error_case
from cases_common import M, fn_case, labels, module_case, normal, rng_for, uniform

REDUCTIONS = ['none', 'mean', 'sum']
OP = 'nn.functional.crossEntropy'


def scalar(red):
    return 0.75 if red != 'none' else None


def probabilities(r, shape):
    """Soft labels: a softmax along dim 1 of normal draws (rows sum to 1)."""
    z = normal(r, shape, 2.0)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def long_target(t):
    return t.long() if t.dtype == torch.int32 or t.dtype == torch.int64 else t


def ce_case(stem, inputs, opts, grads=('x',), red='mean'):
    """F.cross_entropy(x, y, **opts) with '$w' as the weight when inputs has 'w'."""
    kw = {'reduction': opts.get('reduction', 'mean'), 'label_smoothing': opts.get('labelSmoothing', 0.0),
          'ignore_index': opts.get('ignoreIndex', -100)}
    ts_opts = dict(opts)
    if 'w' in inputs:
        ts_opts['weight'] = '$w'

    def run(x, y, *w, kw=kw):
        return F.cross_entropy(x, long_target(y), weight=w[0] if w else None, **kw)
    args = ['$x', '$y', ts_opts] if ts_opts else ['$x', '$y']
    fn_case(stem, OP, args, inputs, run, f'F.cross_entropy(x, y, weight={"w" if "w" in inputs else None}, {kw})',
            grads=grads, scalar_grad=scalar(red))


def gen_cross_entropy_options():
    for n, c in [(7, 5), (37, 13), (1, 2)]:
        size = f'{n}x{c}'
        for red in REDUCTIONS:
            for ls in [0.0, 0.2]:
                tag = f'{size}.{red}.ls{ls}'
                # weight
                stem = f'{OP}.weight.{tag}'
                r = rng_for(stem)
                ce_case(stem, {'x': normal(r, (n, c), 3.0), 'y': labels(r, n, c), 'w': uniform(r, (c,), 0.1, 3.0)},
                        {'reduction': red, 'labelSmoothing': ls}, red=red)
                # the default ignoreIndex (-100) on some rows, without and with weight
                for weighted in [False, True]:
                    stem = f'{OP}.ignore-default{".weight" if weighted else ""}.{tag}'
                    r = rng_for(stem)
                    y = labels(r, n, c)
                    y[1::3] = -100
                    inputs = {'x': normal(r, (n, c), 3.0), 'y': y}
                    if weighted:
                        inputs['w'] = uniform(r, (c,), 0.1, 3.0)
                    ce_case(stem, inputs, {'reduction': red, 'labelSmoothing': ls}, red=red)
                # an ignoreIndex that is a class, without and with weight
                for weighted in [False, True]:
                    stem = f'{OP}.ignore-class{".weight" if weighted else ""}.{tag}'
                    r = rng_for(stem)
                    y = labels(r, n, c)
                    y[::2] = c - 1
                    inputs = {'x': normal(r, (n, c), 3.0), 'y': y}
                    if weighted:
                        inputs['w'] = uniform(r, (c,), 0.1, 3.0)
                    ce_case(stem, inputs, {'reduction': red, 'labelSmoothing': ls, 'ignoreIndex': c - 1}, red=red)
                # probability targets, without and with weight; the target gets its gradient too
                for weighted in [False, True]:
                    stem = f'{OP}.probs{".weight" if weighted else ""}.{tag}'
                    r = rng_for(stem)
                    inputs = {'x': normal(r, (n, c), 3.0), 'y': probabilities(r, (n, c))}
                    if weighted:
                        inputs['w'] = uniform(r, (c,), 0.1, 3.0)
                    ce_case(stem, inputs, {'reduction': red, 'labelSmoothing': ls}, grads=('x', 'y'), red=red)
    # every target ignored: NaN for 'mean' (0/0) with a zero gradient, 0 for 'sum'
    for red in ['mean', 'sum']:
        for ls in [0.0, 0.3]:
            for weighted in [False, True]:
                stem = f'{OP}.all-ignored{".weight" if weighted else ""}.7x5.{red}.ls{ls}'
                r = rng_for(stem)
                inputs = {'x': normal(r, (7, 5), 3.0), 'y': np.full(7, -100, np.int32)}
                if weighted:
                    inputs['w'] = uniform(r, (5,), 0.1, 3.0)
                ce_case(stem, inputs, {'reduction': red, 'labelSmoothing': ls}, red=red)
    # -inf logits: an ignored row's -inf target logit contributes nothing; probability 0 on a -inf logit is NaN
    stem = f'{OP}.neginf-ignored.7x5.mean.ls0.1'
    r = rng_for(stem)
    x = normal(r, (7, 5), 3.0)
    x[2, :3] = -np.inf
    y = labels(r, 7, 5)
    y[2] = 1
    ce_case(stem, {'x': x, 'y': y, 'w': uniform(r, (5,), 0.1, 3.0)}, {'labelSmoothing': 0.1, 'ignoreIndex': 1})
    # [N, C, d1, ...] and [C] inputs
    for red in REDUCTIONS:
        stem = f'{OP}.nd.3x5x4.{red}.weight-ignore-ls0.1'
        r = rng_for(stem)
        y = r.randint(0, 5, size=(3, 4)).astype(np.int32)
        y[0, ::2] = -100
        ce_case(stem, {'x': normal(r, (3, 5, 4), 3.0), 'y': y, 'w': uniform(r, (5,), 0.1, 3.0)},
                {'reduction': red, 'labelSmoothing': 0.1}, red=red)
        stem = f'{OP}.nd.2x5x2x3.{red}.default'
        r = rng_for(stem)
        ce_case(stem, {'x': normal(r, (2, 5, 2, 3), 3.0), 'y': r.randint(0, 5, size=(2, 2, 3)).astype(np.int32)},
                {'reduction': red}, red=red)
        stem = f'{OP}.nd-probs.3x5x4.{red}.weight-ls0.2'
        r = rng_for(stem)
        ce_case(stem, {'x': normal(r, (3, 5, 4), 3.0), 'y': probabilities(r, (3, 5, 4)), 'w': uniform(r, (5,), 0.1, 3.0)},
                {'reduction': red, 'labelSmoothing': 0.2}, grads=('x', 'y'), red=red)
        stem = f'{OP}.unbatched.5.{red}.weight'
        r = rng_for(stem)
        ce_case(stem, {'x': normal(r, (5,), 3.0), 'y': np.array(3, np.int32), 'w': uniform(r, (5,), 0.1, 3.0)},
                {'reduction': red}, red=red)
        stem = f'{OP}.unbatched-probs.5.{red}.ls0.1'
        r = rng_for(stem)
        ce_case(stem, {'x': normal(r, (5,), 3.0), 'y': probabilities(r, (1, 5))[0]},
                {'reduction': red, 'labelSmoothing': 0.1}, grads=('x', 'y'), red=red)
    # the module: ignoreIndex and label smoothing, probability targets (weight: the fn cases above)
    for red in REDUCTIONS:
        stem = f'nn.CrossEntropyLoss.ignore.7x5.{red}.ls0.2'
        r = rng_for(stem)
        y = labels(r, 7, 5)
        y[::3] = 2
        module_case(stem, M('nn.CrossEntropyLoss', {'reduction': red, 'labelSmoothing': 0.2, 'ignoreIndex': 2}),
                    {'x': normal(r, (7, 5), 3.0), 'y': y}, scalar_grad=scalar(red))
        stem = f'nn.CrossEntropyLoss.probs.7x5.{red}'
        r = rng_for(stem)
        module_case(stem, M('nn.CrossEntropyLoss', {'reduction': red}), {'x': normal(r, (7, 5), 3.0), 'y': probabilities(r, (7, 5))},
                    grads=('x', 'y'), scalar_grad=scalar(red))
    gen_errors()


def gen_errors():
    x = np.zeros((3, 5), np.float32)
    soft = np.full((3, 5), 0.2, np.float32)

    def ce(**kw):
        return lambda x, y, *w: F.cross_entropy(x, long_target(y), weight=w[0] if w else None, **kw)

    def as_runtime_error(f):
        def call(*a):
            try:
                return f(*a)
            except (ValueError, IndexError) as e:
                raise RuntimeError(str(e)) from e
        return call
    error_case(f'{OP}.error.target-out-of-range', OP, ['$x', '$y'], {'x': x, 'y': np.array([0, 5, 1], np.int32)},
               as_runtime_error(ce()), 'F.cross_entropy(x, y)', 'label 5 at index 1 is outside [0, 5)')
    error_case(f'{OP}.error.target-negative-not-ignored', OP, ['$x', '$y', {'ignoreIndex': -1}],
               {'x': x, 'y': np.array([0, -1, -100], np.int32)},
               as_runtime_error(ce(ignore_index=-1)), 'F.cross_entropy(x, y, ignore_index=-1)',
               'label -100 at index 2 is outside [0, 5) and is not ignoreIndex (-1)')
    error_case(f'{OP}.error.weight-length', OP, ['$x', '$y', {'weight': '$w'}],
               {'x': x, 'y': np.array([0, 1, 2], np.int32), 'w': np.ones(4, np.float32)},
               ce(), 'F.cross_entropy(x, y, weight=w)', 'weight must have shape [5] (one per class), got [4]')
    error_case(f'{OP}.error.weight-2d', OP, ['$x', '$y', {'weight': '$w'}],
               {'x': x, 'y': np.array([0, 1, 2], np.int32), 'w': np.ones((5, 1), np.float32)},
               ce(), 'F.cross_entropy(x, y, weight=w)', 'weight must have shape [5] (one per class), got [5, 1]')
    error_case(f'{OP}.error.weight-probs-length', OP, ['$x', '$y', {'weight': '$w'}],
               {'x': x, 'y': soft, 'w': np.ones(4, np.float32)},
               ce(), 'F.cross_entropy(x, y, weight=w)  # probability targets', 'weight must have shape [5] (one per class), got [4]')
    error_case(f'{OP}.error.probs-ignore-index', OP, ['$x', '$y', {'ignoreIndex': 0}], {'x': x, 'y': soft},
               ce(ignore_index=0), 'F.cross_entropy(x, y, ignore_index=0)  # probability targets',
               'ignoreIndex is not supported with probability targets')
    error_case(f'{OP}.error.probs-shape', OP, ['$x', '$y'], {'x': x, 'y': np.full((3, 4), 0.25, np.float32)},
               ce(), 'F.cross_entropy(x, y)  # float target of another shape',
               "a float32 target holds class probabilities and must have the input's shape [3, 5]")
    error_case(f'{OP}.error.label-smoothing', OP, ['$x', '$y', {'labelSmoothing': 1.5}], {'x': x, 'y': soft},
               ce(label_smoothing=1.5), 'F.cross_entropy(x, y, label_smoothing=1.5)', 'labelSmoothing must be in [0, 1], got 1.5')
    error_case(f'{OP}.error.nd-target-shape', OP, ['$x', '$y'],
               {'x': np.zeros((2, 5, 3), np.float32), 'y': np.zeros((2, 4), np.int32)},
               ce(), 'F.cross_entropy(x, y)  # [2, 5, 3] against [2, 4]', 'target must have shape [2, 3] to match input [2, 5, 3], got [2, 4]')
