#!/usr/bin/python3
"""PyTorch side of softmax-nn's parity suite.

Runs Debian's PyTorch (torch 1.13, CPU, float32) on inputs drawn from one fixed seed and writes one
safetensors file per case into --out: the inputs, the weights, the upstream gradient, the expected output
and the expected gradients. Each file describes itself in its ``__metadata__`` (all values are strings):

  case     the file's stem, e.g. ``crossEntropy.255x10.sum.ls0.1``
  kind     how the TypeScript side runs it: fn | module | optim | train | stats | scalar | dropout-train |
           transform | dataset
  op       the public softmax-nn name it covers, as a path from the package root
           (``add``, ``nn.Linear``, ``nn.functional.crossEntropy``, ``nn.init.kaimingUniform_``, ``optim.SGD``)
  args     JSON: the TypeScript call (``"$x"`` names the tensor ``input.x``; objects are option bags)
  spec     JSON: everything else the kind needs (which inputs get gradients, constructor, steps, statistics)
  torch    the PyTorch expression that produced the expected values, for people reading a failure
  seed     the generator seed

Tensor names: ``input.<n>``, ``param.<name>``, ``grad_out`` (fed to backward), ``expected.out``,
``expected.grad.<n>``, ``expected.grad.param.<name>``; optimisers: ``param.<i>``, ``grad.s<k>.<i>``,
``expected.s<k>.<i>``; training runs: ``expected.s<k>.param.<name>``, ``expected.s<k>.loss``.

torch 1.13 has no safetensors module, so the format (8-byte little-endian header length, JSON header,
raw little-endian data) is written and read with json + numpy (safetensors_np.py, shared with whole_run.py).

Determinism (parity/check-regenerate.sh relies on it): fixed seeds per case (crc32 of the case name),
numpy's legacy RandomState (its streams are frozen), torch.set_num_threads(1), sorted JSON keys, sorted
tensor order, no timestamps, and the output directory's *.safetensors are replaced as a whole.

Deliberate differences between the two APIs, handled here where the case is written:
  * class labels are int32 in softmax-nn (the core has no int64); torch gets them as int64.
  * argmax / eq return int32 in softmax-nn (torch: int64 / bool); compared as integers.
  * options are objects in TypeScript (``{reduction: 'sum', labelSmoothing: 0.1}``) where torch has
    keyword arguments; the mapping is written case by case below.
  * random streams differ (softmax-nn's generator lives in the Rust core), so random initialisers,
    randn/rand and dropout in training mode are compared by their statistics, not element by element.
"""

import argparse
import json
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

SEED = 5  # the one committed seed

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# ---------------------------------------------------------------------------------------------------
# safetensors, with json + numpy: parity/safetensors_np.py (shared with whole_run.py)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_np import st_deserialize, st_serialize  # noqa: E402


# ---------------------------------------------------------------------------------------------------
# helpers

BATCHES = [1, 3, 37, 255]
FEATURES = [1, 5, 784]
CLASSES = [2, 10, 13]

CASES = {}  # stem -> bytes


def rng_for(name):
    return np.random.RandomState(zlib.crc32(f'{SEED}:{name}'.encode()) & 0x7FFFFFFF)


def normal(r, shape, scale=1.0, loc=0.0):
    return np.asarray(r.standard_normal(shape) * scale + loc, dtype=np.float32)


def uniform(r, shape, lo, hi):
    return np.asarray(r.uniform(lo, hi, shape), dtype=np.float32)


def away_from_zero(r, shape, lo=0.5, hi=2.0):
    return (np.where(r.rand(*shape) < 0.5, -1.0, 1.0) * r.uniform(lo, hi, shape)).astype(np.float32)


def labels(r, n, c):
    return r.randint(0, c, size=n).astype(np.int32)


def dims(shape):
    return 'x'.join(str(d) for d in shape) if len(shape) else 'scalar'


def to_np(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.bool, torch.int32):
        return t.to(torch.int32).numpy().copy()
    return t.to(torch.float32).numpy().copy()


def to_torch(a):
    if a.dtype == np.int32:
        return torch.from_numpy(a.astype(np.int64))  # softmax-nn labels are int32; torch wants int64
    return torch.from_numpy(a.copy())


def add_case(stem, kind, op, args, spec, torch_expr, tensors):
    if stem in CASES:
        raise ValueError(f'duplicate case {stem}')
    meta = {
        'case': stem,
        'kind': kind,
        'op': op,
        'args': json.dumps(args, sort_keys=True, allow_nan=False),
        'spec': json.dumps(spec, sort_keys=True, allow_nan=False),
        'torch': torch_expr,
        'seed': str(SEED),
    }
    CASES[stem] = st_serialize(tensors, meta)


