"""Parity cases of views, indexing, where / masked_fill and in-place ops (softmax-nn's Tensor.index,
indexPut_, select, narrow, permute, view, contiguous, maskedFill, where, add_ …).

Index arguments are written as the TypeScript call takes them: numbers, ':'-strings for slices
('1::2' is Python's 1::2), null for None, '...' for Ellipsis, number arrays and '$i' / '$m' for int32 /
bool index tensors. `{"$T": "x"}` and `{"$index": "x", "args": [...]}` (parity.test.ts) pass x.T and
x.index(...args), to run an op on a non-contiguous view.
"""
import math

import numpy as np
import torch

from cases_common import fn_case, normal, rng_for, dims
from cases_nn import stats_case


def _py_index(args, named):
    """The Python index tuple of the TypeScript index arguments."""
    out = []
    for a in args:
        if a is None:
            out.append(None)
        elif a == '...':
            out.append(Ellipsis)
        elif isinstance(a, str) and a.startswith('$'):
            out.append(named[a[1:]])
        elif isinstance(a, str):
            parts = [int(p) if p.strip() else None for p in a.split(':')]
            out.append(slice(*parts))
        elif isinstance(a, list):
            out.append(torch.tensor(a, dtype=torch.int64))
        else:
            out.append(a)
    return tuple(out)


def _key(args):
    return '_'.join('N' if a is None else 'E' if a == '...' else str(a).replace(':', 'c').replace(' ', '').replace('$', '')
                    for a in args).replace('[', 'L').replace(']', '').replace(',', '-') or 'none'


