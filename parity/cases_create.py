"""Creation, joins, gathers: eye / linspace / arange / full / *Like against torch; randint, randperm,
normal, randnLike and randLike by statistics; cat / stack / split / chunk / unbind / repeat / flip, gather /
scatter / scatterAdd / indexSelect and oneHot with their gradients; and the calls both libraries refuse.

Kinds added here: `fn` cases whose op returns a list of tensors (split, chunk, unbind: spec.outputs pieces,
`expected.out.<k>`, `grad_out.<k>`), and `error` cases: the TypeScript call must throw a message
containing spec.message, and torch raises too (its message in spec.torchMessage)."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from cases_common import add_case, dims, fn_case, labels, normal, rng_for, to_np, to_torch
from cases_nn import stats_case

I32 = {'dtype': 'int32'}
F32 = {'dtype': 'float32'}


def multi_case(stem, op, args, inputs, torch_fn, torch_expr, grads=()):
    """An op returning a list of tensors (split, chunk): every piece, and the input gradients after a
    backward through each piece with its own grad_out.<k>."""
    r = rng_for(stem + '/grad_out')
    t_in = {}
    for k, a in inputs.items():
        t = to_torch(a)
        if k in grads:
            t.requires_grad_(True)
        t_in[k] = t
    outs = torch_fn(*t_in.values())
    tensors = {f'input.{k}': a for k, a in inputs.items()}
    for i, o in enumerate(outs):
        tensors[f'expected.out.{i}'] = to_np(o)
    spec = {'grads': list(grads), 'requiresGrad': bool(outs[0].requires_grad), 'outputs': len(outs)}
    if grads:
        gs = [normal(r, tuple(o.shape)) for o in outs]
        torch.autograd.backward(list(outs), [torch.from_numpy(g) for g in gs])
        for i, g in enumerate(gs):
            tensors[f'grad_out.{i}'] = g
        for k in grads:
            tensors[f'expected.grad.{k}'] = to_np(t_in[k].grad)
    add_case(stem, 'fn', op, args, spec, torch_expr, tensors)


def error_case(stem, op, args, inputs, torch_fn, torch_expr, message):
    """Both refuse: torch raises, and softmax-nn throws a message containing `message`."""
    t_in = {k: to_torch(a) for k, a in inputs.items()}
    try:
        torch_fn(*t_in.values())
    except (RuntimeError, ValueError, IndexError, TypeError) as e:
        torch_message = str(e).split('\n')[0]
    else:
        raise AssertionError(f'{stem}: torch accepts {torch_expr}')
    add_case(stem, 'error', op, args, {'message': message, 'torchMessage': torch_message}, torch_expr,
             {f'input.{k}': a for k, a in inputs.items()})


def gen_filled():
    for args in [[3, 5], [2, 3, 4], [7]]:
        for op, f in [('zeros', torch.zeros), ('ones', torch.ones)]:
            fn_case(f'{op}.variadic.{dims(args)}', op, args, {}, lambda f=f, args=args: f(*args), f'torch.{op}({", ".join(map(str, args))})')
    fn_case('zeros.variadic.int32.2x3', 'zeros', [2, 3, I32], {}, lambda: torch.zeros(2, 3, dtype=torch.int32), 'torch.zeros(2, 3, dtype=torch.int32)')
    fn_case('zeros.empty.0x3', 'zeros', [[0, 3]], {}, lambda: torch.zeros(0, 3), 'torch.zeros(0, 3)')
    fn_case('full.variadic.2x3', 'full', [2, 3, 7.5], {}, lambda: torch.full((2, 3), 7.5), 'torch.full((2, 3), 7.5)')
    r = rng_for('fullLike')
    x = normal(r, (37, 13))
    fn_case('fullLike.37x13', 'fullLike', ['$x', -2.25], {'x': x}, lambda x: torch.full_like(x, -2.25), 'torch.full_like(x, -2.25)')
    fn_case('fullLike.int32.255', 'fullLike', ['$x', 7], {'x': labels(r, 255, 10)}, lambda x: torch.full_like(x, 7).to(torch.int32),
            'torch.full_like(labels, 7)')
    fn_case('zerosLike.to-int32.37x13', 'zerosLike', ['$x', I32], {'x': x}, lambda x: torch.zeros_like(x, dtype=torch.int32),
            'torch.zeros_like(x, dtype=torch.int32)')
    fn_case('onesLike.requires-grad.3x5', 'onesLike', ['$x', {'requiresGrad': True}], {'x': x[:3, :5].copy()},
            lambda x: torch.ones_like(x, requires_grad=True), 'torch.ones_like(x, requires_grad=True)')
    for args in [[3], [2, 5], [5, 2], [0], [1], [13, 13]]:
        fn_case(f'eye.{"_".join(map(str, args))}', 'eye', args, {}, lambda args=args: torch.eye(*args), f'torch.eye({", ".join(map(str, args))})')
    fn_case('eye.int32.3_4', 'eye', [3, 4, I32], {}, lambda: torch.eye(3, 4, dtype=torch.int32), 'torch.eye(3, 4, dtype=torch.int32)')
    for args in [[0, 1, 7], [-5, 5, 11], [0, 1, 1], [0, 1, 0], [2.5, -3.1, 37], [-1, 1, 255], [1e-3, 1e3, 13]]:
        fn_case(f'linspace.{"_".join(map(str, args))}', 'linspace', args, {}, lambda args=args: torch.linspace(*args),
                f'torch.linspace({", ".join(map(str, args))})')
    # arange: int32 when every argument is an integer (torch: int64), float32 otherwise
    for args in [[5], [1, 4], [0, -3, -1], [0, 10, 3], [0, 0], [-7, 8, 5], [0, 1, 0.1], [1.5, 7, 0.5], [-3.3, 4.4, 0.7],
                 [0, 2.5], [10, 0, -1.5]]:
        fn_case(f'arange.infer.{"_".join(map(str, args))}', 'arange', args, {}, lambda args=args: torch.arange(*args),
                f'torch.arange({", ".join(map(str, args))})')
    fn_case('arange.float32.1_4', 'arange', [1, 4, F32], {}, lambda: torch.arange(1, 4, dtype=torch.float32), 'torch.arange(1, 4, dtype=torch.float32)')


def gen_random():
    shape = [400, 500]
    stats_case('normal.2.5_3.400x500', 'normal', [2.5, 3, shape], shape, 'normal', 2.5, 3.0,
               lambda: torch.normal(2.5, 3.0, size=tuple(shape)), 'torch.normal(2.5, 3, size=(400, 500))', target='$result')
    stats_case('normal.-1_0.01.400x500', 'normal', [-1, 0.01, shape], shape, 'normal', -1.0, 0.01,
               lambda: torch.normal(-1.0, 0.01, size=tuple(shape)), 'torch.normal(-1, 0.01, size=(400, 500))', target='$result')
    # randint over [low, high): a discrete uniform, mean (low + high − 1)/2, std √((span² − 1)/12)
    for lo, hi in [(-3, 7), (0, 1000), (5, 6)]:
        span = hi - lo
        args = [lo, hi, shape] if lo != 0 else [hi, shape]
        stats_case(f'randint.{lo}_{hi}.400x500', 'randint', args, shape, 'uniform', (lo + hi - 1) / 2, math.sqrt((span * span - 1) / 12),
                   lambda lo=lo, hi=hi: torch.randint(lo, hi, tuple(shape)).double(), f'torch.randint({lo}, {hi}, (400, 500))',
                   lo=float(lo), hi=float(hi - 1), target='$result')
    n = 200000
    stats_case(f'randperm.{n}', 'randperm', [n], [n], 'uniform', (n - 1) / 2, math.sqrt((n * n - 1) / 12),
               lambda: torch.randperm(n).double(), f'torch.randperm({n})', lo=0.0, hi=float(n - 1), target='$result')
    stats_case('randnLike.400x500', 'randnLike', ['$like'], shape, 'normal', 0.0, 1.0, lambda: torch.randn_like(torch.empty(shape)),
               'torch.randn_like(x)', target='$like')
    stats_case('randLike.400x500', 'randLike', ['$like'], shape, 'uniform', 0.5, 1 / math.sqrt(12), lambda: torch.rand_like(torch.empty(shape)),
               'torch.rand_like(x)', lo=0.0, hi=1.0, target='$like')


def gen_joins():
    for op in ['cat', 'concat']:
        for shapes, d in ([[(3, 5), (3, 2)], 1], [[(2, 3), (4, 3), (1, 3)], 0], [[(2, 3, 4), (2, 3, 1), (2, 3, 5)], -1],
                          [[(3, 0), (3, 4)], 1], [[(37, 13), (37, 13)], -2], [[(5,)], 0]) if op == 'cat' else ([[(3, 5), (3, 2)], 1],):
            stem = f'{op}.{"+".join(dims(s) for s in shapes)}.dim{d}'
            r = rng_for(stem)
            ins = {f'x{i}': normal(r, s) for i, s in enumerate(shapes)}
            fn_case(stem, op, [[f'$x{i}' for i in range(len(shapes))], d], ins, lambda *xs, d=d: torch.cat(xs, d),
                    f'torch.cat(xs, {d})', grads=tuple(ins))
    r = rng_for('cat.legacy-empty')
    fn_case('cat.legacy-empty.0+3x5', 'cat', [['$e', '$x'], 0], {'e': np.zeros((0,), np.float32), 'x': normal(r, (3, 5))},
            lambda e, x: torch.cat([e, x], 0), 'torch.cat([torch.tensor([]), x])', grads=('x',))
    r = rng_for('cat.int32')
    fn_case('cat.int32.4+3', 'cat', [['$a', '$b']], {'a': labels(r, 4, 10), 'b': labels(r, 3, 10)},
            lambda a, b: torch.cat([a, b]).to(torch.int32), 'torch.cat([a, b])')
    for shape, n, d in [((2, 3), 3, 0), ((2, 3), 3, 1), ((2, 3), 2, -1), ((5,), 4, 1), ((), 5, 0), ((0, 3), 2, 1)]:
        stem = f'stack.{n}x{dims(shape)}.dim{d}'
        r = rng_for(stem)
        ins = {f'x{i}': normal(r, shape) for i in range(n)}
        fn_case(stem, 'stack', [[f'$x{i}' for i in range(n)], d], ins, lambda *xs, d=d: torch.stack(xs, d),
                f'torch.stack(xs, {d})', grads=tuple(ins))
    for shape, arg, d in [((5, 3), 2, 0), ((2, 5), [1, 3, 1], -1), ((7,), 3, 0), ((4, 6), 6, 1), ((4, 6), [0, 4, 0], 0), ((0, 3), 2, 0)]:
        stem = f'split.{dims(shape)}.{arg if isinstance(arg, int) else "_".join(map(str, arg))}.dim{d}'
        r = rng_for(stem)
        multi_case(stem, 'split', ['$x', arg, d], {'x': normal(r, shape)}, lambda x, arg=arg, d=d: torch.split(x, arg, d),
                   f'torch.split(x, {arg}, {d})', grads=('x',))
    for shape, d in [((3, 5), None), ((3, 5), 1), ((2, 3, 4), -1), ((4,), 0), ((0, 3), 1)]:
        stem = f'unbind.{dims(shape)}.dim{d if d is not None else "default"}'
        args = ['$x'] if d is None else ['$x', d]
        multi_case(stem, 'unbind', args, {'x': normal(rng_for(stem), shape)}, lambda x, d=d: torch.unbind(x, 0 if d is None else d),
                   f'torch.unbind(x, {0 if d is None else d})', grads=('x',))
    for shape, n, d in [((5,), 3, 0), ((6,), 4, 0), ((3, 7), 2, 1), ((3, 7), 7, -1), ((2, 3), 5, 0), ((0, 3), 2, 0), ((37, 13), 3, 0)]:
        stem = f'chunk.{dims(shape)}.{n}.dim{d}'
        r = rng_for(stem)
        multi_case(stem, 'chunk', ['$x', n, d], {'x': normal(r, shape)}, lambda x, n=n, d=d: torch.chunk(x, n, d),
                   f'torch.chunk(x, {n}, {d})', grads=('x',))
    for shape, reps in [((2, 3), [2, 2]), ((3,), [2, 1, 2]), ((2, 1, 3), [1, 4, 1]), ((2, 3), [1, 1]), ((3, 2), [0, 2]), ((5,), [3])]:
        stem = f'repeat.{dims(shape)}.{"_".join(map(str, reps))}'
        r = rng_for(stem)
        fn_case(stem, 'repeat', ['$x', reps], {'x': normal(r, shape)}, lambda x, reps=reps: x.repeat(*reps), f'x.repeat({reps})', grads=('x',))
    # repeat_interleave: a count for every entry, one broadcast count, a tensor of counts, no dim (flattened);
    # int32 input as d2l's masked_softmax repeats its valid lengths.
    for shape, reps, d in [((2, 3), 2, 0), ((2, 3), [1, 0, 3], 1), ((3, 2), [2], -1), ((2, 3), 3, None), ((2, 2, 3), [2, 1], 1), ((2, 3), 0, 1)]:
        stem = f'repeatInterleave.{dims(shape)}.{reps if isinstance(reps, int) else "t" + "_".join(map(str, reps))}.dim{d}'
        r = rng_for(stem)
        ins = {'x': normal(r, shape)}
        if not isinstance(reps, int):
            ins['r'] = np.array(reps, np.int32)
        args = ['$x', reps if isinstance(reps, int) else '$r'] + ([] if d is None else [d])
        if isinstance(reps, int):
            f = lambda x, reps=reps, d=d: torch.repeat_interleave(x, reps) if d is None else torch.repeat_interleave(x, reps, d)
        else:
            f = lambda x, rt, d=d: torch.repeat_interleave(x, rt, d)
        fn_case(stem, 'repeatInterleave', args, ins, f, f'torch.repeat_interleave(x, {reps}, {d})', grads=('x',))
    fn_case('repeatInterleave.int32.t2_3.dim0', 'repeatInterleave', ['$x', '$r', 0],
            {'x': np.array([2, 3], np.int32), 'r': np.array([2, 3], np.int32)},
            lambda x, rt: torch.repeat_interleave(x, rt, 0), 'torch.repeat_interleave(tensor([2, 3]), tensor([2, 3]), 0)')
    for shape, fd in [((2, 3, 4), [0, 2]), ((2, 3, 4), [-1]), ((5,), [0]), ((37, 13), [1, 0]), ((2, 3), [])]:
        stem = f'flip.{dims(shape)}.{"_".join(map(str, fd)) or "none"}'
        r = rng_for(stem)
        fn_case(stem, 'flip', ['$x', fd], {'x': normal(r, shape)}, lambda x, fd=fd: torch.flip(x, fd), f'torch.flip(x, {fd})', grads=('x',))
    r = rng_for('flip.int32')
    fn_case('flip.int32.3x4', 'flip', ['$x', [1]], {'x': labels(r, 12, 10).reshape(3, 4)}, lambda x: torch.flip(x, [1]).to(torch.int32),
            'torch.flip(x, [1])')


def gen_gathers():
    def idx(r, shape, size):
        return r.randint(0, size, size=shape).astype(np.int32)

    for xs, ishape, d in [((3, 5), (3, 2), 1), ((3, 5), (2, 5), 0), ((3, 5), (2, 2), 1), ((2, 3, 4), (2, 5, 4), -2),
                          ((3, 5), (3, 0), 1), ((255, 10), (255, 1), 1), ((4, 6), (4, 6), -1)]:
        stem = f'gather.{dims(xs)}.index{dims(ishape)}.dim{d}'
        r = rng_for(stem)
        fn_case(stem, 'gather', ['$x', d, '$i'], {'x': normal(r, xs), 'i': idx(r, ishape, xs[d])},
                lambda x, i, d=d: torch.gather(x, d, i), f'torch.gather(x, {d}, index)', grads=('x',))
    # scatter with distinct positions per row (torch leaves the order of duplicates unspecified)
    for xs, ishape, d in [((3, 5), (3, 2), 1), ((4, 3), (2, 3), 0), ((2, 3, 4), (2, 2, 3), -1)]:
        stem = f'scatter.{dims(xs)}.index{dims(ishape)}.dim{d}'
        r = rng_for(stem)
        dd = d % len(xs)
        perm = np.argsort(r.rand(*[s if k != dd else xs[dd] for k, s in enumerate(ishape)]), axis=dd).astype(np.int32)
        i = np.take(perm, range(ishape[dd]), axis=dd).astype(np.int32)
        fn_case(stem, 'scatter', ['$x', d, '$i', '$s'], {'x': normal(r, xs), 'i': i, 's': normal(r, ishape)},
                lambda x, i, s, d=d: x.scatter(d, i, s), f'x.scatter({d}, index, src)', grads=('x', 's'))
        fn_case(f'scatter.value.{dims(xs)}.dim{d}', 'scatter', ['$x', d, '$i', -1.5], {'x': normal(r, xs), 'i': i},
                lambda x, i, d=d: x.scatter(d, i, -1.5), f'x.scatter({d}, index, -1.5)', grads=('x',))
        stem = f'scatterAdd.{dims(xs)}.index{dims(ishape)}.dim{d}'
        r = rng_for(stem)
        fn_case(stem, 'scatterAdd', ['$x', d, '$i', '$s'], {'x': normal(r, xs), 'i': idx(r, ishape, xs[dd]), 's': normal(r, ishape)},
                lambda x, i, s, d=d: x.scatter_add(d, i, s), f'x.scatter_add({d}, index, src)', grads=('x', 's'))
    for xs, n, d in [((5, 3), 4, 0), ((5, 3), 5, 1), ((2, 3, 4), 6, -1), ((5, 3), 0, 0), ((37, 13), 37, 0)]:
        stem = f'indexSelect.{dims(xs)}.n{n}.dim{d}'
        r = rng_for(stem)
        fn_case(stem, 'indexSelect', ['$x', d, '$i'], {'x': normal(r, xs), 'i': idx(r, (n,), xs[d])},
                lambda x, i, d=d: torch.index_select(x, d, i), f'torch.index_select(x, {d}, index)', grads=('x',))
    r = rng_for('indexSelect.int32')
    fn_case('indexSelect.int32.10', 'indexSelect', ['$x', 0, '$i'], {'x': labels(r, 10, 100), 'i': idx(r, (7,), 10)},
            lambda x, i: torch.index_select(x, 0, i).to(torch.int32), 'torch.index_select(labels, 0, index)')
    for op in ['oneHot', 'nn.functional.oneHot']:
        for ls, c in [((255,), 10), ((3, 4), 5), ((7,), -1), ((0,), 3)]:
            stem = f'{op}.{dims(ls)}.c{c}'
            r = rng_for(stem)
            y = r.randint(0, 10 if c == -1 else c, size=ls).astype(np.int32)
            fn_case(stem, op, ['$y', c], {'y': y}, lambda y, c=c: F.one_hot(y, c).to(torch.int32), f'F.one_hot(y, {c})')


def gen_errors():
    r = rng_for('errors')
    x = normal(r, (3, 5))
    error_case('error.gather.index-out-of-range', 'gather', ['$x', 1, '$i'], {'x': x, 'i': np.array([[0, 5]], np.int32)},
               lambda x, i: torch.gather(x, 1, i), 'torch.gather(x, 1, [[0, 5]])', 'gather: index 5 is out of bounds for dimension 1 with size 5')
    error_case('error.gather.negative-index', 'gather', ['$x', 0, '$i'], {'x': x, 'i': np.array([[-1]], np.int32)},
               lambda x, i: torch.gather(x, 0, i), 'torch.gather(x, 0, [[-1]])', 'gather: index -1 is out of bounds for dimension 0 with size 3')
    error_case('error.gather.index-too-large', 'gather', ['$x', 0, '$i'], {'x': x, 'i': np.zeros((2, 6), np.int32)},
               lambda x, i: torch.gather(x, 0, i), 'torch.gather(x, 0, zeros(2, 6))', 'gather: size does not match at dimension 1')
    error_case('error.indexSelect.index-out-of-range', 'indexSelect', ['$x', 0, '$i'], {'x': x, 'i': np.array([0, 3], np.int32)},
               lambda x, i: torch.index_select(x, 0, i), 'torch.index_select(x, 0, [0, 3])',
               'indexSelect: index 3 is out of bounds for dimension 0 with size 3')
    error_case('error.scatter.index-out-of-range', 'scatter', ['$x', 1, '$i', 0.5], {'x': x, 'i': np.array([[7]], np.int32)},
               lambda x, i: x.scatter(1, i, 0.5), 'x.scatter(1, [[7]], 0.5)', 'scatter: index 7 is out of bounds for dimension 1 with size 5')
    error_case('error.cat.sizes', 'cat', [['$a', '$b'], 0], {'a': x, 'b': normal(r, (2, 4))},
               lambda a, b: torch.cat([a, b], 0), 'torch.cat([x(3, 5), x(2, 4)], 0)', 'cat: sizes of tensors must match except in dimension 0')
    error_case('error.cat.dim', 'cat', [['$a', '$a'], 2], {'a': x}, lambda a: torch.cat([a, a], 2), 'torch.cat([x, x], 2)',
               'cat: dim 2 is out of range for a tensor with 2 dims')
    error_case('error.stack.shapes', 'stack', [['$a', '$b']], {'a': x, 'b': normal(r, (5, 3))},
               lambda a, b: torch.stack([a, b]), 'torch.stack([x(3, 5), x(5, 3)])', 'stack: expects each tensor to be equal size')
    error_case('error.split.sizes', 'split', ['$x', [1, 1], 0], {'x': x}, lambda x: torch.split(x, [1, 1], 0),
               'torch.split(x, [1, 1], 0)', 'split: split sizes [1, 1] must sum exactly to the size of dimension 0 (3)')
    error_case('error.chunk.zero', 'chunk', ['$x', 0], {'x': x}, lambda x: torch.chunk(x, 0), 'torch.chunk(x, 0)',
               'chunk: chunks must be a positive integer, got 0')
    error_case('error.repeat.fewer-dims', 'repeat', ['$x', [2]], {'x': x}, lambda x: x.repeat(2), 'x.repeat(2)',
               'repeat: number of dimensions of repeat dims (1) can not be smaller than number of dimensions of tensor (2)')
    error_case('error.repeatInterleave.negative', 'repeatInterleave', ['$x', -1], {'x': x}, lambda x: torch.repeat_interleave(x, -1),
               'torch.repeat_interleave(x, -1)', 'repeatInterleave: repeats can not be negative')
    error_case('error.repeatInterleave.sizes', 'repeatInterleave', ['$x', '$r', 1], {'x': x, 'r': np.array([1, 2], np.int32)},
               lambda x, rt: torch.repeat_interleave(x, rt, 1), 'torch.repeat_interleave(x(3, 5), tensor([1, 2]), 1)',
               'repeatInterleave: repeats must have the same size as input along dim')
    error_case('error.flip.repeated-dim', 'flip', ['$x', [0, -2]], {'x': x}, lambda x: torch.flip(x, [0, -2]), 'torch.flip(x, [0, -2])',
               'flip: dim 0 appears multiple times in the list of dims')
    error_case('error.oneHot.negative', 'oneHot', ['$y', 3], {'y': np.array([0, -1], np.int32)}, lambda y: F.one_hot(y, 3),
               'F.one_hot([0, -1], 3)', 'oneHot: class values must be non-negative, got -1')
    error_case('error.oneHot.too-large', 'oneHot', ['$y', 3], {'y': np.array([0, 3], np.int32)}, lambda y: F.one_hot(y, 3),
               'F.one_hot([0, 3], 3)', 'oneHot: class values must be smaller than numClasses (3), got 3')
    error_case('error.arange.sign', 'arange', [1, 0], {}, lambda: torch.arange(1, 0), 'torch.arange(1, 0)',
               'arange: upper bound and larger bound inconsistent with step sign')
    error_case('error.arange.zero-step', 'arange', [0, 5, 0], {}, lambda: torch.arange(0, 5, 0), 'torch.arange(0, 5, 0)',
               'arange: step must be nonzero')
    error_case('error.randint.empty-range', 'randint', [3, 3, [4]], {}, lambda: torch.randint(3, 3, (4,)), 'torch.randint(3, 3, (4,))',
               "randint: random_ expects 'from' to be less than 'to', but got from=3 >= to=3")
    error_case('error.linspace.negative-steps', 'linspace', [0, 1, -1], {}, lambda: torch.linspace(0, 1, -1), 'torch.linspace(0, 1, -1)',
               'linspace: steps must be a non-negative integer, got -1')
    error_case('error.eye.negative', 'eye', [-1], {}, lambda: torch.eye(-1), 'torch.eye(-1)', 'eye: n must be a non-negative integer, got -1')
    error_case('error.zeros.negative', 'zeros', [2, -3], {}, lambda: torch.zeros(2, -3), 'torch.zeros(2, -3)',
               'zeros: shape must be a list of non-negative integers, got [2, -3]')


def gen_create_ops():
    gen_filled()
    gen_random()
    gen_joins()
    gen_gathers()
    gen_errors()
