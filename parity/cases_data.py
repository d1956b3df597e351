"""Parity cases for data: the batch transforms and ImageDataset's pixel scaling."""

import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from cases_common import add_case, normal, rng_for, to_np, to_torch, uniform


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
    # random rotation / affine with one-point ranges (deterministic): torchvision's F.rotate / F.affine on
    # tensors with fill=None — its inverse map, affine grid and grid_sample with zero padding, which is
    # softmax-nn's fill = 0. (torchvision's fill=0 also scales a border pixel by its in-image weight.)
    images, _ = fashion_mnist_sample()
    for (n, c, h, w), op, label, args, (angle, scale, shear), mode in [
        ((2, 3, 5, 7), 'randomRotation', 'deg30', [[30, 30]], (-30, 1.0, (0.0, 0.0)), 'bilinear'),
        ((3, 1, 28, 28), 'randomRotation', 'deg-12.5', [[-12.5, -12.5]], (12.5, 1.0, (0.0, 0.0)), 'bilinear'),
        ((2, 1, 6, 6), 'randomRotation', 'deg-45', [[-45, -45], {'interpolation': 'nearest'}], (45, 1.0, (0.0, 0.0)), 'nearest'),
        ((3, 2, 7, 5), 'randomAffine', 'deg20.scale1.25.shear10,-5', [{'degrees': [20, 20], 'scale': [1.25, 1.25], 'shear': [10, 10, -5, -5]}],
         (20, 1.25, (10.0, -5.0)), 'bilinear'),
        ((3, 1, 28, 28), 'randomAffine', 'deg-8.scale0.75.shear6', [{'degrees': [-8, -8], 'scale': [0.75, 0.75], 'shear': [6, 6]}],
         (-8, 0.75, (6.0, 0.0)), 'bilinear'),
        ((2, 1, 9, 8), 'randomAffine', 'deg33.scale0.8', [{'degrees': [33, 33], 'scale': [0.8, 0.8], 'interpolation': 'nearest'}],
         (33, 0.8, (0.0, 0.0)), 'nearest'),
    ]:
        stem = f'data.transforms.{op}.{n}x{c}x{h}x{w}.{label}.{mode}'
        if (h, w) == (28, 28):
            x = (images[:n].reshape(n, 1, 28, 28).astype(np.float32) / np.float32(255)).astype(np.float32)
        else:
            x = uniform(rng_for(stem), (n, c, h, w), 0, 1)
        fn = 'F.rotate(x, %s)' % -angle if op == 'randomRotation' else f'F.affine(x, {angle}, [0, 0], {scale}, {list(shear)})'
        transform_case(stem, f'data.transforms.{op}', args, x, tv_affine(to_torch(x), angle, scale, shear, mode),
                       f"torchvision {fn}, interpolation={mode}, fill=None: affine grid + grid_sample(padding_mode='zeros')")
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


def tv_affine(x, angle, scale, shear, mode):
    """torchvision.transforms.functional.affine(x, angle, [0, 0], scale, shear) on a float tensor with
    fill=None, torchvision's steps written out (torchvision is not a dependency): _get_inverse_affine_matrix
    about the centre, _gen_affine_grid, grid_sample(align_corners=False, padding_mode='zeros').
    F.rotate(x, a) is this with angle = -a."""
    n, _, h, w = x.shape
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    matrix = [v / scale for v in [d, -b, 0.0, -c, a, 0.0]]
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(1, 2, 3)
    base = torch.empty(1, h, w, 3, dtype=torch.float32)
    base[..., 0].copy_(torch.linspace(-w * 0.5 + 0.5, w * 0.5 - 0.5, steps=w))
    base[..., 1].copy_(torch.linspace(-h * 0.5 + 0.5, h * 0.5 - 0.5, steps=h).unsqueeze_(-1))
    base[..., 2].fill_(1)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=torch.float32)
    grid = base.view(1, h * w, 3).bmm(rescaled).view(1, h, w, 2).expand(n, h, w, 2)
    return F.grid_sample(x, grid, mode=mode, padding_mode='zeros', align_corners=False)