def fn_case(stem, op, args, inputs, torch_fn, torch_expr, grads=(), grad_scale=1.0, scalar_grad=None, scale_ref=None):
    """An op called with `args` (TS side) / `torch_fn(**inputs)` (torch side); value and input gradients.

    `scale_ref` (tensor name -> number, or a function of (inputs, grad_out) giving that dict) raises the
    scale the tolerance's `scale` term multiplies above max|expected| for a result that is the small
    difference of larger terms: the number is the size of those terms (spec.scaleRef).
    """
    r = rng_for(stem + '/grad_out')
    t_in = {}
    for k, a in inputs.items():
        t = to_torch(a)
        if k in grads:
            t.requires_grad_(True)
        t_in[k] = t
    out = torch_fn(*t_in.values())
    tensors = {f'input.{k}': a for k, a in inputs.items()}
    tensors['expected.out'] = to_np(out)
    spec = {'grads': list(grads), 'requiresGrad': bool(out.requires_grad)}
    if grads and out.requires_grad:
        g = normal(r, tuple(out.shape), grad_scale) if scalar_grad is None else np.full(tuple(out.shape), scalar_grad, np.float32)
        out.backward(torch.from_numpy(g))
        tensors['grad_out'] = g
        for k in grads:
            if t_in[k].grad is not None:
                tensors[f'expected.grad.{k}'] = to_np(t_in[k].grad)
    if scale_ref is not None:
        spec['scaleRef'] = scale_ref(inputs, tensors.get('grad_out')) if callable(scale_ref) else scale_ref
    add_case(stem, 'fn', op, args, spec, torch_expr, tensors)


def build_module(spec):
    """The torch module for a TS constructor spec {"$module": path, "args": [...]}."""
    path, args = spec['$module'], spec['args']
    a = [build_module(x) if isinstance(x, dict) and '$module' in x else x for x in args]
    if path == 'nn.Linear':
        opts = a[2] if len(a) > 2 else {}
        return torch.nn.Linear(a[0], a[1], bias=opts.get('bias', True))
    if path == 'nn.Sequential':
        return torch.nn.Sequential(*a)
    if path == 'nn.Flatten':
        return torch.nn.Flatten(*a)
    if path in ('nn.ReLU', 'nn.Sigmoid', 'nn.Identity'):
        return getattr(torch.nn, path[3:])()
    if path in ('nn.Softmax', 'nn.LogSoftmax'):
        return getattr(torch.nn, path[3:])(dim=a[0])
    if path == 'nn.Dropout':
        return torch.nn.Dropout(*a)
    if path == 'nn.CrossEntropyLoss':
        o = a[0] if a else {}
        return torch.nn.CrossEntropyLoss(reduction=o.get('reduction', 'mean'), label_smoothing=o.get('labelSmoothing', 0.0))
    if path == 'nn.MSELoss':
        o = a[0] if a else {}
        return torch.nn.MSELoss(reduction=o.get('reduction', 'mean'))
    raise ValueError(path)


def M(path, *args):
    return {'$module': path, 'args': list(args)}


def init_params(stem, module, scale=None):
    """Fresh parameters from numpy (torch's own init draws are not reproducible on the TS side)."""
    r = rng_for(stem + '/params')
    out = {}
    with torch.no_grad():
        for name, p in module.named_parameters():
            fan_in = p.shape[1] if p.dim() > 1 else p.shape[0]
            s = scale if scale is not None else 1.0 / math.sqrt(fan_in)
            a = uniform(r, tuple(p.shape), -s, s)
            p.copy_(torch.from_numpy(a))
            out[name] = a
    return out


def module_case(stem, ctor, inputs, train=False, grads=('x',), grad_scale=1.0, scalar_grad=None, torch_expr=None, scale_ref=None):
    torch.manual_seed(0)
    m = build_module(ctor)
    m.train(train)
    params = init_params(stem, m)
    t_in = {}
    for k, a in inputs.items():
        t = to_torch(a)
        if k in grads:
            t.requires_grad_(True)
        t_in[k] = t
    out = m(*t_in.values())
    tensors = {f'input.{k}': a for k, a in inputs.items()}
    tensors.update({f'param.{k}': a for k, a in params.items()})
    tensors['expected.out'] = to_np(out)
    if out.requires_grad:
        r = rng_for(stem + '/grad_out')
        g = normal(r, tuple(out.shape), grad_scale) if scalar_grad is None else np.full(tuple(out.shape), scalar_grad, np.float32)
        out.backward(torch.from_numpy(g))
        tensors['grad_out'] = g
        for k in grads:
            if t_in[k].grad is not None:
                tensors[f'expected.grad.{k}'] = to_np(t_in[k].grad)
        for name, p in m.named_parameters():
            tensors[f'expected.grad.param.{name}'] = to_np(p.grad)
    spec = {'ctor': ctor, 'train': train, 'grads': list(grads), 'inputs': list(inputs), 'requiresGrad': bool(out.requires_grad)}
    if scale_ref is not None:
        spec['scaleRef'] = scale_ref(inputs, tensors.get('grad_out')) if callable(scale_ref) else scale_ref
    add_case(stem, 'module', ctor['$module'], ctor['args'], spec, torch_expr or repr(m).replace('\n', ' '), tensors)


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

