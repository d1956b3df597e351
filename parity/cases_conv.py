"""Parity cases for convolution, pooling and batch norm (tensor/ops/conv.ts, pool.ts, batch-norm.ts and
their layers): odd sizes, strides 1-3, paddings including 'same', dilations, groups (depthwise too),
overlapping and padded pooling windows in floor and ceil mode, batch norm in train and eval over several
steps, and the calls both sides refuse."""

import numpy as np
import torch
import torch.nn.functional as F

from cases_bool import error_case
from cases_layers import as_runtime_error
from cases_common import MODULE_BUILDERS, M, add_case, build_module, dims, fn_case, module_case, normal, rng_for, to_np, to_torch


def _o(a, i):
    return a[i] if len(a) > i and isinstance(a[i], dict) else {}


def _conv(a):
    o = _o(a, 3)
    return torch.nn.Conv2d(a[0], a[1], a[2] if isinstance(a[2], int) else tuple(a[2]), stride=_tup(o.get('stride', 1)),
                           padding=_pad(o.get('padding', 0)), dilation=_tup(o.get('dilation', 1)),
                           groups=o.get('groups', 1), bias=o.get('bias', True))


def _tup(v):
    return tuple(v) if isinstance(v, list) else v


def _pad(v):
    return v if isinstance(v, str) else _tup(v)


def _bn(cls):
    def build(a):
        o = _o(a, 1)
        return cls(a[0], eps=o.get('eps', 1e-5), momentum=o.get('momentum', 0.1), affine=o.get('affine', True),
                   track_running_stats=o.get('trackRunningStats', True))
    return build


MODULE_BUILDERS.update({
    'nn.Conv2d': _conv,
    'nn.MaxPool2d': lambda a: torch.nn.MaxPool2d(_tup(a[0]), stride=_tup(_o(a, 1).get('stride')), padding=_tup(_o(a, 1).get('padding', 0)),
                                                 dilation=_tup(_o(a, 1).get('dilation', 1)), ceil_mode=_o(a, 1).get('ceilMode', False)),
    'nn.AvgPool2d': lambda a: torch.nn.AvgPool2d(_tup(a[0]), stride=_tup(_o(a, 1).get('stride')), padding=_tup(_o(a, 1).get('padding', 0)),
                                                 ceil_mode=_o(a, 1).get('ceilMode', False),
                                                 count_include_pad=_o(a, 1).get('countIncludePad', True),
                                                 divisor_override=_o(a, 1).get('divisorOverride')),
    'nn.AdaptiveAvgPool2d': lambda a: torch.nn.AdaptiveAvgPool2d(_tup(a[0])),
    'nn.BatchNorm1d': _bn(torch.nn.BatchNorm1d),
    'nn.BatchNorm2d': _bn(torch.nn.BatchNorm2d),
})

# (name, x shape, weight shape, options)
CONVS = [
    ('basic', (3, 2, 9, 11), (5, 2, 3, 3), {}),
    ('pad1', (2, 3, 7, 7), (4, 3, 3, 3), {'padding': 1}),
    ('stride2-pad', (2, 3, 11, 9), (5, 3, 3, 5), {'stride': 2, 'padding': [1, 2]}),
    ('stride3', (1, 2, 13, 10), (3, 2, 4, 3), {'stride': [3, 2], 'padding': [2, 0]}),
    ('dilation2', (2, 2, 11, 13), (3, 2, 3, 3), {'dilation': 2, 'padding': 1}),
    ('dilation-mixed', (1, 3, 12, 9), (2, 3, 2, 3), {'dilation': [3, 1], 'stride': [1, 2]}),
    ('groups3', (2, 6, 7, 9), (9, 2, 3, 3), {'groups': 3, 'padding': 1}),
    ('depthwise', (3, 5, 8, 7), (5, 1, 3, 3), {'groups': 5, 'padding': 1, 'stride': 2}),
    ('same-odd', (2, 3, 9, 7), (4, 3, 3, 5), {'padding': 'same'}),
    ('same-even', (2, 2, 8, 9), (3, 2, 4, 2), {'padding': 'same'}),
    ('same-dilated', (1, 2, 9, 10), (3, 2, 3, 4), {'padding': 'same', 'dilation': [2, 3]}),
    ('valid', (2, 1, 6, 8), (2, 1, 5, 5), {'padding': 'valid'}),
    ('lenet1', (3, 1, 28, 28), (6, 1, 5, 5), {'padding': 2}),
    ('1x1', (2, 7, 5, 3), (4, 7, 1, 1), {}),
]


