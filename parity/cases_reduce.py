"""Parity cases for the element-wise maths (tanh … cos, sign, clamp, maximum / minimum) and the reductions
(sum / mean over dim lists, max / min, amax / amin, argmin, logsumexp, prod, var / std, norm, cumsum),
with ties, zeros, empty tensors and the error cases.

Differences handled here: int32 sums are int32 in softmax-nn (torch: int64, compared as integers); the
options of var / std are an object ({correction}, {unbiased}); p = ±inf travels as {"$float": "inf"}
(JSON has no infinity); torch.prod takes one dim, so a dim list is a chain of prods on the torch side."""

import numpy as np
import torch

from cases_common import add_case, away_from_zero, dims, fn_case, labels, normal, rng_for, uniform, to_torch

INF = {'$float': 'inf'}
NEG_INF = {'$float': '-inf'}


def ties(r, shape, step=0.5, scale=1.0):
    """Values on a coarse grid, so that maxima and minima repeat."""
    return np.asarray(np.round(normal(r, shape, scale) / step) * step, dtype=np.float32)


def dim_tag(d):
    if d is None:
        return 'all'
    if isinstance(d, list):
        return 'dims' + '_'.join(str(v) for v in d) if d else 'dims-empty'
    return f'dim{d}'


def tdim(d):
    return tuple(d) if isinstance(d, list) else d


# ---------------------------------------------------------------------------------------------------
# element-wise

def gen_unary_table():
    def halves(r, s):
        a = normal(r, s, 3.0)
        a.reshape(-1)[::3] = np.round(a.reshape(-1)[::3] * 2) / 2  # exact .5s: round is half to even
        return a

    def with_zeros(r, s):
        a = normal(r, s)
        a.reshape(-1)[::5] = 0.0
        return a

    def tiny(lo, hi):
        def make(r, s):
            a = uniform(r, s, lo, hi)
            a.reshape(-1)[::4] = uniform(r, a.reshape(-1)[::4].shape, -1e-6, 1e-6)  # where log1p/expm1 beat log/exp
            return a
        return make

    ops = {
        'tanh': (torch.tanh, lambda r, s: normal(r, s, 3.0)),
        'sign': (torch.sign, with_zeros),
        'floor': (torch.floor, halves),
        'ceil': (torch.ceil, halves),
        'round': (torch.round, halves),
        'reciprocal': (torch.reciprocal, lambda r, s: away_from_zero(r, s, 0.25, 4)),
        'rsqrt': (torch.rsqrt, lambda r, s: np.exp(uniform(r, s, -4, 4)).astype(np.float32)),
        'log1p': (torch.log1p, tiny(-0.9, 5.0)),
        'expm1': (torch.expm1, tiny(-5.0, 5.0)),
        'sin': (torch.sin, lambda r, s: uniform(r, s, -10, 10)),
        'cos': (torch.cos, lambda r, s: uniform(r, s, -10, 10)),
    }
    for op, (f, make) in ops.items():
        for shape in [(37, 13), (5,), (2, 3, 4), (0, 3)]:
            stem = f'{op}.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x'], {'x': make(r, shape)}, lambda x, f=f: f(x), f'torch.{op}(x)', grads=('x',))
    # specials: ±0, ±inf, NaN and the domain edges
    special = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 2.5, -2.5, 1e-30], np.float32)
    for op in ['tanh', 'floor', 'ceil', 'round', 'reciprocal', 'sign', 'expm1', 'sin', 'cos']:
        fn_case(f'{op}.specials', op, ['$x'], {'x': special}, lambda x, f=ops[op][0]: f(x), f'torch.{op}(x)  # specials', grads=('x',))


