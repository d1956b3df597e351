"""Parity cases of the bool dtype: comparisons, logical ops, all / any, casts and type promotion in
arithmetic (torch.result_type), and the calls both sides refuse (kind ``error``)."""

import numpy as np
import torch

from cases_common import add_case, dims, fn_case, normal, rng_for


def i32(t):
    """Integer inputs reach torch as int64 (softmax-nn's labels); these cases promote from int32."""
    return t.to(torch.int32) if t.dtype == torch.int64 else t


def ints(r, shape, lo=-3, hi=4):
    return r.randint(lo, hi, size=shape).astype(np.int32)


def halves(r, shape):
    """Floats on a grid of 0.5 so that equal pairs occur, with NaN, ±inf and -0 mixed in."""
    x = np.array(np.round(normal(r, shape) * 2) / 2, dtype=np.float32).reshape(shape)
    flat = x.reshape(-1)
    for k, v in enumerate([np.nan, np.inf, -np.inf, -0.0]):
        if k < flat.size:
            flat[(k * 7) % flat.size] = v
    return x


def bools(r, shape):
    return np.array(r.rand(*shape) < 0.5).reshape(shape)


def error_case(stem, op, args, inputs, torch_fn, torch_expr, message):
    """A call both sides refuse: torch must raise here; softmax-nn must throw an error containing `message`."""
    try:
        torch_fn(*[torch.from_numpy(a.copy()) for a in inputs.values()])
    except (RuntimeError, TypeError) as e:
        torch_message = str(e).split('\n')[0]
    else:
        raise AssertionError(f'{stem}: torch accepted {torch_expr}')
    add_case(stem, 'error', op, args, {'message': message, 'torchMessage': torch_message}, torch_expr,
             {f'input.{k}': a for k, a in inputs.items()})


COMPARE = {'eq': torch.eq, 'ne': torch.ne, 'lt': torch.lt, 'le': torch.le, 'gt': torch.gt, 'ge': torch.ge}
LAYOUTS = [('same', (37, 13), (37, 13)), ('row', (37, 13), (13,)), ('outer', (5, 1), (1, 7)), ('0d', (), (3, 5)),
           ('empty', (0, 3), (3,)), ('3d', (2, 3, 4), (3, 1))]


def gen_compare():
    for op, f in COMPARE.items():
        for name, sa, sb in LAYOUTS:
            stem = f'{op}.float.{name}.{dims(sa)}-{dims(sb)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', '$b'], {'a': halves(r, sa), 'b': halves(r, sb)}, f, f'torch.{op}(a, b)')
        stem = f'{op}.int32.7x9-9'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': ints(r, (7, 9)), 'b': ints(r, (9,))}, lambda a, b, f=f: f(i32(a), i32(b)),
                f'torch.{op}(a, b)  # int32')
        stem = f'{op}.bool.6x4-4'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': bools(r, (6, 4)), 'b': bools(r, (4,))}, f, f'torch.{op}(a, b)  # bool')
        # mixed dtypes: int32 and bool promote to float32 against a float tensor, bool to int32 against int
        stem = f'{op}.int32-float.5x6'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': ints(r, (5, 6)), 'b': halves(r, (5, 6))}, lambda a, b, f=f: f(i32(a), b),
                f'torch.{op}(a, b)  # int32 vs float32')
        stem = f'{op}.bool-int32.4x5'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': bools(r, (4, 5)), 'b': ints(r, (4, 5), -1, 3)}, lambda a, b, f=f: f(a, i32(b)),
                f'torch.{op}(a, b)  # bool vs int32')
        for s in [0, 1.5, -0.5]:
            stem = f'{op}.int32-number.{s}'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', s], {'a': ints(r, (4, 6))}, lambda a, s=s, f=f: f(i32(a), s), f'torch.{op}(a, {s})')
            stem = f'{op}.float-number.{s}'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', s], {'a': halves(r, (4, 6))}, lambda a, s=s, f=f: f(a, s), f'torch.{op}(a, {s})')
        stem = f'{op}.requires-grad.3x4'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': halves(r, (3, 4)), 'b': halves(r, (3, 4))}, f, f'torch.{op}(a, b)  # a.requires_grad',
                grads=('a',))
        stem = f'{op}.error.broadcast.3-2'
        r = rng_for(stem)
        error_case(stem, op, ['$a', '$b'], {'a': normal(r, (3,)), 'b': normal(r, (2,))}, f, f'torch.{op}(a, b)',
                   f'{op}: shapes [3] and [2] cannot be broadcast together')


LOGICAL = {'logicalAnd': torch.logical_and, 'logicalOr': torch.logical_or, 'logicalXor': torch.logical_xor}