def gen_views():
    # basic and advanced indexing: values and gradients (duplicates accumulate)
    idx = np.array([[2, 0], [2, 2]], np.int32)
    mask35 = np.array([[True, False, True, True, False], [False, False, False, False, False], [True, True, False, False, True]])
    cases = [
        ((3, 5), [1]), ((3, 5), [-1, -2]), ((3, 5), [':', 1]), ((3, 5), ['::2', '1::3']), ((3, 5), ['3:1']),
        ((3, 5), ['-2:']), ((2, 3, 5), [None, '...', 2]), ((2, 3, 5), ['...', None]), ((2, 3, 5), [1, None, '1:', '::2']),
        ((3, 5), [[2, 0, 2]]), ((3, 5), [':', [4, 4, 0]]), ((2, 3, 5), [[0, 1], ':', [1, 4]]),
        ((2, 3, 5), [':', [0, 2], [1, 1]]), ((2, 3, 5), [1, ':', [3, 3, 0]]), ((3, 5), ['$i']), ((3, 5), ['$m']),
        ((3, 5), ['$m1']), ((7,), ['::3']), ((0, 4), [':', 1]), ((4, 1, 3), ['...']),
        ((3, 5), ['$m1', '1:']), ((3, 5), [[0, 1], None, [1, 2]]), ((2, 3, 5), ['...', [4, 0]]), ((3, 5), [[]]),
    ]
    for shape, args in cases:
        stem = f'index.{dims(shape)}.{_key(args)}'
        r = rng_for(stem)
        inputs = {'x': normal(r, shape)}
        named = {}
        if '$i' in args:
            inputs['i'] = idx
        if '$m' in args:
            inputs['m'] = mask35
        if '$m1' in args:
            inputs['m1'] = np.array([True, False, True])
        keys = list(inputs)

        def fn(*ts, args=args, keys=keys):
            named.update({k: t for k, t in zip(keys, ts)})
            return ts[0][_py_index(args, named)]
        fn_case(stem, 'index', ['$x', *args], inputs, fn, f'x[{args}]', grads=('x',))

    for shape, d, i in [((3, 5), 0, 1), ((3, 5), 1, -1), ((2, 3, 4), -2, 2), ((5,), 0, 4)]:
        stem = f'select.{dims(shape)}.{d}.{i}'
        fn_case(stem, 'select', ['$x', d, i], {'x': normal(rng_for(stem), shape)}, lambda x, d=d, i=i: torch.select(x, d, i),
                f'torch.select(x, {d}, {i})', grads=('x',))
    for shape, d, s, n in [((3, 5), 1, 1, 3), ((3, 5), 0, -2, 2), ((2, 3, 4), 2, 0, 0), ((7,), 0, 3, 4)]:
        stem = f'narrow.{dims(shape)}.{d}.{s}.{n}'
        fn_case(stem, 'narrow', ['$x', d, s, n], {'x': normal(rng_for(stem), shape)}, lambda x, d=d, s=s, n=n: torch.narrow(x, d, s, n),
                f'torch.narrow(x, {d}, {s}, {n})', grads=('x',))
    for shape, order in [((2, 3, 4), [2, 0, 1]), ((3, 5), [1, 0]), ((2, 3, 4), [-1, 1, 0]), ((1, 3, 1, 2), [3, 1, 2, 0])]:
        stem = f'permute.{dims(shape)}.{"_".join(map(str, order))}'
        fn_case(stem, 'permute', ['$x', order], {'x': normal(rng_for(stem), shape)}, lambda x, o=order: x.permute(*o),
                f'x.permute({order})', grads=('x',))
    for shape, new in [((3, 5), [5, 3]), ((2, 3, 4), [6, -1]), ((4,), [1, 4, 1])]:
        stem = f'view.{dims(shape)}.to.{"x".join(map(str, new))}'
        fn_case(stem, 'view', ['$x', new], {'x': normal(rng_for(stem), shape)}, lambda x, new=new: x.view(*new),
                f'x.view({new})', grads=('x',))
    stem = 'contiguous.3x5'
    fn_case(stem, 'contiguous', ['$x'], {'x': normal(rng_for(stem), (3, 5))}, lambda x: x.contiguous(), 'x.contiguous()', grads=('x',))
    # ops on non-contiguous views: a transposed matmul, and exp / a view of a column
    stem = 'matmul.T-view.5x3.5x4'
    r = rng_for(stem)
    fn_case(stem, 'matmul', [{'$T': 'x'}, '$w'], {'x': normal(r, (5, 3)), 'w': normal(r, (5, 4))}, lambda x, w: x.T.matmul(w),
            'x.T.matmul(w)', grads=('x', 'w'))
    stem = 'exp.column-view.4x3'
    fn_case(stem, 'exp', [{'$index': 'x', 'args': [':', 1]}], {'x': normal(rng_for(stem), (4, 3))}, lambda x: x[:, 1].exp(),
            'x[:, 1].exp()', grads=('x',))
    stem = 'reshape.T-view.3x5.to.15'
    fn_case(stem, 'reshape', [{'$T': 'x'}, [15]], {'x': normal(rng_for(stem), (3, 5))}, lambda x: x.T.reshape(15),
            'x.T.reshape(15)', grads=('x',))

    # where and masked_fill: broadcasting and gradients
    for cs, xs, ys in [((3, 5), (3, 5), (3, 5)), ((5,), (3, 5), (3, 1)), ((3, 1), (1, 5), ())]:
        stem = f'where.{dims(cs)}.{dims(xs)}.{dims(ys)}'
        r = rng_for(stem)
        c = normal(r, cs) > 0
        fn_case(stem, 'where', ['$c', '$x', '$y'], {'c': c, 'x': normal(r, xs), 'y': normal(r, ys)},
                lambda c, x, y: torch.where(c, x, y), 'torch.where(c, x, y)', grads=('x', 'y'))
    stem = 'Tensor.where.3x5.5'
    r = rng_for(stem)
    fn_case(stem, 'Tensor.where', ['$x', '$c', '$y'], {'x': normal(r, (3, 5)), 'c': normal(r, (3, 5)) > 0, 'y': normal(r, (5,))},
            lambda x, c, y: x.where(c, y), 'x.where(c, y)', grads=('x', 'y'))
    for xs, ms, v in [((3, 5), (3, 5), 0.0), ((3, 5), (5,), -2.5), ((2, 3, 4), (3, 1), float(1e4))]:
        stem = f'maskedFill.{dims(xs)}.{dims(ms)}.{v}'
        r = rng_for(stem)
        fn_case(stem, 'maskedFill', ['$x', '$m', v], {'x': normal(r, xs), 'm': normal(r, ms) > 0},
                lambda x, m, v=v: x.masked_fill(m, v), f'x.masked_fill(m, {v})', grads=('x',))

    # in-place ops: t (no grad) changed by o (grad flows to o), broadcasting, values written back
    for op in ['add_', 'sub_', 'mul_', 'div_']:
        for ts, os_ in [((3, 5), (3, 5)), ((3, 5), (5,)), ((2, 3, 4), (3, 1))]:
            stem = f'Tensor.{op}.{dims(ts)}.{dims(os_)}'
            r = rng_for(stem)
            o = normal(r, os_) if op != 'div_' else np.where(normal(r, os_) > 0, 1.0, -1.0).astype(np.float32) * (0.5 + np.abs(normal(r, os_)))
            fn_case(stem, f'Tensor.{op}', ['$t', '$o'], {'t': normal(r, ts), 'o': o.astype(np.float32)},
                    lambda t, o, op=op: getattr(t, op)(o), f't.{op}(o)', grads=('o',))
        stem = f'Tensor.{op}.scalar.3x5'
        fn_case(stem, f'Tensor.{op}', ['$t', 2.5], {'t': normal(rng_for(stem), (3, 5))}, lambda t, op=op: getattr(t, op)(2.5), f't.{op}(2.5)')
    stem = 'Tensor.mul_.on-T-view.3x5'
    r = rng_for(stem)
    fn_case(stem, 'Tensor.mul_', [{'$T': 't'}, '$o'], {'t': normal(r, (3, 5)), 'o': normal(r, (5, 3))}, lambda t, o: t.T.mul_(o),
            't.T.mul_(o)', grads=('o',))
    for stem, args, fn, expr in [
        ('Tensor.fill_.3x5', ['$t', -1.5], lambda t: t.fill_(-1.5), 't.fill_(-1.5)'),
        ('Tensor.zero_.3x5', ['$t'], lambda t: t.zero_(), 't.zero_()'),
    ]:
        fn_case(stem, args and stem.split('.')[0] + '.' + stem.split('.')[1], args, {'t': normal(rng_for(stem), (3, 5))}, fn, expr)
    stem = 'Tensor.fill_.column-view.3x5'
    fn_case(stem, 'Tensor.fill_', [{'$index': 't', 'args': [':', 1]}, 7], {'t': normal(rng_for(stem), (3, 5))},
            lambda t: t[:, 1].fill_(7), 't[:, 1].fill_(7)')
    for ms in [(3, 5), (5,)]:
        stem = f'Tensor.maskedFill_.3x5.{dims(ms)}'
        r = rng_for(stem)
        fn_case(stem, 'Tensor.maskedFill_', ['$t', '$m', 3], {'t': normal(r, (3, 5)), 'm': normal(r, ms) > 0},
                lambda t, m: t.masked_fill_(m, 3), 't.masked_fill_(m, 3)')
    stem = 'Tensor.copy_.broadcast.3x5.5'
    r = rng_for(stem)
    fn_case(stem, 'Tensor.copy_', ['$t', '$s'], {'t': normal(r, (3, 5)), 's': normal(r, (5,))}, lambda t, s: t.copy_(s),
            't.copy_(s)  # s broadcast, gradient to s', grads=('s',))

    # indexPut_ (x[idx] = v): numbers, slices, index arrays, masks; gradient to the value
    for shape, args, vs in [
        ((3, 5), [0, 0], None), ((3, 5), [':', 1], (3,)), ((3, 5), ['1:', '::2'], (1, 3)), ((3, 5), [[2, 0]], (5,)),
        ((3, 5), [[0, 2], [4, 1]], (2,)), ((2, 3, 4), [':', [0, 2], [1, 1]], (2, 2)), ((3, 5), ['$m'], ()),
        ((3, 5), [None, '...', -1], (3,)),
    ]:
        stem = f'indexPut_.{dims(shape)}.{_key(args)}'
        r = rng_for(stem)
        inputs = {'t': normal(r, shape)}
        if '$m' in args:
            inputs['m'] = normal(r, shape) > 0
        value = 42 if vs is None else '$v'
        if vs is not None:
            inputs['v'] = normal(r, vs)
        keys = list(inputs)

        def put(*ts, args=args, keys=keys):
            named = dict(zip(keys, ts))
            t = named['t']
            t[_py_index(args, named)] = named['v'] if 'v' in named else 42
            return t
        fn_case(stem, 'indexPut_', ['$t', args, value], inputs, put, f't[{args}] = {"v" if vs else 42}',
                grads=('v',) if vs is not None else ())

    # in-place random fills, by their statistics
    shape = [400, 500]
    stats_case('Tensor.normal_.default', 'Tensor.normal_', ['$t'], shape, 'normal', 0.0, 1.0,
               lambda: torch.empty(shape).normal_(), 't.normal_()')
    stats_case('Tensor.normal_.2-0.5', 'Tensor.normal_', ['$t', 2, 0.5], shape, 'normal', 2.0, 0.5,
               lambda: torch.empty(shape).normal_(2, 0.5), 't.normal_(2, 0.5)')
    stats_case('Tensor.uniform_.-3_2', 'Tensor.uniform_', ['$t', -3, 2], shape, 'uniform', -0.5, 5 / math.sqrt(12),
               lambda: torch.empty(shape).uniform_(-3, 2), 't.uniform_(-3, 2)', lo=-3.0, hi=2.0)