def gen_clamp():
    for name, lo, hi in [('both', -0.5, 0.75), ('min-only', -0.25, None), ('max-only', None, 0.3), ('min-above-max', 1.0, -1.0)]:
        for shape in [(37, 13), (5,), (0, 4)]:
            stem = f'clamp.{name}.{dims(shape)}'
            r = rng_for(stem)
            x = normal(r, shape)
            flat = x.reshape(-1)
            if flat.size:
                # values exactly on the bounds: PyTorch passes the gradient there
                if lo is not None:
                    flat[::7] = np.float32(lo)
                if hi is not None:
                    flat[3::7] = np.float32(hi)
            args = ['$x', lo] + ([hi] if hi is not None else [])
            fn_case(stem, 'clamp', args, {'x': x}, lambda x, lo=lo, hi=hi: torch.clamp(x, lo, hi),
                    f'torch.clamp(x, {lo}, {hi})', grads=('x',))


def gen_clamp_tensor():
    for name, sx, slo, shi in [('both', (37, 13), (37, 13), (13,)), ('min-only', (3, 5), (5,), None), ('max-only', (3, 1, 5), None, (4, 1)),
                               ('number-min', (3, 5), 'num', (3, 1))]:
        stem = f'clamp.tensor-{name}.{dims(sx)}'
        r = rng_for(stem)
        x = ties(r, sx)
        inputs = {'x': x}
        args = ['$x']
        grads = ['x']
        if slo == 'num':
            args.append(-0.5)
        elif slo is not None:
            inputs['lo'] = ties(r, slo) - np.float32(0.5)
            args.append('$lo')
            grads.append('lo')
        else:
            args.append(None)
        if shi is not None:
            inputs['hi'] = ties(r, shi) + np.float32(0.5)
            args.append('$hi')
            grads.append('hi')

        def tf(*ts, slo=slo, shi=shi):
            x = ts[0]
            lo = -0.5 if slo == 'num' else (ts[1] if slo is not None else None)
            hi = ts[-1] if shi is not None else None
            if slo == 'num':
                lo = torch.full_like(x, -0.5)  # torch.clamp takes Tensor? min and Tensor? max together
            return torch.clamp(x, lo, hi)
        fn_case(stem, 'clamp', args, inputs, tf, f'torch.clamp(x, {args[1]}, {args[2] if len(args) > 2 else None})  # tensor bounds',
                grads=tuple(grads))


def gen_maxmin_binary():
    for op, f in [('maximum', torch.maximum), ('minimum', torch.minimum), ('max', torch.max), ('min', torch.min)]:
        for name, sa, sb in [('same', (37, 13), (37, 13)), ('row', (37, 13), (13,)), ('3d', (3, 1, 5), (4, 1)), ('0d', (), (2, 3))]:
            if op in ('max', 'min') and name != 'row':
                continue
            stem = f'{op}.{name}.{dims(sa)}-{dims(sb)}'
            r = rng_for(stem)
            a = ties(r, sa)
            b = ties(r, sb)
            if sa == sb:
                b.reshape(-1)[::4] = a.reshape(-1)[::4]  # ties: half of the gradient each
            fn_case(stem, op, ['$a', '$b'], {'a': a, 'b': b}, lambda a, b, f=f: f(a, b), f'torch.{op}(a, b)', grads=('a', 'b'))
    a = np.array([1.0, np.nan, 2.0, -0.0, 0.0, np.inf], np.float32)
    b = np.array([np.nan, 3.0, 2.0, 0.0, -0.0, 1.0], np.float32)
    for op, f in [('maximum', torch.maximum), ('minimum', torch.minimum)]:
        fn_case(f'{op}.specials', op, ['$a', '$b'], {'a': a, 'b': b}, lambda a, b, f=f: f(a, b), f'torch.{op}(a, b)  # NaN, ±0, ties', grads=('a', 'b'))


# ---------------------------------------------------------------------------------------------------
# reductions

SHAPES = [(3, 5), (37, 13), (2, 3, 4), (5,)]


def dims_for(shape):
    out = [None, 0, -1]
    if len(shape) == 3:
        out += [[0, 2], [1, 2], [-1, 0], 1]
    if len(shape) == 2:
        out += [[0, 1], [-2]]
    return out


