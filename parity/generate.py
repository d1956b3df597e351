#!/usr/bin/python3
"""PyTorch side of softmax-nn's parity suite.

Runs Debian's PyTorch (torch 1.13, CPU, float32) on inputs drawn from one fixed seed and writes one
safetensors file per case into --out: the inputs, the weights, the upstream gradient, the expected output
and the expected gradients. Each file describes itself in its ``__metadata__`` (all values are strings):

  case     the file's stem, e.g. ``crossEntropy.255x10.sum.ls0.1``
  kind     how the TypeScript side runs it: fn | module | optim | train | stats | scalar | dropout-train |
           transform | dataset | error (a call both sides refuse) | print (torch's str(x)) | scheduler
           | clip (clip_grad_norm_)
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

The cases are made in cases_ops.py (tensor ops), cases_nn.py (randomness, modules, optimisers, training
runs), cases_data.py (transforms, ImageDataset), cases_layers.py (losses and activations), cases_sched.py
(learning-rate schedulers), cases_bool.py (comparisons, logical ops, casts, promotion, printing) and
cases_container.py (Sequential as a container, str(net), state-dict keys), with the helpers of cases_common.py.
cases_ce.py: cross-entropy's weight, ignoreIndex, probability targets and their combinations.
cases_conv.py: conv2d, max / average / adaptive pooling and batch norm, functions and layers.

Determinism (parity/check-regenerate.sh relies on it): fixed seeds per case (crc32 of the case name),
numpy's legacy RandomState (its streams are frozen), torch.set_num_threads(1), sorted JSON keys, sorted
tensor order, no timestamps, and the output directory's *.safetensors are replaced as a whole.

Deliberate differences between the two APIs, handled here where the case is written:
  * class labels are int32 in softmax-nn (the core has no int64); torch gets them as int64.
  * argmax returns int32 in softmax-nn (torch: int64); compared as integers. Comparisons return bool
    (BOOL in the files), as torch's do.
  * options are objects in TypeScript (``{reduction: 'sum', labelSmoothing: 0.1}``) where torch has
    keyword arguments; the mapping is written case by case in the cases_*.py modules.
  * random streams differ (softmax-nn's generator lives in the Rust core), so random initialisers,
    randn/rand and dropout in training mode are compared by their statistics, not element by element.
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases_common import CASES, SEED  # noqa: E402
from cases_container import gen_container  # noqa: E402
from cases_create import gen_create_ops  # noqa: E402
from cases_d2l_ops import gen_d2l_ops  # noqa: E402
from cases_data import gen_data  # noqa: E402
from cases_nn import gen_create, gen_dropout, gen_init, gen_modules, gen_optim, gen_train  # noqa: E402
from cases_ops import gen_binary, gen_casts, gen_linalg, gen_losses, gen_reduce, gen_shape, gen_softmax, gen_unary  # noqa: E402
from cases_layers import gen_layers  # noqa: E402
from cases_ce import gen_cross_entropy_options  # noqa: E402
from cases_reduce import gen_reduce_more  # noqa: E402
from cases_sched import gen_adaptive, gen_sched  # noqa: E402
from cases_bool import gen_bool  # noqa: E402
from cases_views import gen_views  # noqa: E402
from cases_conv import gen_conv  # noqa: E402
from safetensors_np import st_deserialize  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True, help='directory for the *.safetensors cases (its old cases are removed)')
    args = ap.parse_args()
    for gen in [gen_binary, gen_unary, gen_linalg, gen_reduce, gen_softmax, gen_shape, gen_losses, gen_casts, gen_data, gen_dropout,
                gen_create, gen_init, gen_modules, gen_optim, gen_train, gen_create_ops, gen_reduce_more, gen_bool, gen_views,
                gen_d2l_ops, gen_layers, gen_container, gen_sched, gen_adaptive,
                gen_cross_entropy_options, gen_conv]:
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