def torch_conv_opts(o):
    return {'stride': _tup(o.get('stride', 1)), 'padding': _pad(o.get('padding', 0)), 'dilation': _tup(o.get('dilation', 1)),
            'groups': o.get('groups', 1)}


def gen_conv_fn():
    op = 'nn.functional.conv2d'
    for name, xs, ws, o in CONVS:
        for with_bias in [True, False]:
            stem = f'{op}.{name}.{dims(xs)}.{dims(ws)}' + ('' if with_bias else '.nobias')
            r = rng_for(stem)
            inputs = {'x': normal(r, xs), 'w': normal(r, ws, 0.5)}
            if with_bias:
                inputs['b'] = normal(r, (ws[0],))
            to = torch_conv_opts(o)
            fn = (lambda x, w, b, to=to: F.conv2d(x, w, b, **to)) if with_bias else (lambda x, w, to=to: F.conv2d(x, w, None, **to))
            fn_case(stem, op, ['$x', '$w', '$b' if with_bias else None, o], inputs, fn, f'F.conv2d(x, w, {"b" if with_bias else "None"}, **{to})',
                    grads=tuple(inputs))
    # unbatched [C, H, W]
    stem = f'{op}.unbatched.3x7x8'
    r = rng_for(stem)
    inputs = {'x': normal(r, (3, 7, 8)), 'w': normal(r, (4, 3, 3, 3)), 'b': normal(r, (4,))}
    fn_case(stem, op, ['$x', '$w', '$b', {'stride': 2, 'padding': 1}], inputs, lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
            'F.conv2d(x, w, b, stride=2, padding=1)  # unbatched', grads=('x', 'w', 'b'))


def gen_conv_modules():
    for name, args, xs in [('basic', [3, 5, 3], (2, 3, 7, 9)),
                           ('stride-pad-nobias', [2, 4, [3, 5], {'stride': [2, 1], 'padding': [1, 2], 'bias': False}], (3, 2, 9, 8)),
                           ('groups-dilation', [4, 6, 3, {'groups': 2, 'dilation': 2, 'padding': 'same'}], (2, 4, 9, 9)),
                           ('unbatched', [2, 3, 3, {'padding': 1}], (2, 5, 6))]:
        stem = f'nn.Conv2d.{name}.{dims(xs)}'
        r = rng_for(stem)
        module_case(stem, M('nn.Conv2d', *args), {'x': normal(r, xs)})


POOLS = [
    ('k2', (2, 3, 8, 9), 2, {}),
    ('k3s2-overlap', (2, 2, 9, 11), 3, {'stride': 2}),
    ('k3s1-pad1', (1, 3, 7, 8), 3, {'stride': 1, 'padding': 1}),
    ('rect', (2, 2, 11, 9), [3, 2], {'stride': [2, 3], 'padding': [1, 1]}),
    ('s3', (1, 2, 13, 10), [4, 3], {'stride': 3, 'padding': [2, 1]}),
    ('unbatched', (3, 7, 9), 3, {'stride': 2, 'padding': 1}),
]

# Ceil mode: sizes where it adds a partial last window on one or both axes (with and without padding,
# strides 2 and 3), where it adds none (the windows tile the input), and where the window it would add
# starts past the input, which PyTorch's rule removes ('past-input', rows and columns).
CEIL_POOLS = [
    ('ceil-k2', (2, 3, 7, 9), 2, {'ceilMode': True}),
    ('ceil-k3s2-pad1', (1, 2, 8, 10), 3, {'stride': 2, 'padding': 1, 'ceilMode': True}),
    ('ceil-s3', (2, 2, 11, 10), [4, 3], {'stride': 3, 'padding': [2, 1], 'ceilMode': True}),
    ('ceil-tiles', (1, 3, 9, 9), 3, {'stride': 3, 'ceilMode': True}),
    ('ceil-past-input', (1, 2, 10, 8), [2, 1], {'stride': [5, 3], 'ceilMode': True}),
    ('ceil-unbatched', (3, 7, 8), 3, {'stride': 2, 'padding': 1, 'ceilMode': True}),
]


def _ceil_text(o):
    return ', ceil_mode=True' if o.get('ceilMode') else ''