def gen_sum_mean_dims():
    for op in ['sum', 'mean']:
        f = getattr(torch, op)
        for shape in [(2, 3, 4), (3, 1, 5)]:
            for d in [[0, 2], [-1, 0], [1, 2], [], [0, 1, 2]]:
                for keep in [False, True]:
                    stem = f'{op}.{dim_tag(d)}{".keepdim" if keep else ""}.{dims(shape)}'
                    r = rng_for(stem)
                    fn_case(stem, op, ['$x', d, keep], {'x': normal(r, shape)}, lambda x, d=d, keep=keep, f=f: f(x, d, keep),
                            f'torch.{op}(x, {d}, keepdim={keep})', grads=('x',))
        for shape, d in [((0, 3), None), ((0, 3), 0), ((0, 3), 1), ((0,), None)]:
            stem = f'{op}.empty.{dim_tag(d)}.{dims(shape)}'
            args = ['$x'] if d is None else ['$x', d]
            fn_case(stem, op, args, {'x': np.zeros(shape, np.float32)}, lambda x, d=d, f=f: f(x) if d is None else f(x, d),
                    f'torch.{op}(x{"" if d is None else f", {d}"})  # empty', grads=('x',))
    for shape, d in [((37, 13), None), ((37, 13), 0), ((2, 3, 4), [0, 2]), ((2, 3, 4), -1), ((255,), None)]:
        stem = f'sum.int32.{dim_tag(d)}.{dims(shape)}'
        r = rng_for(stem)
        x = (labels(r, int(np.prod(shape)), 2001) - 1000).reshape(shape).astype(np.int32)
        args = ['$x'] if d is None else ['$x', d]
        fn_case(stem, 'sum', args, {'x': x}, lambda x, d=d: x.sum() if d is None else x.sum(tdim(d)),
                f'torch.sum(x{"" if d is None else f", {d}"})  # int64 in torch, int32 in softmax-nn')
    big = np.array([2**30, 2**30 - 1, 0], np.int32)
    fn_case('sum.int32.near-limit', 'sum', ['$x'], {'x': big}, lambda x: x.sum(), 'torch.sum(x)  # 2^31 - 1 still fits')