def gen_logical():
    for op, f in LOGICAL.items():
        for name, sa, sb in LAYOUTS:
            stem = f'{op}.bool.{name}.{dims(sa)}-{dims(sb)}'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', '$b'], {'a': bools(r, sa), 'b': bools(r, sb)}, f, f'torch.{op}(a, b)')
        stem = f'{op}.float-int32.6x5-5'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': halves(r, (6, 5)), 'b': ints(r, (5,), -1, 2)}, lambda a, b, f=f: f(a, i32(b)),
                f'torch.{op}(a, b)  # float32 and int32 truth values')
        stem = f'{op}.error.broadcast.4-3'
        r = rng_for(stem)
        error_case(stem, op, ['$a', '$b'], {'a': bools(r, (4,)), 'b': bools(r, (3,))}, f, f'torch.{op}(a, b)',
                   f'{op}: shapes [4] and [3] cannot be broadcast together')
    for name, x in [('bool.7x3', bools(rng_for('logicalNot.bool'), (7, 3))), ('float.5x5', halves(rng_for('logicalNot.float'), (5, 5))),
                    ('int32.9', ints(rng_for('logicalNot.int32'), (9,), -1, 2)), ('empty.0', np.zeros(0, np.float32))]:
        fn_case(f'logicalNot.{name}', 'logicalNot', ['$x'], {'x': x}, lambda x: torch.logical_not(i32(x)), 'torch.logical_not(x)')
    for op, f in [('all', torch.all), ('any', torch.any)]:
        for name, x in [('bool', bools(rng_for(f'{op}.bool'), (6, 5, 4)) | (rng_for(f'{op}.bool/2').rand(6, 5, 4) < 0.6)),
                        ('float', np.where(rng_for(f'{op}.float/z').rand(6, 5, 4) < 0.9, halves(rng_for(f'{op}.float'), (6, 5, 4)), 0).astype(np.float32)),
                        ('int32', ints(rng_for(f'{op}.int32'), (6, 5, 4), 0, 6))]:
            x = np.asarray(x, x.dtype)
            fn_case(f'{op}.{name}.all.6x5x4', op, ['$x'], {'x': x}, lambda x, f=f: f(i32(x)), f'torch.{op}(x)')
            for d in [0, 1, -1]:
                for keep in [False, True]:
                    stem = f'{op}.{name}.dim{d}{".keepdim" if keep else ""}.6x5x4'
                    fn_case(stem, op, ['$x', d, keep], {'x': x}, lambda x, d=d, keep=keep, f=f: f(i32(x), d, keep),
                            f'torch.{op}(x, {d}, keepdim={keep})')
        for shape in [(0,), (3, 0)]:
            fn_case(f'{op}.empty.{dims(shape)}', op, ['$x', -1], {'x': np.zeros(shape, np.float32)}, lambda x, f=f: f(x, -1),
                    f'torch.{op}(x, -1)  # empty')
        fn_case(f'{op}.scalar', op, ['$x'], {'x': np.array(0.0, np.float32)}, f, f'torch.{op}(x)  # 0-d')


def gen_bool_casts():
    f = np.array([[2.7, -2.7, -0.5, 0.5, 0.0, -0.0], [np.nan, np.inf, -np.inf, 1e-30, -2147483520.0, 7.0]], np.float32)
    b = np.array([[True, False, True], [False, False, True]])
    n = np.array([0, 1, -1, 2147483647, -2147483648, 5], np.int32)
    for method, dtype, tdt in [('bool', None, torch.bool), ('float', None, torch.float32), ('int', None, torch.int32)]:
        for name, x in [('float32', f), ('int32', n), ('bool', b)]:
            if method == 'int' and name == 'float32':
                x = f[:, [0, 1, 2, 3, 4, 5]][0:1]  # NaN and ±inf have no int32 value: softmax-nn throws, torch is undefined
            fn_case(f'Tensor.{method}.{name}-{dims(x.shape)}', f'Tensor.{method}', ['$x'], {'x': x},
                    lambda x, tdt=tdt: i32(x).to(tdt), f'x.{method}()')
    for target, tdt in [('bool', torch.bool), ('float32', torch.float32), ('int32', torch.int32)]:
        for name, x in [('int32', n), ('bool', b)]:
            fn_case(f'Tensor.to.{name}-{target}', 'Tensor.to', ['$x', target], {'x': x}, lambda x, tdt=tdt: i32(x).to(tdt),
                    f'x.to(torch.{target})')
            fn_case(f'Tensor.type.{name}-{target}', 'Tensor.type', ['$x', target], {'x': x}, lambda x, tdt=tdt: i32(x).type(tdt),
                    f'x.type(torch.{target})')
    stem = 'Tensor.to.float32-float32.requires-grad'
    fn_case(stem, 'Tensor.to', ['$x', 'float32'], {'x': normal(rng_for(stem), (4, 3))}, lambda x: x.to(torch.float32) * 1,
            'x.to(torch.float32)  # identity gradient', grads=('x',))
    stem = 'Tensor.bool.requires-grad'
    fn_case(stem, 'Tensor.bool', ['$x'], {'x': halves(rng_for(stem), (4, 3))}, lambda x: x.bool(), 'x.bool()  # cuts the graph',
            grads=('x',))


