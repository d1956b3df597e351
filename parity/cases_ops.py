"""Parity cases for the tensor ops: element-wise, linear algebra, reductions, softmax, shapes, losses,
dtype casts."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from cases_common import away_from_zero, cross_entropy_scale, dims, fn_case, labels, logits_variants, normal, rng_for, uniform


# ---------------------------------------------------------------------------------------------------
# element-wise

EW_SHAPES = [(1, 784), (3, 5), (37, 13), (255, 2), (255, 1), (5,)]

BINARY = {
    'add': (torch.add, lambda a, b: a + b),
    'sub': (torch.sub, lambda a, b: a - b),
    'mul': (torch.mul, lambda a, b: a * b),
    'div': (torch.div, lambda a, b: a / b),
}


def gen_binary():
    for op, (_, f) in BINARY.items():
        def rhs(r, shape):
            return away_from_zero(r, shape) if op == 'div' else normal(r, shape)
        for shape in EW_SHAPES:
            stem = f'{op}.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', '$b'], {'a': normal(r, shape), 'b': rhs(r, shape)},
                    lambda a, b: f(a, b), f'torch.{op}(a, b)', grads=('a', 'b'))
        for name, sa, sb in [('row', (37, 13), (13,)), ('col', (255, 5), (255, 1)), ('outer', (37, 1), (1, 13)),
                             ('3d', (2, 3, 4), (3, 1)), ('left', (13,), (37, 13)), ('0d', (), (3, 5))]:
            stem = f'{op}.broadcast-{name}.{dims(sa)}-{dims(sb)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', '$b'], {'a': normal(r, sa), 'b': rhs(r, sb)},
                    lambda a, b: f(a, b), f'torch.{op}(a, b)  # broadcast', grads=('a', 'b'))
        for s in [2.5, -0.75]:
            stem = f'{op}.scalar-right.{s}'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', s], {'a': normal(r, (37, 13))}, lambda a, s=s: f(a, s), f'torch.{op}(a, {s})', grads=('a',))
            stem = f'{op}.scalar-left.{s}'
            r = rng_for(stem)
            fn_case(stem, op, [s, '$b'], {'b': rhs(r, (37, 13))}, lambda b, s=s: f(s, b), f'{s} {op} b', grads=('b',))
        # the same tensor on both sides: gradients of its two uses add up
        stem = f'{op}.same-tensor.37x13'
        r = rng_for(stem)
        # (a / a)' = g/a - g·a/a² is 0 up to the rounding of those two terms: their size is the scale
        fn_case(stem, op, ['$a', '$a'], {'a': rhs(r, (37, 13))}, lambda a: f(a, a), f'torch.{op}(a, a)', grads=('a',),
                scale_ref=(lambda i, g: {'expected.grad.a': float(np.abs(g / i['a']).max())}) if op == 'div' else None)
        # one operand without a gradient
        stem = f'{op}.no-grad-b.3x5'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': normal(r, (3, 5)), 'b': rhs(r, (3, 5))}, lambda a, b: f(a, b),
                f'torch.{op}(a, b.detach())', grads=('a',))


def gen_unary():
    def with_zeros(r, shape):
        a = normal(r, shape)
        a.reshape(-1)[::7] = 0.0  # exact zeros: relu'(0) = 0 and sign(0) = 0 in torch
        return a

    ops = {
        'neg': (lambda x: -x, lambda r, s: normal(r, s)),
        'exp': (torch.exp, lambda r, s: uniform(r, s, -10, 10)),
        'log': (torch.log, lambda r, s: np.exp(uniform(r, s, -5, 5)).astype(np.float32)),
        'abs': (torch.abs, with_zeros),
        'relu': (torch.relu, with_zeros),
        'sigmoid': (torch.sigmoid, lambda r, s: normal(r, s, 4.0)),
        'square': (torch.square, lambda r, s: normal(r, s)),
        'sqrt': (torch.sqrt, lambda r, s: np.exp(uniform(r, s, -5, 3)).astype(np.float32)),
    }
    for op, (f, make) in ops.items():
        for shape in EW_SHAPES + [(2, 3, 4)]:
            stem = f'{op}.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x'], {'x': make(r, shape)}, lambda x, f=f: f(x), f'torch.{op}(x)', grads=('x',))
    for op, f, make in [('nn.functional.relu', torch.relu, with_zeros), ('nn.functional.sigmoid', torch.sigmoid, ops['sigmoid'][1])]:
        for shape in [(37, 13), (1, 784)]:
            stem = f'{op}.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x'], {'x': make(r, shape)}, lambda x, f=f: f(x), f'torch.{f.__name__}(x)', grads=('x',))
    # saturation and overflow
    big = np.array([-100, -88, -20, -1e-3, 0, 1e-3, 20, 88, 100], np.float32)
    for op, f in [('sigmoid', torch.sigmoid), ('exp', torch.exp)]:
        stem = f'{op}.extremes'
        fn_case(stem, op, ['$x'], {'x': big}, lambda x, f=f: f(x), f'torch.{op}(x)', grads=('x',))
    for p in [2, 3, -1, 0.5, 1.5, -0.5, 0, 1]:
        for shape in [(3, 5), (37, 13)] + ([(1, 784)] if p == 2 else []):
            stem = f'pow.{p}.{dims(shape)}'
            r = rng_for(stem)
            x = away_from_zero(r, shape, 0.25, 3) if float(p).is_integer() else np.exp(uniform(r, shape, -2, 1)).astype(np.float32)
            fn_case(stem, 'pow', ['$x', p], {'x': x}, lambda x, p=p: torch.pow(x, p), f'torch.pow(x, {p})', grads=('x',))
    # int32 bases: an integer exponent keeps the result integral, a fractional one promotes it to float
    ints = np.array([-7, -2, -1, 0, 1, 2, 3, 46340], np.int32)
    for p in [0, 1, 2, 0.5]:
        fn_case(f'pow.int32.{p}', 'pow', ['$x', p], {'x': ints if p != 0.5 else np.abs(ints)}, lambda x, p=p: torch.pow(x, p),
                f'torch.pow(x, {p})  # x int')
    fn_case('pow.int32.int32-tensor', 'pow', ['$a', '$b'], {'a': np.array([[2], [-3], [0]], np.int32), 'b': np.array([0, 1, 5, 19], np.int32)},
            torch.pow, 'torch.pow(a, b)  # both int')
    # zeros in the base: torch's pow backward gives exponent * x^(exponent-1), and 0 for exponent 0
    for p in [2, 3, 0]:
        stem = f'pow.{p}.zero-base'
        x = np.array([0.0, -1.5, 2.0, 0.0, 0.5], np.float32)
        fn_case(stem, 'pow', ['$x', p], {'x': x}, lambda x, p=p: torch.pow(x, p), f'torch.pow(x, {p})', grads=('x',))


# ---------------------------------------------------------------------------------------------------
# linear algebra

def gen_linalg():
    for m, k, n in [(1, 784, 10), (3, 5, 2), (37, 13, 10), (255, 5, 13), (255, 1, 2), (3, 784, 1)]:
        stem = f'matmul.{m}x{k}-{k}x{n}'
        r = rng_for(stem)
        fn_case(stem, 'matmul', ['$a', '$b'], {'a': normal(r, (m, k)), 'b': normal(r, (k, n), 1 / math.sqrt(k))},
                torch.matmul, 'torch.matmul(a, b)', grads=('a', 'b'), grad_scale=1 / m)
    for name, sa, sb in [('vec-mat', (5,), (5, 13)), ('mat-vec', (13, 5), (5,)), ('dot', (784,), (784,)), ('dot1', (1,), (1,))]:
        stem = f'matmul.{name}.{dims(sa)}-{dims(sb)}'
        r = rng_for(stem)
        fn_case(stem, 'matmul', ['$a', '$b'], {'a': normal(r, sa), 'b': normal(r, sb)}, torch.matmul,
                'torch.matmul(a, b)', grads=('a', 'b'))
    # batched: leading dims broadcast, a 1-D operand is a row / a column
    for name, sa, sb in [('batch-mat', (2, 3, 4), (4, 5)), ('mat-batch', (3, 4), (2, 4, 5)), ('batch-batch', (3, 2, 7), (3, 7, 4)),
                         ('broadcast', (2, 1, 3, 4), (5, 4, 2)), ('vec-batch', (4,), (2, 4, 3)), ('batch-vec', (2, 3, 4), (4,)),
                         ('empty-batch', (0, 2, 3), (3, 4)), ('k0', (2, 3, 0), (2, 0, 4))]:
        stem = f'matmul.{name}.{dims(sa)}-{dims(sb)}'
        r = rng_for(stem)
        fn_case(stem, 'matmul', ['$a', '$b'], {'a': normal(r, sa), 'b': normal(r, sb)}, torch.matmul,
                'torch.matmul(a, b)', grads=('a', 'b'))
    for sa, sb in [((3, 2, 5), (3, 5, 4)), ((1, 7, 1), (1, 1, 3)), ((4, 16, 9), (4, 9, 17))]:
        stem = f'bmm.{dims(sa)}-{dims(sb)}'
        r = rng_for(stem)
        fn_case(stem, 'bmm', ['$a', '$b'], {'a': normal(r, sa), 'b': normal(r, sb)}, torch.bmm, 'torch.bmm(a, b)', grads=('a', 'b'))
    for op in ['linear', 'nn.functional.linear']:
        for n, i, o in [(1, 784, 10), (3, 5, 2), (37, 5, 10), (255, 13, 10), (255, 1, 13), (3, 784, 2)][::1 if op == 'linear' else -1]:
            stem = f'{op}.{n}x{i}-{o}'
            r = rng_for(stem)
            s = 1 / math.sqrt(i)
            fn_case(stem, op, ['$x', '$w', '$b'],
                    {'x': normal(r, (n, i)), 'w': uniform(r, (o, i), -s, s), 'b': uniform(r, (o,), -s, s)},
                    F.linear, 'F.linear(x, w, b)', grads=('x', 'w', 'b'), grad_scale=1 / n)
            if op == 'nn.functional.linear':
                break
        stem = f'{op}.no-bias.37x5-13'
        r = rng_for(stem)
        fn_case(stem, op, ['$x', '$w'], {'x': normal(r, (37, 5)), 'w': normal(r, (13, 5))}, F.linear,
                'F.linear(x, w)', grads=('x', 'w'), grad_scale=1 / 37)
        stem = f'{op}.3d-input.2x3x5-4'
        r = rng_for(stem)
        fn_case(stem, op, ['$x', '$w', '$b'], {'x': normal(r, (2, 3, 5)), 'w': normal(r, (4, 5)), 'b': normal(r, (4,))},
                F.linear, 'F.linear(x, w, b)', grads=('x', 'w', 'b'))
        if op != 'linear':
            continue
        stem = f'{op}.input-without-grad.3x784-10'
        r = rng_for(stem)
        fn_case(stem, op, ['$x', '$w', '$b'], {'x': uniform(r, (3, 784), 0, 1), 'w': normal(r, (10, 784), 0.01), 'b': normal(r, (10,))},
                F.linear, 'F.linear(x, w, b)  # x.requires_grad False', grads=('w', 'b'), grad_scale=1 / 3)
    for shape, d0, d1 in [((3, 5), 0, 1), ((37, 13), -1, -2), ((2, 3, 4), 0, 2), ((2, 3, 4), 1, -1), ((5,), 0, 0), ((3, 5), 1, 1)]:
        stem = f'transpose.{dims(shape)}.{d0}.{d1}'
        r = rng_for(stem)
        fn_case(stem, 'transpose', ['$x', d0, d1], {'x': normal(r, shape)}, lambda x, d0=d0, d1=d1: torch.transpose(x, d0, d1),
                f'torch.transpose(x, {d0}, {d1})', grads=('x',))
    for shape in [(3, 5), (1, 784), (5,), (255, 1)]:
        stem = f't.{dims(shape)}'
        r = rng_for(stem)
        fn_case(stem, 't', ['$x'], {'x': normal(r, shape)}, torch.t, 'torch.t(x)', grads=('x',))


# ---------------------------------------------------------------------------------------------------
# reductions, comparisons

def gen_reduce():
    for op in ['sum', 'mean']:
        f = getattr(torch, op)
        for shape in [(3, 5), (1, 784), (37, 13), (255, 2), (2, 3, 4), (5,)]:
            stem = f'{op}.all.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x'], {'x': normal(r, shape)}, lambda x, f=f: f(x), f'torch.{op}(x)', grads=('x',), scalar_grad=0.75)
            for d in (range(-1, len(shape)) if shape != (1, 784) else [-1]):
                for keep in [False, True]:
                    stem = f'{op}.dim{d}{".keepdim" if keep else ""}.{dims(shape)}'
                    r = rng_for(stem)
                    fn_case(stem, op, ['$x', d, keep], {'x': normal(r, shape)}, lambda x, f=f, d=d, keep=keep: f(x, d, keep),
                            f'torch.{op}(x, {d}, keepdim={keep})', grads=('x',))
    for shape in [(37, 13), (255, 10), (1, 784), (3, 5), (2, 3, 4)]:
        stem = f'argmax.all.{dims(shape)}'
        r = rng_for(stem)
        fn_case(stem, 'argmax', ['$x'], {'x': normal(r, shape)}, torch.argmax, 'torch.argmax(x)')
        for d in (range(-1, len(shape)) if shape != (1, 784) else [-1]):
            for keep in [False, True]:
                stem = f'argmax.dim{d}{".keepdim" if keep else ""}.{dims(shape)}'
                r = rng_for(stem)
                fn_case(stem, 'argmax', ['$x', d, keep], {'x': normal(r, shape)}, lambda x, d=d, keep=keep: torch.argmax(x, d, keep),
                        f'torch.argmax(x, {d}, keepdim={keep})')
    # ties: torch 1.13 on CPU returns the first maximal index
    x = np.array([[1, 3, 3, 2], [5, 5, 5, 5], [0, -1, 0, -2], [-np.inf, -np.inf, -7, -7]], np.float32)
    fn_case('argmax.ties.dim1', 'argmax', ['$x', 1], {'x': x}, lambda x: torch.argmax(x, 1), 'torch.argmax(x, 1)')
    fn_case('argmax.ties.all', 'argmax', ['$x'], {'x': x}, torch.argmax, 'torch.argmax(x)')
    for shape in [(37, 13), (255, 1), (3, 5)]:
        stem = f'eq.float.{dims(shape)}'
        r = rng_for(stem)
        a = np.round(normal(r, shape) * 2) / 2
        b = np.round(normal(r, shape) * 2) / 2
        fn_case(stem, 'eq', ['$a', '$b'], {'a': a.astype(np.float32), 'b': b.astype(np.float32)}, torch.eq, 'torch.eq(a, b)')
    stem = 'eq.int32.labels-255'
    r = rng_for(stem)
    fn_case(stem, 'eq', ['$a', '$b'], {'a': labels(r, 255, 10), 'b': labels(r, 255, 10)}, torch.eq, 'torch.eq(pred, y)')


# ---------------------------------------------------------------------------------------------------
# softmax family

def gen_softmax():
    for op in ['softmax', 'logSoftmax', 'nn.functional.softmax', 'nn.functional.logSoftmax']:
        tf = torch.softmax if op.endswith('softmax') else torch.log_softmax
        shapes = [(1, 2), (3, 10), (37, 13), (255, 2), (1, 784)] if '.' not in op else [(37, 13)]
        for n, c in shapes:
            for variant in ['plain', 'scaled1e4', 'neginf']:
                stem = f'{op}.{variant}.{n}x{c}'
                r = rng_for(stem)
                x = dict(logits_variants(r, n, c))[variant]
                fn_case(stem, op, ['$x', 1], {'x': x}, lambda x, tf=tf: tf(x, 1), f'{tf.__name__}(x, 1)', grads=('x',))
        for shape, d in [((37, 13), 0), ((3, 5), -1), ((2, 3, 4), 1), ((2, 3, 4), 0), ((2, 3, 4), -1), ((7,), 0)]:
            stem = f'{op}.dim{d}.{dims(shape)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x', d], {'x': normal(r, shape, 2)}, lambda x, d=d, tf=tf: tf(x, d), f'{tf.__name__}(x, {d})', grads=('x',))


# ---------------------------------------------------------------------------------------------------
# shapes

def gen_shape():
    cases = [
        ('reshape', [(3, 5), [5, 3]]), ('reshape', [(3, 5), [-1]]), ('reshape', [(2, 3, 4), [4, -1]]),
        ('reshape', [(1, 784), [1, 1, 28, 28]]), ('reshape', [(5,), [5, 1]]),
    ]
    for op, (shape, new) in cases:
        stem = f'reshape.{dims(shape)}.to.{"x".join(map(str, new))}'
        r = rng_for(stem)
        fn_case(stem, 'reshape', ['$x', new], {'x': normal(r, shape)}, lambda x, new=new: torch.reshape(x, new),
                f'torch.reshape(x, {new})', grads=('x',))
    for op in ['flatten', 'nn.functional.flatten']:
        for shape, args in [((2, 3, 4), []), ((2, 3, 4), [1]), ((2, 3, 4), [1, -1]), ((1, 1, 28, 28), [1]), ((2, 3, 4), [0, 1]), ((5,), [])]:
            stem = f'{op}.{dims(shape)}.{"_".join(map(str, args)) or "default"}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x', *args], {'x': normal(r, shape)}, lambda x, args=args: torch.flatten(x, *args),
                    f'torch.flatten(x, {", ".join(map(str, args))})', grads=('x',))
    for shape, args in [((3, 1, 5), []), ((3, 1, 5), [1]), ((3, 1, 5), [0]), ((1, 1, 1), []), ((3, 1, 5), [-2])]:
        stem = f'squeeze.{dims(shape)}.{"_".join(map(str, args)) or "all"}'
        r = rng_for(stem)
        fn_case(stem, 'squeeze', ['$x', *args], {'x': normal(r, shape)}, lambda x, args=args: torch.squeeze(x, *args),
                f'torch.squeeze(x, {args})', grads=('x',))
    for shape, d in [((3, 5), 0), ((3, 5), 2), ((3, 5), -1), ((5,), 1), ((), 0)]:
        stem = f'unsqueeze.{dims(shape)}.{d}'
        r = rng_for(stem)
        fn_case(stem, 'unsqueeze', ['$x', d], {'x': normal(r, shape)}, lambda x, d=d: torch.unsqueeze(x, d),
                f'torch.unsqueeze(x, {d})', grads=('x',))
    for shape, new in [((3, 1), [3, 5]), ((5,), [4, 5]), ((1, 5), [2, 4, 5]), ((13,), [255, 13]), ((37, 1), [-1, 13]), ((3, 5), [3, 5])]:
        stem = f'expand.{dims(shape)}.to.{"x".join(map(str, new))}'
        r = rng_for(stem)
        fn_case(stem, 'expand', ['$x', new], {'x': normal(r, shape)}, lambda x, new=new: x.expand(*new),
                f'x.expand({new})', grads=('x',))
    stem = 'detach.37x13'
    r = rng_for(stem)
    fn_case(stem, 'detach', ['$x'], {'x': normal(r, (37, 13))}, lambda x: x.detach(), 'x.detach()', grads=('x',))
    for shape in [(37, 13), (5,)]:
        stem = f'clone.{dims(shape)}'
        r = rng_for(stem)
        fn_case(stem, 'clone', ['$x'], {'x': normal(r, shape)}, torch.clone, 'torch.clone(x)', grads=('x',))


# ---------------------------------------------------------------------------------------------------
# losses

def gen_losses():
    for op in ['crossEntropy', 'nn.functional.crossEntropy']:
        shapes = [(1, 2), (3, 10), (37, 13), (255, 10), (255, 2), (3, 13), (1, 10)] if '.' not in op else [(37, 13)]
        for n, c in shapes:
            for variant in (['plain', 'scaled1e4', 'neginf'] if n * c < 1000 else ['plain']):
                for red in ['mean', 'sum', 'none']:
                    for ls in [0.0, 0.1]:
                        stem = f'{op}.{variant}.{n}x{c}.{red}.ls{ls}'
                        r = rng_for(stem)
                        x = dict(logits_variants(r, n, c))[variant]
                        y = labels(r, n, c)
                        if variant == 'neginf':
                            y[:] = 0  # the target's logit is finite (a -inf target logit gives an infinite loss)
                            y[1::2] = [int(np.flatnonzero(np.isfinite(row))[-1]) for row in x[1::2]]
                        opts = {'reduction': red, 'labelSmoothing': ls}
                        fn_case(stem, op, ['$x', '$y', opts], {'x': x, 'y': y},
                                lambda x, y, red=red, ls=ls: F.cross_entropy(x, y, reduction=red, label_smoothing=ls),
                                f"F.cross_entropy(x, y, reduction='{red}', label_smoothing={ls})", grads=('x',),
                                scalar_grad=0.75 if red != 'none' else None, scale_ref=cross_entropy_scale(n, red))
        # the target's own logit is -inf: torch gives an infinite loss (and a finite gradient)
        for red in ['none', 'sum']:
            stem = f'{op}.neginf-target.3x10.{red}'
            r = rng_for(stem)
            x = normal(r, (3, 10), 3)
            y = np.array([2, 5, 7], np.int32)
            x[1, 5] = -np.inf
            fn_case(stem, op, ['$x', '$y', {'reduction': red}], {'x': x, 'y': y},
                    lambda x, y, red=red: F.cross_entropy(x, y, reduction=red), f"F.cross_entropy(x, y, reduction='{red}')",
                    grads=('x',), scalar_grad=0.75 if red != 'none' else None, scale_ref=cross_entropy_scale(3, red))
        for ls in [0.3, 1.0]:
            stem = f'{op}.plain.37x13.mean.ls{ls}'
            r = rng_for(stem)
            fn_case(stem, op, ['$x', '$y', {'labelSmoothing': ls}], {'x': normal(r, (37, 13), 3), 'y': labels(r, 37, 13)},
                    lambda x, y, ls=ls: F.cross_entropy(x, y, label_smoothing=ls), f'F.cross_entropy(x, y, label_smoothing={ls})',
                    grads=('x',), scalar_grad=1.0, scale_ref=cross_entropy_scale(37, 'mean'))
        stem = f'{op}.default-options.255x10'
        r = rng_for(stem)
        fn_case(stem, op, ['$x', '$y'], {'x': normal(r, (255, 10), 3), 'y': labels(r, 255, 10)}, F.cross_entropy,
                'F.cross_entropy(x, y)', grads=('x',), scalar_grad=1.0, scale_ref=cross_entropy_scale(255, 'mean'))
    for op in ['mseLoss', 'nn.functional.mseLoss']:
        for shape in ([(3, 5), (255, 1), (37, 13), (1, 784), (5,)] if '.' not in op else [(37, 13)]):
            for red in (['mean', 'sum', 'none'] if shape != (1, 784) else ['mean']):
                stem = f'{op}.{dims(shape)}.{red}'
                r = rng_for(stem)
                fn_case(stem, op, ['$a', '$b', {'reduction': red}], {'a': normal(r, shape), 'b': normal(r, shape)},
                        lambda a, b, red=red: F.mse_loss(a, b, reduction=red), f"F.mse_loss(a, b, reduction='{red}')",
                        grads=('a', 'b'), scalar_grad=0.75 if red != 'none' else None)
        stem = f'{op}.default.37x13'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': normal(r, (37, 13)), 'b': normal(r, (37, 13))}, F.mse_loss,
                'F.mse_loss(a, b)', grads=('a', 'b'), scalar_grad=1.0)


# ---------------------------------------------------------------------------------------------------
# dtype casts and copy_ (Tensor methods: their op is "Tensor.<method>", args[0] is the tensor)

def gen_casts():
    # float -> int32 truncates toward zero (torch's .int()); values stay inside int32 (NaN and overflow are
    # undefined in torch's cast). int32 -> float32 rounds to nearest even above 2^24.
    f = np.array([[2.7, -2.7, -0.5, 0.5, 0.0, 1e9], [-2147483520.0, 2147483520.0, 7.0, -7.0, 0.9999999, -1e-30]], np.float32)
    ints = np.array([0, 1, -1, 16777217, -16777217, 2147483647, -2147483648, 123456789], np.int32)
    stem = 'Tensor.int.float32-2x6'
    fn_case(stem, 'Tensor.int', ['$x'], {'x': f}, lambda x: x.int(), 'x.int()')
    stem = 'Tensor.int.requires-grad.37x13'
    fn_case(stem, 'Tensor.int', ['$x'], {'x': normal(rng_for(stem), (37, 13), 100)}, lambda x: x.int(), 'x.int()  # x.requires_grad',
            grads=('x',))
    stem = 'Tensor.int.int32-8'
    fn_case(stem, 'Tensor.int', ['$x'], {'x': ints}, lambda x: x.int(), 'x.int()  # already int')
    stem = 'Tensor.float.int32-8'
    fn_case(stem, 'Tensor.float', ['$x'], {'x': ints}, lambda x: x.float(), 'x.float()  # int -> float32')
    stem = 'Tensor.float.float32.37x13'
    fn_case(stem, 'Tensor.float', ['$x'], {'x': normal(rng_for(stem), (37, 13))}, lambda x: x.float(), 'x.float()  # x.requires_grad',
            grads=('x',))
    # copy_ into an existing tensor: same dtype, and each way between float32 and int32. softmax-nn's
    # copy_ works outside autograd (as torch's under no_grad, how parameters are loaded).
    for name, dst, src in [('float32-float32', normal(rng_for('copy_/d1'), (3, 5)), normal(rng_for('copy_/s1'), (3, 5))),
                           ('float32-int32', np.zeros((2, 6), np.float32), ints[:6].reshape(2, 3).repeat(2, 1)),
                           ('int32-float32', np.full((2, 6), 9, np.int32), f),
                           ('int32-int32', np.zeros(8, np.int32), ints)]:
        stem = f'Tensor.copy_.{name}'

        def copy(t, s):
            with torch.no_grad():
                return t.copy_(s)
        fn_case(stem, 'Tensor.copy_', ['$t', '$src'], {'t': dst, 'src': src}, copy, 'with torch.no_grad(): t.copy_(src)')