def gen_extrema():
    for op in ['amax', 'amin']:
        f = getattr(torch, op)
        for shape in SHAPES:
            for d in dims_for(shape):
                for keep in ([False, True] if d is not None else [False]):
                    stem = f'{op}.{dim_tag(d)}{".keepdim" if keep else ""}.{dims(shape)}'
                    r = rng_for(stem)
                    args = ['$x'] if d is None else ['$x', d, keep]
                    fn_case(stem, op, args, {'x': ties(r, shape)},
                            lambda x, d=d, keep=keep, f=f: f(x) if d is None else f(x, tdim(d), keep),
                            f'torch.{op}(x, {d}, keepdim={keep})  # ties share the gradient evenly', grads=('x',))
        fn_case(f'{op}.empty.dim1.0x3', op, ['$x', 1], {'x': np.zeros((0, 3), np.float32)}, lambda x, f=f: f(x, 1),
                f'torch.{op}(x, 1)  # empty result', grads=('x',))
        nan = np.array([[1.0, np.nan, 3.0], [2.0, 2.0, -1.0]], np.float32)
        fn_case(f'{op}.nan.dim1', op, ['$x', 1], {'x': nan}, lambda x, f=f: f(x, 1), f'torch.{op}(x, 1)  # NaN propagates', grads=('x',))
    for op in ['max', 'min']:
        f = getattr(torch, op)
        for shape in [(3, 5), (37, 13), (2, 3, 4), (7,)]:
            stem = f'{op}.all.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x'], {'x': ties(r, shape)}, lambda x, f=f: f(x), f'torch.{op}(x)  # ties share the gradient evenly', grads=('x',))
            for d in ([0, -1] + ([1] if len(shape) == 3 else [])):
                for keep in [False, True]:
                    stem = f'{op}.{dim_tag(d)}{".keepdim" if keep else ""}.{dims(shape)}'
                    r = rng_for(stem)
                    values_indices_case(stem, op, ['$x', d, keep], ties(r, shape), lambda x, d=d, keep=keep, f=f: f(x, d, keep),
                                        f'torch.{op}(x, {d}, keepdim={keep})  # values, indices; gradient to the index')
        values_indices_case(f'{op}.empty.dim1.0x3', op, ['$x', 1], np.zeros((0, 3), np.float32), lambda x, f=f: f(x, 1), f'torch.{op}(x, 1)  # empty')
    # sort: softmax-nn's is stable, compared with torch.sort(stable=True) where values tie; NaN sorts last.
    for shape, d, desc, tied in [((50,), -1, False, False), ((3, 5), 0, False, False), ((2, 3, 4), 1, True, False),
                                 ((4, 6), -1, False, True), ((4, 6), 1, True, True)]:
        stem = f'sort.{dim_tag(d)}{".descending" if desc else ""}{".ties" if tied else ""}.{dims(shape)}'
        r = rng_for(stem)
        x = ties(r, shape) if tied else normal(r, shape)
        values_indices_case(stem, 'sort', ['$x', d, desc], x, lambda x, d=d, desc=desc: torch.sort(x, dim=d, descending=desc, stable=True),
                            f'torch.sort(x, {d}, descending={desc}, stable=True)')
    x = normal(rng_for('sort.nan'), (2, 5))
    x[0, 1] = np.nan
    x[1, 3] = -np.inf
    values_indices_case('sort.nan-inf.dim1.2x5', 'sort', ['$x', 1], x, lambda x: torch.sort(x, dim=1, stable=True), 'torch.sort(x, 1)  # NaN last')
    for shape in [(37, 13), (3, 5), (2, 3, 4)]:
        stem = f'argmin.all.{dims(shape)}'
        r = rng_for(stem)
        fn_case(stem, 'argmin', ['$x'], {'x': ties(r, shape)}, torch.argmin, 'torch.argmin(x)  # first minimum on ties')
        for d in range(-1, len(shape)):
            for keep in [False, True]:
                stem = f'argmin.dim{d}{".keepdim" if keep else ""}.{dims(shape)}'
                r = rng_for(stem)
                fn_case(stem, 'argmin', ['$x', d, keep], {'x': ties(r, shape)}, lambda x, d=d, keep=keep: torch.argmin(x, d, keep),
                        f'torch.argmin(x, {d}, keepdim={keep})')
    x = np.array([[1, -3, -3, 2], [5, 5, 5, 5], [0, np.nan, 0, -2], [np.inf, np.inf, 7, 7]], np.float32)
    fn_case('argmin.ties-nan.dim1', 'argmin', ['$x', 1], {'x': x}, lambda x: torch.argmin(x, 1), 'torch.argmin(x, 1)')
    fn_case('argmax.dims-negative.2x3x4', 'argmax', ['$x', -2, True], {'x': ties(rng_for('argmax.neg'), (2, 3, 4))},
            lambda x: torch.argmax(x, -2, True), 'torch.argmax(x, -2, keepdim=True)')


def values_indices_case(stem, op, args, x, torch_fn, torch_expr):
    """max / min along a dim: values (with gradient) and indices; the TS side gets [values, indices]."""
    t = to_torch(x).requires_grad_(True)
    values, indices = torch_fn(t)
    r = rng_for(stem + '/grad_out')
    g = normal(r, tuple(values.shape))
    tensors = {'input.x': x, 'expected.out': values.detach().numpy().copy(), 'expected.indices': indices.to(torch.int32).numpy().copy()}
    values.backward(torch.from_numpy(g))
    tensors['grad_out'] = g
    tensors['expected.grad.x'] = t.grad.numpy().copy()
    add_case(stem, 'fn', op, args, {'grads': ['x'], 'requiresGrad': True, 'valuesIndices': True}, torch_expr, tensors)


