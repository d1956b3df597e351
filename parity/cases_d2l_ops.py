"""Cases for the ops d2l's preliminaries use beyond the others: pow with a tensor exponent (values and
both gradients, a number base, broadcasting, zero bases), dot / mv / mm, and the in-place clamp_ and scatter_."""
import numpy as np
import torch

from cases_common import dims, fn_case, normal, rng_for


def gen_d2l_ops():
    # pow(a, b): a positive where b is fractional; zero bases with b ≥ 0 and b < 0; broadcasting
    for sa, sb in [((3, 5), (3, 5)), ((37, 13), (13,)), ((4, 1), (1, 6))]:
        stem = f'pow.tensor.{dims(sa)}.{dims(sb)}'
        r = rng_for(stem)
        a = np.abs(normal(r, sa)) + 0.25
        b = normal(r, sb)
        fn_case(stem, 'pow', ['$a', '$b'], {'a': a, 'b': b}, lambda a, b: torch.pow(a, b), 'torch.pow(a, b)', grads=('a', 'b'))
    stem = 'pow.tensor.zero-base.2x4'
    a = np.array([[0, 0, 0, 2], [0, 1.5, 0, 3]], np.float32)
    b = np.array([[2, 0, 3, -1], [1, 2, 0.5, 0]], np.float32)
    fn_case(stem, 'pow', ['$a', '$b'], {'a': a, 'b': b}, lambda a, b: torch.pow(a, b), 'torch.pow(a, b)  # 0^b, b >= 0', grads=('a', 'b'))
    stem = 'pow.tensor.negative-base-integer-exponents.7'
    r = rng_for(stem)
    a = normal(r, (7,))
    b = np.array([2, 3, 1, 0, -1, 4, 2], np.float32)
    fn_case(stem, 'pow', ['$a', '$b'], {'a': a, 'b': b}, lambda a, b: torch.pow(a, b), 'torch.pow(a, b)', grads=('a',))
    # torch.pow(number, tensor): 10.6's positional encoding; int32 when both are integral
    stem = 'pow.number-base.8'
    b = np.arange(0, 16, 2, dtype=np.float32) / 16
    fn_case(stem, 'pow', [10000, '$b'], {'b': b}, lambda b: torch.pow(10000, b), 'torch.pow(10000, b)', grads=('b',))
    stem = 'pow.number-base.int.6'
    b = np.arange(6, dtype=np.int32)
    fn_case(stem, 'pow', [2, '$b'], {'b': b}, lambda b: torch.pow(2, b), 'torch.pow(2, b)  # b int')
    # dot, mv, mm: values and gradients at odd sizes
    for n in [1, 7, 37]:
        stem = f'dot.{n}'
        r = rng_for(stem)
        fn_case(stem, 'dot', ['$x', '$y'], {'x': normal(r, (n,)), 'y': normal(r, (n,))}, torch.dot, 'torch.dot(x, y)', grads=('x', 'y'))
    for m, n in [(1, 1), (5, 3), (37, 13)]:
        stem = f'mv.{m}x{n}'
        r = rng_for(stem)
        fn_case(stem, 'mv', ['$a', '$x'], {'a': normal(r, (m, n)), 'x': normal(r, (n,))}, torch.mv, 'torch.mv(a, x)', grads=('a', 'x'))
    for m, k, n in [(1, 1, 1), (5, 3, 4), (37, 13, 9)]:
        stem = f'mm.{m}x{k}.{k}x{n}'
        r = rng_for(stem)
        fn_case(stem, 'mm', ['$a', '$b'], {'a': normal(r, (m, k)), 'b': normal(r, (k, n))}, torch.mm, 'torch.mm(a, b)', grads=('a', 'b'))
    # the in-place clamp_ and scatter_ (values; they return the tensor they changed)
    for name, args, fn, expr in [
        ('both', [-0.5, 0.75], lambda t: t.clamp_(-0.5, 0.75), 't.clamp_(-0.5, 0.75)'),
        ('min', [0.0], lambda t: t.clamp_(0.0), 't.clamp_(0.0)'),
        ('max', [None, 0.25], lambda t: t.clamp_(None, 0.25), 't.clamp_(None, 0.25)'),
    ]:
        stem = f'Tensor.clamp_.{name}.3x5'
        fn_case(stem, 'Tensor.clamp_', ['$t', *args], {'t': normal(rng_for(stem), (3, 5))}, fn, expr)
    stem = 'Tensor.scatter_.dim1.3x5'
    r = rng_for(stem)
    index = np.array([[0, 4], [2, 2], [1, 3]], np.int32)
    fn_case(stem, 'Tensor.scatter_', ['$t', 1, '$i', '$s'], {'t': normal(r, (3, 5)), 'i': index, 's': normal(r, (3, 2))},
            lambda t, i, s: t.scatter_(1, i.long(), s), 't.scatter_(1, i, s)')
    stem = 'Tensor.scatter_.dim0.number.4x3'
    r = rng_for(stem)
    index = np.array([[3, 0, 1]], np.int32)
    fn_case(stem, 'Tensor.scatter_', ['$t', 0, '$i', 2.5], {'t': normal(r, (4, 3)), 'i': index},
            lambda t, i: t.scatter_(0, i.long(), 2.5), 't.scatter_(0, i, 2.5)')