def gen_pool_fn():
    for name, xs, k, o in POOLS + CEIL_POOLS:
        tk, ts, tp, ceil = _tup(k), _tup(o.get('stride')), _tup(o.get('padding', 0)), o.get('ceilMode', False)
        for dil in ([1, 2] if name != 'rect' else [1, [2, 1]]):
            oo = dict(o, dilation=dil) if dil != 1 else o
            stem = f'nn.functional.maxPool2d.{name}.{dims(xs)}' + ('' if dil == 1 else f'.dil{dims(dil) if isinstance(dil, list) else dil}')
            r = rng_for(stem)
            x = normal(r, xs)
            x = (np.round(x * 2) / 2).astype(np.float32)  # ties: the first in the window wins
            fn_case(stem, 'nn.functional.maxPool2d', ['$x', k, oo], {'x': x},
                    lambda x, tk=tk, ts=ts, tp=tp, d=_tup(dil), c=ceil: F.max_pool2d(x, tk, ts, tp, d, ceil_mode=c),
                    f'F.max_pool2d(x, {tk}, {ts}, {tp}, {_tup(dil)}{_ceil_text(o)})', grads=('x',))
        # divisor_override wins over count_include_pad either way: checked in ceil mode, where both differ
        for cip, div in [(True, None), (False, None), (True, 5)] + ([(False, 3)] if ceil else []):
            oo = dict(o)
            if not cip:
                oo['countIncludePad'] = False
            if div is not None:
                oo['divisorOverride'] = div
            stem = f'nn.functional.avgPool2d.{name}.{dims(xs)}' + ('' if cip else '.exclude-pad') + ('' if div is None else f'.div{div}')
            r = rng_for(stem)
            fn_case(stem, 'nn.functional.avgPool2d', ['$x', k, oo], {'x': normal(r, xs)},
                    lambda x, tk=tk, ts=ts, tp=tp, cip=cip, div=div, c=ceil:
                        F.avg_pool2d(x, tk, ts, tp, ceil_mode=c, count_include_pad=cip, divisor_override=div),
                    f'F.avg_pool2d(x, {tk}, {ts}, {tp}{_ceil_text(o)}, count_include_pad={cip}, divisor_override={div})', grads=('x',))
    # return_indices: the values and the flat indices in each plane
    for name, xs, k, o in POOLS[:3] + CEIL_POOLS[1:2]:
        stem = f'nn.functional.maxPool2d.indices.{name}.{dims(xs)}'
        r = rng_for(stem)
        x = normal(r, xs)
        v, i = F.max_pool2d(torch.from_numpy(x), _tup(k), _tup(o.get('stride')), _tup(o.get('padding', 0)), return_indices=True,
                            ceil_mode=o.get('ceilMode', False))
        add_case(stem, 'fn', 'nn.functional.maxPool2d', ['$x', k, dict(o, returnIndices=True)],
                 {'grads': [], 'requiresGrad': False, 'outputs': 2}, f'F.max_pool2d(x, {k}, return_indices=True{_ceil_text(o)})',
                 {'input.x': x, 'expected.out.0': to_np(v), 'expected.out.1': to_np(i)})
    for xs, size in [((2, 3, 9, 11), [4, 5]), ((1, 2, 7, 7), 3), ((2, 2, 5, 13), [5, None]), ((3, 6, 10), [4, 7]), ((1, 1, 4, 6), [7, 9])]:
        stem = f'nn.functional.adaptiveAvgPool2d.{dims(xs)}.{"x".join(str(s) for s in size) if isinstance(size, list) else size}'
        r = rng_for(stem)
        fn_case(stem, 'nn.functional.adaptiveAvgPool2d', ['$x', size], {'x': normal(r, xs)},
                lambda x, s=_tup(size): F.adaptive_avg_pool2d(x, s), f'F.adaptive_avg_pool2d(x, {_tup(size)})', grads=('x',))


def gen_pool_modules():
    for stem, ctor, xs in [('nn.MaxPool2d.k3s2p1', M('nn.MaxPool2d', 3, {'stride': 2, 'padding': 1}), (2, 3, 9, 8)),
                           ('nn.MaxPool2d.k2-default-stride', M('nn.MaxPool2d', 2), (2, 2, 7, 9)),
                           ('nn.AvgPool2d.k2s2', M('nn.AvgPool2d', 2, {'stride': 2}), (2, 6, 9, 11)),
                           ('nn.AvgPool2d.k3s1p1-exclude', M('nn.AvgPool2d', 3, {'stride': 1, 'padding': 1, 'countIncludePad': False}), (1, 3, 7, 6)),
                           ('nn.MaxPool2d.k3s2p1-ceil', M('nn.MaxPool2d', 3, {'stride': 2, 'padding': 1, 'ceilMode': True}), (2, 3, 8, 10)),
                           ('nn.AvgPool2d.k2-ceil', M('nn.AvgPool2d', 2, {'ceilMode': True}), (2, 2, 7, 9)),
                           ('nn.AvgPool2d.k3s2p1-ceil-exclude', M('nn.AvgPool2d', 3, {'stride': 2, 'padding': 1, 'ceilMode': True,
                                                                                      'countIncludePad': False}), (1, 3, 8, 7)),
                           ('nn.AdaptiveAvgPool2d.3x2', M('nn.AdaptiveAvgPool2d', [3, 2]), (2, 3, 8, 7)),
                           ('nn.AdaptiveAvgPool2d.1', M('nn.AdaptiveAvgPool2d', 1), (2, 5, 6, 6))]:
        r = rng_for(stem)
        module_case(f'{stem}.{dims(xs)}', ctor, {'x': normal(r, xs)})