def gen_logsumexp():
    for shape, d in [((37, 13), 1), ((37, 13), -1), ((37, 13), 0), ((2, 3, 4), [0, 2]), ((2, 3, 4), [1, 2]), ((5,), 0)]:
        for keep in [False, True]:
            stem = f'logsumexp.{dim_tag(d)}{".keepdim" if keep else ""}.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, 'logsumexp', ['$x', d, keep], {'x': normal(r, shape, 3.0)},
                    lambda x, d=d, keep=keep: torch.logsumexp(x, tdim(d), keep),
                    f'torch.logsumexp(x, {d}, keepdim={keep})', grads=('x',))
    x = (normal(rng_for('logsumexp.extremes'), (4, 6)) * 1e4).astype(np.float32)
    x[1, :] = -np.inf  # a row of -inf: -inf, gradient NaN
    x[2, ::2] = -np.inf
    x[3, 1] = np.inf
    fn_case('logsumexp.extremes.dim1', 'logsumexp', ['$x', 1], {'x': x}, lambda x: torch.logsumexp(x, 1),
            'torch.logsumexp(x, 1)  # 1e4 scale, rows of -inf and +inf', grads=('x',))
    fn_case('logsumexp.empty.dim0.0x3', 'logsumexp', ['$x', 0], {'x': np.zeros((0, 3), np.float32)}, lambda x: torch.logsumexp(x, 0),
            'torch.logsumexp(x, 0)  # -inf', grads=('x',))


def gen_prod():
    for shape in [(3, 5), (37, 13), (2, 3, 4), (7,)]:
        for d in [None, 0, -1] + ([[0, 2], 1] if len(shape) == 3 else []):
            for keep in ([False, True] if d is not None else [False]):
                stem = f'prod.{dim_tag(d)}{".keepdim" if keep else ""}.{dims(shape)}'
                r = rng_for(stem)
                x = (away_from_zero(r, shape, 0.7, 1.3) if shape != (37, 13) or d is not None else away_from_zero(r, shape, 0.97, 1.03))
                flat = x.reshape(-1)
                flat[5::11] = 0.0  # single zeros: PyTorch's gradient is exact there
                flat[6::22] = 0.0  # and some pairs of zeros
                args = ['$x'] if d is None else ['$x', d, keep]

                def tf(x, d=d, keep=keep):
                    if d is None:
                        return torch.prod(x)
                    if isinstance(d, list):
                        y = x
                        for k in sorted([v % x.dim() for v in d], reverse=True):
                            y = torch.prod(y, k, keepdim=keep)
                        return y
                    return torch.prod(x, d, keep)
                fn_case(stem, 'prod', args, {'x': x}, tf, f'torch.prod(x, {d}, keepdim={keep})', grads=('x',))
    fn_case('prod.empty.0x3', 'prod', ['$x'], {'x': np.zeros((0, 3), np.float32)}, torch.prod, 'torch.prod(x)  # 1', grads=('x',))