ARITH = {'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div}


def gen_promotion():
    for op, f in ARITH.items():
        stem = f'{op}.int32-int32.7x5-5'
        r = rng_for(stem)
        b = ints(r, (5,), 1, 9) if op == 'div' else ints(r, (5,), -1000, 1000)
        fn_case(stem, op, ['$a', '$b'], {'a': ints(r, (7, 5), -1000, 1000), 'b': b}, lambda a, b, f=f: f(i32(a), i32(b)),
                f'torch.{op}(a, b)  # int32')
        stem = f'{op}.int32-float.4x6'
        r = rng_for(stem)
        fn_case(stem, op, ['$a', '$b'], {'a': ints(r, (4, 6)), 'b': normal(r, (4, 6)) + 3}, lambda a, b, f=f: f(i32(a), b),
                f'torch.{op}(a, b)  # int32 and float32', grads=('b',))
        stem = f'{op}.float-bool.3x4-4'
        r = rng_for(stem)
        if op == 'sub':  # torch refuses `-` with any bool tensor
            error_case(stem.replace('sub.', 'sub.error.'), op, ['$a', '$b'], {'a': normal(r, (3, 4)), 'b': bools(r, (4,))}, f,
                       'torch.sub(a, b)  # float32 and bool', 'sub: subtraction with a bool tensor is not supported')
        else:
            fn_case(stem, op, ['$a', '$b'], {'a': normal(r, (3, 4)), 'b': bools(r, (4,))}, lambda a, b, f=f: f(a, b),
                    f'torch.{op}(a, b)  # float32 and bool', grads=('a',))
            stem = f'{op}.bool-int32.outer.3x1-1x4'
            r = rng_for(stem)
            b = ints(r, (1, 4), 1, 5) if op == 'div' else ints(r, (1, 4))
            fn_case(stem, op, ['$a', '$b'], {'a': bools(r, (3, 1)), 'b': b}, lambda a, b, f=f: f(a, i32(b)),
                    f'torch.{op}(a, b)  # bool and int32')
        for s in [3, -2, 0.5]:
            stem = f'{op}.int32-number.{s}'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', s], {'a': ints(r, (5, 3), -50, 50)}, lambda a, s=s, f=f: f(i32(a), s), f'torch.{op}(a, {s})')
            stem = f'{op}.number-int32.{s}'
            r = rng_for(stem)
            fn_case(stem, op, [s, '$b'], {'b': ints(r, (5, 3), 1, 50)}, lambda b, s=s, f=f: f(torch.tensor(s), i32(b)) if op != 'sub' else s - i32(b),
                    f'{s} {op} b')
            if op != 'sub':
                stem = f'{op}.bool-number.{s}'
                r = rng_for(stem)
                fn_case(stem, op, ['$a', s], {'a': bools(r, (2, 5))}, lambda a, s=s, f=f: f(a, s), f'torch.{op}(a, {s})')
        if op != 'sub':
            stem = f'{op}.bool-bool.5x3'
            r = rng_for(stem)
            fn_case(stem, op, ['$a', '$b'], {'a': bools(r, (5, 3)), 'b': bools(r, (5, 3))}, f, f'torch.{op}(a, b)  # bool')
    stem = 'sub.error.bool-bool'
    r = rng_for(stem)
    error_case(stem, 'sub', ['$a', '$b'], {'a': bools(r, (3,)), 'b': bools(r, (3,))}, torch.sub, 'torch.sub(a, b)  # bool',
               'sub: subtraction with a bool tensor is not supported')
    stem = 'sub.error.bool-number'
    r = rng_for(stem)
    error_case(stem, 'sub', ['$a', 1], {'a': bools(r, (3,))}, lambda a: torch.sub(a, 1), 'torch.sub(a, 1)  # bool',
               'sub: subtraction with a bool tensor is not supported')


def print_case(stem, x, requires_grad=False):
    """str(t) of torch for input.x, compared with x.toString(). A non-empty int32 input is printed by torch
    as int64: softmax-nn's int32 is the integer type PyTorch code gets by default, so it prints as PyTorch
    prints its default (no dtype); an empty one names its dtype, as torch names every empty integer tensor's."""
    t = torch.from_numpy(np.array(x, copy=True))
    if t.dtype == torch.int32 and t.numel() > 0:
        t = t.long()
    if requires_grad:
        t.requires_grad_(True)
    add_case(stem, 'print', 'Tensor.toString', ['$x'], {'expected': str(t), 'requiresGrad': requires_grad}, 'str(x)',
             {'input.x': np.array(x, copy=True)})


def gen_print():
    f = np.float32
    r = rng_for('print')
    cases = {
        'scalar.float': np.array(3.5, f), 'scalar.integer-valued': np.array(2.0, f), 'scalar.neg-zero': np.array(-0.0, f),
        'scalar.nan': np.array(np.nan, f), 'scalar.small': np.array(1e-5, f), 'scalar.large': np.array(123456789.0, f),
        'scalar.int32': np.array(-7, np.int32), 'scalar.bool': np.array(True),
        'empty.0': np.zeros(0, f), 'empty.0x3': np.zeros((0, 3), f), 'empty.2x0x1': np.zeros((2, 0, 1), f),
        'empty.int32': np.zeros(0, np.int32), 'empty.bool.3x0': np.zeros((3, 0), bool),
        '1d.normal': normal(r, (7,)), '1d.integer-valued': np.array([1, 2, -3, 10], f),
        '1d.zeros': np.zeros(4, f), '1d.nan-inf': np.array([1.5, np.nan, np.inf, -np.inf, 0.0], f),
        '1d.nan-inf-integer': np.array([1.0, np.nan, -np.inf], f), '1d.only-nonfinite': np.array([np.nan, 0.0, np.inf], f),
        '1d.small-and-one': np.array([1e-5, 1.0], f), '1d.huge-and-one': np.array([1e9, 1.0], f),
        '1d.range-1000': np.array([1e-3, 10.0], f), '1d.range-1001-integer': np.array([1.0, 1001.0], f),
        '1d.above-1e8-integer': np.array([2e8, 3.0], f), '1d.neg-zero-integer': np.array([-0.0, 2.0], f),
        '1d.neg-zero-fixed': np.array([-0.0, 0.25], f), '1d.subnormal': np.array([1e-40, -3e-39], f),
        '1d.ties-fixed': np.array([0.03125, 0.09375, -0.03125, 0.15625], f),
        '1d.ties-sci': np.array([123465.0, 1.0, 0.00012345], f), '1d.float32-max': np.array([3.4028235e38, -1.0], f),
        '1d.wrap-30': normal(r, (30,)), '1d.wrap-100-scaled': normal(r, (100,), 1000.0),
        '1d.arange-25': np.arange(25, dtype=f), '1d.int32-50': r.randint(-1000, 1000, 50).astype(np.int32),
        '1d.int32-extremes': np.array([0, 2147483647, -2147483648, 5], np.int32),
        '1d.int32-suffix-wraps': np.array([1234567890] * 6, np.int32), '1d.bool-40': r.rand(40) < 0.5,
        '2d.normal': normal(r, (4, 5)), '2d.scaled': normal(r, (3, 3), 100.0), '2d.int32': r.randint(-5, 50, (3, 4)).astype(np.int32),
        '2d.bool': r.rand(3, 4) < 0.5, '2d.wide': normal(r, (2, 17)), '2d.column': normal(r, (5, 1)),
        '3d.normal': normal(r, (2, 3, 4)), '4d.normal': normal(r, (2, 1, 2, 3)),
        'summarized.1d-2000': normal(r, (2000,)), 'summarized.2d-40x50': normal(r, (40, 50)),
        'summarized.3d-10x10x11': normal(r, (10, 10, 11)), 'summarized.2d-1001x1': normal(r, (1001, 1)),
        'summarized.int32-1001': r.randint(-99, 99, 1001).astype(np.int32), 'summarized.bool-1200': r.rand(1200) < 0.5,
        'summarized.small-values-hidden': np.concatenate([np.full(3, 1.5, f), np.full(994, 1e-7, f), np.full(4, 2.5, f)]),
    }
    for name, x in cases.items():
        print_case(f'Tensor.toString.{name}', x)
    print_case('Tensor.toString.requires-grad', normal(r, (3,)), requires_grad=True)
    print_case('Tensor.toString.requires-grad.empty', np.zeros(0, f), requires_grad=True)
    print_case('Tensor.toString.requires-grad.suffix-wraps', normal(r, (9,), 100.0), requires_grad=True)


def gen_bool():
    gen_compare()
    gen_logical()
    gen_bool_casts()
    gen_promotion()
    gen_print()