def gen_pool_print():
    """str(net) of pooling layers: MaxPool2d prints ceil_mode, AvgPool2d prints neither it nor its other flags."""
    ctor = {'$module': 'nn.Sequential', 'args': [M('nn.MaxPool2d', 3, {'stride': 2, 'padding': 1, 'ceilMode': True}), M('nn.MaxPool2d', 2),
                                                 M('nn.AvgPool2d', [3, 2], {'padding': 1, 'ceilMode': True, 'countIncludePad': False,
                                                                            'divisorOverride': 2}),
                                                 M('nn.AvgPool2d', 2, {'ceilMode': False})]}
    m = build_module(ctor)
    spec = {'ctor': ctor, 'str': str(m), 'stateDictKeys': [], 'namedParameters': [],
            'namedModules': [n for n, _ in m.named_modules()], 'namedChildren': [n for n, _ in m.named_children()], 'length': len(m)}
    add_case('nn.Sequential.container.pooling-print', 'module-info', 'nn.Sequential', [], spec, 'str(net) of pooling layers', {})


def gen_batch_norm():
    op = 'nn.functional.batchNorm'
    for xs in [(7, 3), (5, 4, 9), (3, 5, 4, 7)]:
        c = xs[1]
        for training in [False, True]:
            for affine in [True, False]:
                stem = f'{op}.{"train" if training else "eval"}.{"affine" if affine else "plain"}.{dims(xs)}'
                r = rng_for(stem)
                inputs = {'x': normal(r, xs, 2.0, 0.5), 'rm': normal(r, (c,), 0.3), 'rv': np.abs(normal(r, (c,))) + 0.5}
                if affine:
                    inputs['w'] = normal(r, (c,))
                    inputs['b'] = normal(r, (c,))
                opts = {'training': training, 'momentum': 0.3, 'eps': 1e-3}
                if affine:
                    opts.update({'weight': '$w', 'bias': '$b'})
                fn = ((lambda x, rm, rv, w, b, t=training: F.batch_norm(x, rm, rv, w, b, t, 0.3, 1e-3)) if affine
                      else (lambda x, rm, rv, t=training: F.batch_norm(x, rm, rv, None, None, t, 0.3, 1e-3)))
                fn_case(stem, op, ['$x', '$rm', '$rv', opts], inputs, fn,
                        f'F.batch_norm(x, rm, rv, {"w, b" if affine else "None, None"}, training={training}, momentum=0.3, eps=1e-3)',
                        grads=('x', 'w', 'b') if affine else ('x',))
    for cls, xs, opts in [('nn.BatchNorm1d', (9, 4), {}), ('nn.BatchNorm1d', (5, 3, 7), {'affine': False}),
                          ('nn.BatchNorm2d', (4, 3, 5, 7), {}), ('nn.BatchNorm2d', (3, 2, 5, 5), {'momentum': None, 'eps': 1e-3})]:
        for train in [True, False]:
            stem = f'{cls}.{"train" if train else "eval"}.{dims(xs)}' + ('' if not opts else '.' + '-'.join(opts))
            r = rng_for(stem)
            module_case(stem, M(cls, xs[1], opts) if opts else M(cls, xs[1]), {'x': normal(r, xs, 2.0, 1.0)}, train=train)
        bn_steps(cls, xs, opts)