def gen_var_std():
    variants = [
        ('default', [], lambda f, x: f(x)),
        ('dim1', [1], lambda f, x: f(x, 1)),
        ('dim1.keepdim', [1, {'keepdim': True}], lambda f, x: f(x, 1, keepdim=True)),
        ('dim1.unbiased-false.keepdim', [1, False, True], lambda f, x: f(x, 1, False, True)),  # PyTorch's positional order
        ('dim0.correction0', [0, {'correction': 0}], lambda f, x: f(x, 0, correction=0)),
        ('unbiased-false', [{'unbiased': False}], lambda f, x: f(x, unbiased=False)),
        ('dim-1.unbiased-true', [-1, {'unbiased': True}], lambda f, x: f(x, -1, unbiased=True)),
        ('dims.keepdim.correction2', [[0, -1], {'keepdim': True, 'correction': 2}], lambda f, x: f(x, (0, -1), correction=2, keepdim=True)),
    ]
    for op in ['var', 'std']:
        f = getattr(torch, op)
        for shape in [(3, 5), (37, 13), (2, 3, 4)]:
            for name, args, call in variants:
                stem = f'{op}.{name}.{dims(shape)}'
                r = rng_for(stem)
                x = normal(r, shape, 2.0, 1.0)
                x[0] = 1.5  # a constant slice: std 0, where PyTorch's std gradient is 0
                fn_case(stem, op, ['$x', *args], {'x': x}, lambda x, call=call, f=f: call(f, x), f'torch.{op}(x, {args})', grads=('x',),
                        scale_ref=None)
        fn_case(f'{op}.single.dim0.1x5', op, ['$x', 0], {'x': normal(rng_for(f'{op}.single'), (1, 5))}, lambda x, f=f: f(x, 0),
                f'torch.{op}(x, 0)  # N - 1 = 0: nan', grads=('x',))
        fn_case(f'{op}.empty.0x3', op, ['$x'], {'x': np.zeros((0, 3), np.float32)}, lambda x, f=f: f(x), f'torch.{op}(x)  # nan', grads=('x',))


def gen_norm():
    for p in [2, 1, 3, 0.5, 'inf', '-inf', 'fro']:
        pj = INF if p == 'inf' else NEG_INF if p == '-inf' else p
        pt = float(p) if p in ('inf', '-inf') else p
        for shape, d in [((37, 13), None), ((37, 13), 1), ((2, 3, 4), [0, 2]), ((5,), 0), ((3, 5), -1)]:
            if p == 'fro' and d is not None and not isinstance(d, list):
                continue
            for keep in ([False, True] if d is not None else [False]):
                stem = f'norm.p{p}.{dim_tag(d)}{".keepdim" if keep else ""}.{dims(shape)}'
                r = rng_for(stem)
                x = ties(r, shape, 0.25)
                if len(shape) == 2:
                    x[0] = 0.0  # a zero row: PyTorch's gradient is 0 there
                args = ['$x', pj] + ([] if d is None else [d, keep])
                fn_case(stem, 'norm', args, {'x': x}, lambda x, pt=pt, d=d, keep=keep: torch.norm(x, pt, tdim(d), keep),
                        f'torch.norm(x, {p}, {d}, keepdim={keep})', grads=('x',))
    fn_case('norm.default.3x5', 'norm', ['$x'], {'x': normal(rng_for('norm.default'), (3, 5))}, torch.norm, 'torch.norm(x)', grads=('x',))
    fn_case('norm.empty.0x3', 'norm', ['$x'], {'x': np.zeros((0, 3), np.float32)}, torch.norm, 'torch.norm(x)  # 0', grads=('x',))
    z = np.zeros((2, 3), np.float32)
    fn_case('norm.zeros.2x3', 'norm', ['$x'], {'x': z}, torch.norm, 'torch.norm(x)  # gradient 0, not nan', grads=('x',))


def gen_cumsum():
    for shape in [(37, 13), (2, 3, 4), (5,), (1, 1)]:
        for d in range(-1, len(shape)):
            stem = f'cumsum.dim{d}.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, 'cumsum', ['$x', d], {'x': normal(r, shape)}, lambda x, d=d: torch.cumsum(x, d), f'torch.cumsum(x, {d})', grads=('x',))
    x = np.array([1e8, 1.0, -1e8, 3.0, 0.5], np.float32)
    fn_case('cumsum.cancel.5', 'cumsum', ['$x', 0], {'x': x}, lambda x: torch.cumsum(x, 0), 'torch.cumsum(x, 0)  # double accumulator', grads=('x',))
    fn_case('cumsum.empty.0x3', 'cumsum', ['$x', 0], {'x': np.zeros((0, 3), np.float32)}, lambda x: torch.cumsum(x, 0), 'torch.cumsum(x, 0)', grads=('x',))