def logits_variants(r, n, c):
    x = normal(r, (n, c), 3.0)
    yield 'plain', x
    yield 'scaled1e4', (normal(r, (n, c)) * 1e4).astype(np.float32)
    m = normal(r, (n, c), 3.0)
    mask = r.rand(n, c) < 0.3
    mask[:, 0] = False  # keep one finite logit per row
    m[mask] = -np.inf
    yield 'neginf', m


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

def cross_entropy_scale(n, reduction):
    """spec.scaleRef of a cross-entropy case. Each sample's loss is log(sum(exp(x - max))) - (x_y - max)
    with the sum >= 1, so float32 rounds it (in torch as in softmax-nn) to an absolute error of ulp(1)
    however small the loss is: a 1x2 loss of 1.04e-4 from torch misses its float64 value by 5.7e-4
    relative. The size of the terms is 1 per sample (n for reduction 'sum'). The gradient,
    g·(softmax(x) - onehot(y)), is likewise the difference of terms of size |g| (g/n for 'mean')."""
    def refs(inputs, g):
        g_max = float(np.abs(g).max()) if g is not None else 0.0
        return {'expected.out': float(n) if reduction == 'sum' else 1.0,
                'expected.grad.x': g_max / n if reduction == 'mean' else g_max}
    return refs


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


# ---------------------------------------------------------------------------------------------------
# data: transforms on [N, C, H, W] batches, and ImageDataset's pixel scaling

def transform_case(stem, op, args, x, expected, torch_expr, spec=None, tensors=None):
    """data.transforms.<op>(...args) applied to input.x; `expected` the torch result (or None for random ones)."""
    t = {'input.x': x}
    if expected is not None:
        t['expected.out'] = to_np(expected)
    t.update(tensors or {})
    add_case(stem, 'transform', op, args, spec or {}, torch_expr, t)


