"""Shared by the parity case generators (generate.py): torch's settings, the seeded inputs, and how a
case is run in torch and written (add_case, fn_case, module_case). CASES collects stem -> file bytes."""

import json
import math
import os
import sys
import zlib

import numpy as np
import torch

SEED = 5  # the one committed seed

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# ---------------------------------------------------------------------------------------------------
# safetensors, with json + numpy: parity/safetensors_np.py (shared with whole_run.py)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_np import st_serialize  # noqa: E402


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
    if t.dtype == torch.bool:
        return t.numpy().copy()
    if t.dtype in (torch.int64, torch.int32):
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


MODULE_BUILDERS = {}  # path -> (args -> torch module), filled by the cases_*.py of newer layers


def build_module(spec):
    """The torch module for a TS constructor spec {"$module": path, "args": [...]}, then the spec's
    optional "then" steps ([method, *args], e.g. ["addModule", "b0", {...}]; {"$layer": i} is net[i])."""
    m = build_plain_module(spec)
    for method, *args in spec.get('then', []):
        def arg(x):
            if isinstance(x, list):
                return [arg(y) for y in x]
            if isinstance(x, dict) and '$layer' in x:
                return m[x['$layer']]
            return build_module(x) if isinstance(x, dict) and '$module' in x else x
        getattr(m, {'addModule': 'add_module', 'registerModule': 'add_module'}.get(method, method))(*[arg(x) for x in args])
    return m


def build_plain_module(spec):
    path, args = spec['$module'], spec['args']
    a = [build_module(x) if isinstance(x, dict) and '$module' in x else x for x in args]
    if path == 'nn.Linear':
        opts = a[2] if len(a) > 2 else {}
        return torch.nn.Linear(a[0], a[1], bias=opts.get('bias', True))
    if path == 'nn.Sequential':
        return torch.nn.Sequential(*a)
    if path == 'nn.ModuleList':
        return torch.nn.ModuleList(*a)
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
        return torch.nn.CrossEntropyLoss(reduction=o.get('reduction', 'mean'), label_smoothing=o.get('labelSmoothing', 0.0),
                                         ignore_index=o.get('ignoreIndex', -100))
    if path == 'nn.MSELoss':
        o = a[0] if a else {}
        return torch.nn.MSELoss(reduction=o.get('reduction', 'mean'))
    if path in MODULE_BUILDERS:
        return MODULE_BUILDERS[path](a)
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




def logits_variants(r, n, c):
    x = normal(r, (n, c), 3.0)
    yield 'plain', x
    yield 'scaled1e4', (normal(r, (n, c)) * 1e4).astype(np.float32)
    m = normal(r, (n, c), 3.0)
    mask = r.rand(n, c) < 0.3
    mask[:, 0] = False  # keep one finite logit per row
    m[mask] = -np.inf
    yield 'neginf', m


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