# ---------------------------------------------------------------------------------------------------
# errors: torch raises; softmax-nn must throw a message containing `contains`

def error_case(stem, op, args, inputs, torch_fn, contains):
    try:
        torch_fn(*[to_torch(a) for a in inputs.values()])
    except Exception as e:  # noqa: BLE001 - any torch error is what we record
        msg = f'{type(e).__name__}: {e}'
    else:
        raise AssertionError(f'{stem}: torch accepted the call')
    add_case(stem, 'error', op, args, {'contains': contains}, msg.split('\n')[0], {f'input.{k}': a for k, a in inputs.items()})


def gen_errors():
    x23 = {'x': np.zeros((2, 3), np.float32)}
    e03 = {'x': np.zeros((0, 3), np.float32)}
    error_case('amax.error.dim-out-of-range', 'amax', ['$x', 3], x23, lambda x: torch.amax(x, 3),
               ['amax: dim 3 is out of range for a tensor of shape [2, 3]'])
    error_case('sum.error.dim-out-of-range', 'sum', ['$x', -3], x23, lambda x: torch.sum(x, -3),
               ['sum: dim -3 is out of range for a tensor of shape [2, 3]'])
    error_case('sum.error.repeated-dim', 'sum', ['$x', [0, -2]], x23, lambda x: torch.sum(x, (0, -2)),
               ['dim 0 appears multiple times in the list of dims'])
    error_case('max.error.empty', 'max', ['$x'], e03, torch.max,
               ['max(): Expected reduction dim to be specified for input.numel() == 0'])
    error_case('max.error.empty-dim', 'max', ['$x', 0], e03, lambda x: torch.max(x, 0),
               ['max(): Expected reduction dim 0 to have non-zero size'])
    error_case('min.error.empty', 'min', ['$x'], e03, torch.min,
               ['min(): Expected reduction dim to be specified for input.numel() == 0'])
    error_case('amax.error.empty', 'amax', ['$x'], e03, torch.amax,
               ['amax(): Expected reduction dim to be specified for input.numel() == 0'])
    error_case('amin.error.empty-dim', 'amin', ['$x', 0], e03, lambda x: torch.amin(x, 0),
               ['amin(): Expected reduction dim 0 to have non-zero size'])
    error_case('argmin.error.empty', 'argmin', ['$x'], e03, torch.argmin,
               ['argmin(): Expected reduction dim to be specified for input.numel() == 0'])
    error_case('argmax.error.empty-dim', 'argmax', ['$x', 0], e03, lambda x: torch.argmax(x, 0),
               ['argmax(): Expected reduction dim 0 to have non-zero size'])
    error_case('mean.error.int', 'mean', ['$x'], {'x': np.array([1, 2], np.int32)}, torch.mean,
               ['mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Int'])
    error_case('clamp.error.no-bounds', 'clamp', ['$x'], x23, torch.clamp, ["clamp: At least one of 'min' or 'max' must not be None"])
    error_case('maximum.error.shapes', 'maximum', ['$a', '$b'], {'a': np.zeros(3, np.float32), 'b': np.zeros(4, np.float32)},
               torch.maximum, ['maximum', '[3]', '[4]'])
    error_case('cumsum.error.dim', 'cumsum', ['$x', 2], x23, lambda x: torch.cumsum(x, 2),
               ['cumsum: dim 2 is out of range for a tensor of shape [2, 3]'])
    error_case('logsumexp.error.no-dim', 'logsumexp', ['$x'], x23, lambda x: torch.logsumexp(x),
               ['logsumexp: dim is required'])


def gen_reduce_more():
    for gen in [gen_unary_table, gen_clamp, gen_clamp_tensor, gen_maxmin_binary, gen_sum_mean_dims, gen_extrema, gen_logsumexp, gen_prod, gen_var_std,
                gen_norm, gen_cumsum, gen_errors]:
        gen()