def gen_data():
    for (n, c, h, w), mean, std in [((3, 1, 28, 28), 0.2860, 0.3530), ((2, 3, 5, 7), -0.5, 2.0), ((1, 1, 4, 4), 0.0, 1e-3)]:
        stem = f'data.transforms.normalize.{n}x{c}x{h}x{w}.m{mean}.s{std}'
        x = uniform(rng_for(stem), (n, c, h, w), 0, 1)
        # torchvision.transforms.Normalize(mean, std) on a tensor: tensor.sub(mean).div(std)
        transform_case(stem, 'data.transforms.normalize', [mean, std], x, to_torch(x).sub(mean).div(std),
                       f'torchvision Normalize([{mean}], [{std}]): x.sub({mean}).div({std})')
    # resize: softmax-nn's is F.interpolate(mode='bilinear', align_corners=False, antialias=False); the
    # spec records how far torch's antialiased result (torchvision >= 0.17's default for tensors) lies.
    images, _ = fashion_mnist_sample()
    for (n, c, h, w), size in [((3, 1, 28, 28), [32, 32]), ((2, 1, 28, 28), [96, 96]), ((2, 2, 5, 7), [9, 4]),
                               ((3, 1, 28, 28), [14, 14]), ((3, 1, 28, 28), [20, 20]), ((1, 1, 3, 3), [1, 1]), ((1, 3, 4, 6), [4, 6])]:
        stem = f'data.transforms.resize.{n}x{c}x{h}x{w}.to.{size[0]}x{size[1]}'
        if (h, w) == (28, 28):
            x = (images[:n].reshape(n, 1, 28, 28).astype(np.float32) / np.float32(255)).astype(np.float32)
        else:
            x = uniform(rng_for(stem), (n, c, h, w), 0, 1)
        xt = to_torch(x)
        out = F.interpolate(xt, size=size, mode='bilinear', align_corners=False)
        aa = F.interpolate(xt, size=size, mode='bilinear', align_corners=False, antialias=True)
        spec = {'antialiasMaxAbsDiff': float((out - aa).abs().max())}
        arg = size[0] if size[0] == size[1] else size
        transform_case(stem, 'data.transforms.resize', [arg], x, out,
                       f"F.interpolate(x, size={size}, mode='bilinear', align_corners=False)  # antialias=False", spec)
    # random crop and flip: the random draws are softmax-nn's own, so the case holds torch's result for
    # every possible draw (each offset of the zero-padded image; flipped or not) and each output image
    # must be exactly one of them.
    for (n, c, h, w), pad in [((4, 2, 5, 6), 2), ((3, 1, 10, 10), 4), ((2, 1, 3, 3), 0)]:
        stem = f'data.transforms.randomCrop.{n}x{c}x{h}x{w}.pad{pad}'
        x = normal(rng_for(stem), (n, c, h, w))
        padded = F.pad(to_torch(x), (pad, pad, pad, pad))
        crops = torch.stack([padded[:, :, dy:dy + h, dx:dx + w] for dy in range(2 * pad + 1) for dx in range(2 * pad + 1)], 1)
        transform_case(stem, 'data.transforms.randomCrop', [pad], x, None,
                       f'F.pad(x, ({pad},) * 4)[:, :, dy:dy + {h}, dx:dx + {w}] for dy, dx in range({2 * pad + 1})²',
                       {'candidates': (2 * pad + 1) ** 2}, {'expected.candidates': to_np(crops)})
    for p in [0.5, 1.0, 0.0]:
        stem = f'data.transforms.randomHorizontalFlip.p{p}.16x2x3x5'
        x = normal(rng_for(stem), (16, 2, 3, 5))
        xt = to_torch(x)
        cands = torch.stack([xt, torch.flip(xt, [-1])], 1)
        transform_case(stem, 'data.transforms.randomHorizontalFlip', [p], x, None,
                       'x if not flipped else torch.flip(x, [-1])', {'candidates': 2, 'p': p}, {'expected.candidates': to_np(cands)})
    # ImageDataset: uint8 pixels as torchvision's ToTensor gives them (float32, then / 255). softmax-nn
    # multiplies by float32(1/255): 1-ulp differences, within the value tolerance.
    stem = 'data.ImageDataset.pixels.all-256-values'
    pixels = np.concatenate([np.arange(256), rng_for(stem).randint(0, 256, 4 * 28 * 28 - 256)]).astype(np.uint8).reshape(4, 1, 28, 28)
    lab = np.array([3, 0, 9, 7], np.int32)
    add_case(stem, 'dataset', 'data.ImageDataset', ['$pixels', '$labels', [1, 28, 28]], {},
             'torch.from_numpy(pixels).to(torch.float32).div(255)  # torchvision ToTensor',
             {'input.pixels': pixels.astype(np.int32), 'input.labels': lab,
              'expected.x': to_np(torch.from_numpy(pixels).to(torch.float32).div(255)), 'expected.y': lab})


def fashion_mnist_sample():
    """The first 8 test images of Fashion-MNIST (uint8 [8, 784]): resizing is compared on real images.
    check-regenerate.sh requires the dataset anyway (for the whole-run fixtures)."""
    import gzip
    path = os.path.join(os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist'), 't10k-images-idx3-ubyte.gz')
    if not os.path.exists(path):
        raise FileNotFoundError(f'{path} not found: the resize cases use real Fashion-MNIST images (set FASHION_MNIST_DIR)')
    with gzip.open(path, 'rb') as fh:
        raw = fh.read(16 + 8 * 784)
    return np.frombuffer(raw, np.uint8, offset=16).reshape(8, 784), None


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
        fn_case(f'arange.{"_".join(map(str, args))}', 'arange', args, {}, lambda args=args: torch.arange(*args, dtype=torch.float32),
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


# ---------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True, help='directory for the *.safetensors cases (its old cases are removed)')
    args = ap.parse_args()
    for gen in [gen_binary, gen_unary, gen_linalg, gen_reduce, gen_softmax, gen_shape, gen_losses, gen_casts, gen_data, gen_dropout,
                gen_create, gen_init, gen_modules, gen_optim, gen_train]:
        gen()
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith('.safetensors'):
            os.remove(os.path.join(args.out, f))
    total = 0
    for stem, data in sorted(CASES.items()):
        tensors, meta = st_deserialize(data)  # round trip: what we wrote reads back
        assert meta['case'] == stem
        with open(os.path.join(args.out, stem + '.safetensors'), 'wb') as fh:
            fh.write(data)
        total += len(data)
    print(f'{len(CASES)} cases, {total / 1e6:.2f} MB, torch {torch.__version__}, seed {SEED} -> {args.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