def bn_steps(cls, xs, opts):
    """Three training steps (outputs and the input gradient of each), the buffers after them, then eval."""
    ctor = M(cls, xs[1], opts) if opts else M(cls, xs[1])
    stem = f'{cls}.steps.{dims(xs)}' + ('' if not opts else '.' + '-'.join(opts))
    r = rng_for(stem)
    torch.manual_seed(0)
    m = MODULE_BUILDERS[cls](ctor['args'])
    tensors = {}
    with torch.no_grad():
        for name, p in m.named_parameters():
            a = normal(r, tuple(p.shape), 0.5, 1.0)
            p.copy_(torch.from_numpy(a))
            tensors[f'param.{name}'] = a
    m.train()
    for k in range(1, 4):
        x = normal(r, xs, 1.5, float(k))
        t = to_torch(x).requires_grad_(True)
        out = m(t)
        g = normal(r, tuple(out.shape))
        out.backward(torch.from_numpy(g))
        tensors.update({f'input.s{k}.x': x, f'grad_out.s{k}': g, f'expected.s{k}.out': to_np(out), f'expected.s{k}.grad.x': to_np(t.grad)})
    for name, b in m.named_buffers():
        tensors[f'expected.buffer.{name}'] = to_np(b)
    m.eval()
    x = normal(r, xs, 1.5, 2.0)
    tensors['input.eval.x'] = x
    tensors['expected.eval.out'] = to_np(m(to_torch(x)))
    add_case(stem, 'module-steps', cls, ctor['args'], {'ctor': ctor, 'steps': 3}, repr(m), tensors)


def gen_conv_errors():
    r = rng_for('conv-errors')
    x4, w = normal(r, (2, 3, 5, 5)), normal(r, (4, 2, 3, 3))
    error_case('nn.functional.conv2d.error.channels', 'nn.functional.conv2d', ['$x', '$w'], {'x': x4, 'w': w},
               lambda x, w: F.conv2d(x, w), 'F.conv2d(x, w)  # 3 channels, weight wants 2', 'expected input[2, 3, 5, 5] to have 2 channels')
    big = normal(r, (4, 3, 7, 7))
    error_case('nn.functional.conv2d.error.kernel-too-big', 'nn.functional.conv2d', ['$x', '$w'], {'x': x4, 'w': big},
               lambda x, w: F.conv2d(x, w), 'F.conv2d(x, w)  # 7x7 kernel on 5x5', "Kernel size can't be greater than actual input size")
    w3 = normal(r, (4, 3, 3, 3))
    error_case('nn.functional.conv2d.error.same-strided', 'nn.functional.conv2d', ['$x', '$w', None, {'padding': 'same', 'stride': 2}],
               {'x': x4, 'w': w3}, lambda x, w: F.conv2d(x, w, None, stride=2, padding='same'), "F.conv2d(x, w, stride=2, padding='same')",
               "padding='same' is not supported for strided convolutions")
    error_case('nn.functional.conv2d.error.groups', 'nn.functional.conv2d', ['$x', '$w', None, {'groups': 2}], {'x': x4, 'w': w3},
               lambda x, w: F.conv2d(x, w, None, groups=2), 'F.conv2d(x, w, groups=2)  # 3 channels', 'to have 6 channels')
    error_case('nn.functional.conv2d.error.2d-input', 'nn.functional.conv2d', ['$x', '$w'], {'x': normal(r, (5, 5)), 'w': w3},
               lambda x, w: F.conv2d(x, w), 'F.conv2d(x, w)  # 2-D input', 'Expected 3D (unbatched) or 4D (batched) input')
    error_case('nn.functional.maxPool2d.error.pad', 'nn.functional.maxPool2d', ['$x', 3, {'padding': 2}], {'x': x4},
               lambda x: F.max_pool2d(x, 3, padding=2), 'F.max_pool2d(x, 3, padding=2)', 'pad should be at most half of effective kernel size')
    error_case('nn.functional.avgPool2d.error.too-small', 'nn.functional.avgPool2d', ['$x', 7], {'x': x4},
               lambda x: F.avg_pool2d(x, 7), 'F.avg_pool2d(x, 7)  # 5x5 input', 'Output size is too small')
    error_case('nn.functional.avgPool2d.error.divisor-zero', 'nn.functional.avgPool2d', ['$x', 2, {'divisorOverride': 0}], {'x': x4},
               lambda x: F.avg_pool2d(x, 2, divisor_override=0), 'F.avg_pool2d(x, 2, divisor_override=0)', 'divisor must be not zero')
    one = normal(r, (1, 3))
    error_case('nn.functional.batchNorm.error.one-value', 'nn.functional.batchNorm', ['$x', None, None, {'training': True}], {'x': one},
               as_runtime_error(lambda x: F.batch_norm(x, None, None, training=True)), 'F.batch_norm(x, None, None, training=True)  # [1, 3]',
               'Expected more than 1 value per channel when training')


def gen_conv():
    gen_conv_fn()
    gen_conv_modules()
    gen_pool_fn()
    gen_pool_modules()
    gen_pool_print()
    gen_batch_norm()
    gen_conv_errors()
