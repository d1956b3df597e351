#!/usr/bin/python3
"""PyTorch side of softmax-nn's whole-run and state-dict parity.

One full epoch on the real Fashion-MNIST, exactly as the notes train: batch 256, SGD lr 0.1,
CrossEntropyLoss(reduction='none') and ``l.mean().backward()``, pixels as torchvision's ToTensor gives
them (uint8 → float32, then / 255), for two networks written as torch.nn.Sequential (so their state-dict
names are softmax-nn's too):

  softmax-regression   Flatten → Linear(784, 10)
  mlp                  Flatten → Linear(784, 256) → ReLU → Linear(256, 10)

Subcommands:

  fixtures --out DIR   the committed fixtures (parity/whole-run/), from SEED:
                         start.safetensors                  the batch order (a permutation of the 60 000
                                                            training images, int32 ``order``) and every
                                                            model's initial weights (``<model>/<name>``):
                                                            weights normal(0, 0.01) as the notes'
                                                            init_weights, biases U(±1/√fan_in) as
                                                            nn.Linear's default
                         <model>.final.safetensors          torch's state_dict() after the epoch, as
                                                            torch would save it (also the torch → softmax-nn
                                                            state-dict fixture)
                         <model>.expected.safetensors       per-batch losses (``losses``, float32 l.mean()),
                                                            the test set's predicted classes (``test_pred``)
                                                            and, in the metadata, the test accuracy
  train --start FILE --out DIR
                       the live run: the same epoch from a start file written by the other side (the
                       TypeScript test writes its own initial weights and its DataLoader's order);
                       writes <model>.final / <model>.expected for the models present in FILE
  predict --model M --state FILE --out FILE
                       state dict softmax-nn → torch: load FILE into M's torch.nn.Sequential with
                       load_state_dict(strict=True), write the test set's logits and predicted classes
  torch-model --model M --seed S --batches K --out DIR
                       state dict torch → softmax-nn, live: M from torch's own default init
                       (torch.manual_seed(S)), K batches of SGD on torch.randperm's order, then
                       DIR/<M>.torch.safetensors (the state_dict) and DIR/<M>.torch-pred.safetensors
                       (test_pred, logits)

Determinism (check-regenerate.sh byte-compares the fixtures): numpy's legacy RandomState for the
start, torch.set_num_threads(1), the data read from the same files, safetensors_np's sorted headers.

``--scale mul`` (fixtures/train) multiplies by float32(1/255) as softmax-nn's ImageDataset does instead
of dividing by 255; used once to measure that difference (parity/README.md), never for fixtures.
"""

import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_np import st_load, st_save  # noqa: E402

SEED = 5
BATCH = 256
LR = 0.1
DATA_DIR = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
MODELS = ['softmax-regression', 'mlp']

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def build(model):
    if model == 'softmax-regression':
        return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    if model == 'mlp':
        return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    raise ValueError(f'unknown model {model}')


def read_idx(name):
    """An IDX file of the dataset (as .gz or plain) as a numpy array (uint8 images or labels)."""
    for fname, opener in ((name + '.gz', gzip.open), (name, open)):
        path = os.path.join(DATA_DIR, fname)
        if os.path.exists(path):
            with opener(path, 'rb') as fh:
                raw = fh.read()
            ndim = raw[3]
            shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)
    raise FileNotFoundError(f'{name}(.gz) not found in {DATA_DIR} (set FASHION_MNIST_DIR)')


_DATA = {}


def fashion_mnist():
    if not _DATA:
        _DATA['train'] = (read_idx('train-images-idx3-ubyte'), read_idx('train-labels-idx1-ubyte'))
        _DATA['test'] = (read_idx('t10k-images-idx3-ubyte'), read_idx('t10k-labels-idx1-ubyte'))
    return _DATA


def to_tensor(images, scale='div'):
    """torchvision.transforms.ToTensor on a batch of uint8 [N, 28, 28]: [N, 1, 28, 28] float32 / 255."""
    x = torch.from_numpy(np.array(images, copy=True)).unsqueeze(1).to(torch.float32)
    return x.div(255) if scale == 'div' else x.mul(torch.tensor(1 / 255, dtype=torch.float32))


def load_into(net, state):
    net.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in state.items()}, strict=True)


def state_np(net):
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


def predict(net, scale='div'):
    """Logits and predicted classes of the 10 000 test images, in batches of 256 (eval mode, no grad)."""
    images, _ = fashion_mnist()['test']
    net.eval()
    logits = []
    with torch.no_grad():
        for b in range(0, len(images), BATCH):
            logits.append(net(to_tensor(images[b:b + BATCH], scale)))
    logits = torch.cat(logits)
    return logits.numpy().copy(), logits.argmax(1).to(torch.int32).numpy().copy()


def epoch(model, start, order, scale='div'):
    """The notes' train_epoch_ch3 with an optimiser, over `order`; returns (final state, losses, test preds, acc)."""
    images, labels = fashion_mnist()['train']
    net = build(model)
    load_into(net, start)
    net.train()
    loss = torch.nn.CrossEntropyLoss(reduction='none')
    trainer = torch.optim.SGD(net.parameters(), lr=LR, foreach=False)
    losses = []
    for b in range(0, len(order), BATCH):
        idx = order[b:b + BATCH]
        X = to_tensor(images[idx], scale)
        y = torch.from_numpy(labels[idx].astype(np.int64))
        trainer.zero_grad(set_to_none=True)
        l = loss(net(X), y)
        l.mean().backward()
        trainer.step()
        losses.append(l.detach().mean().item())
    _, pred = predict(net, scale)
    test_labels = fashion_mnist()['test'][1]
    correct = int((pred == test_labels).sum())
    return state_np(net), np.array(losses, dtype=np.float32), pred, correct


def initial_weights(model, r):
    """The notes' init: weights normal(0, 0.01); biases U(±1/√fan_in) as nn.Linear leaves them."""
    out = {}
    for name, p in build(model).state_dict().items():
        if name.endswith('.weight'):
            out[name] = np.asarray(r.standard_normal(tuple(p.shape)) * 0.01, dtype=np.float32)
        else:
            fan_in = {'1.bias': 784, '3.bias': 256}[name]
            bound = 1 / np.sqrt(fan_in)
            out[name] = np.asarray(r.uniform(-bound, bound, tuple(p.shape)), dtype=np.float32)
    return out


def write_results(out_dir, model, state, losses, pred, correct, meta):
    m = dict(meta, model=model, test_correct=str(correct), test_total=str(len(pred)),
             test_acc=repr(correct / len(pred)), torch=torch.__version__)
    sizes = [st_save(os.path.join(out_dir, f'{model}.final.safetensors'), state, {'model': model, 'format': 'pt'}),
             st_save(os.path.join(out_dir, f'{model}.expected.safetensors'), {'losses': losses, 'test_pred': pred}, m)]
    return sum(sizes)


def run_models(out_dir, models, start, order, scale, meta):
    os.makedirs(out_dir, exist_ok=True)
    total = 0
    for model in models:
        t = time.time()
        state, losses, pred, correct = epoch(model, start[model], order, scale)
        total += write_results(out_dir, model, state, losses, pred, correct, meta)
        print(f'{model}: {len(losses)} batches, last loss {losses[-1]:.4f}, test acc {correct / len(pred):.4f} '
              f'({time.time() - t:.1f} s)', file=sys.stderr)
    return total


def meta_for(start_meta, scale):
    return {'batch_size': str(BATCH), 'lr': repr(LR), 'scale': scale, 'start_seed': start_meta.get('seed', ''),
            'loss': "CrossEntropyLoss(reduction='none'), l.mean().backward()", 'optim': 'SGD(lr=0.1)'}


def cmd_fixtures(args):
    r = np.random.RandomState(SEED)
    order = r.permutation(60000).astype(np.int32)
    start = {model: initial_weights(model, r) for model in MODELS}
    tensors = {'order': order}
    for model in MODELS:
        tensors.update({f'{model}/{k}': v for k, v in start[model].items()})
    start_meta = {'seed': str(SEED), 'models': json.dumps(MODELS),
                  'init': 'weights normal(0, 0.01), biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)); numpy RandomState(seed): '
                          'permutation(60000), then each model in order, each tensor in state_dict order'}
    os.makedirs(args.out, exist_ok=True)
    total = st_save(os.path.join(args.out, 'start.safetensors'), tensors, start_meta)
    total += run_models(args.out, MODELS, start, order, args.scale, meta_for(start_meta, args.scale))
    print(f'whole-run fixtures: {total / 1e6:.2f} MB -> {args.out}', file=sys.stderr)


def split_start(tensors):
    start = {}
    for key, v in tensors.items():
        if '/' in key:
            model, name = key.split('/', 1)
            start.setdefault(model, {})[name] = v
    return start


def cmd_train(args):
    tensors, meta = st_load(args.start)
    order = np.array(tensors['order'], dtype=np.int64)
    if sorted(order.tolist()) != list(range(60000)):
        raise ValueError(f'{args.start}: order is not a permutation of the 60 000 training images')
    start = split_start(tensors)
    run_models(args.out, [m for m in MODELS if m in start], start, order, args.scale, meta_for(meta, args.scale))


def cmd_predict(args):
    tensors, _ = st_load(args.state)
    net = build(args.model)
    load_into(net, tensors)  # strict=True: missing or unexpected names, or a wrong shape, raise
    logits, pred = predict(net)
    st_save(args.out, {'logits': logits, 'test_pred': pred}, {'model': args.model, 'torch': torch.__version__})


def cmd_torch_model(args):
    torch.manual_seed(args.seed)
    net = build(args.model)  # torch's own default init
    images, labels = fashion_mnist()['train']
    order = torch.randperm(60000).numpy()
    loss = torch.nn.CrossEntropyLoss(reduction='none')
    trainer = torch.optim.SGD(net.parameters(), lr=LR)
    net.train()
    for b in range(args.batches):
        idx = order[b * BATCH:(b + 1) * BATCH]
        trainer.zero_grad()
        loss(net(to_tensor(images[idx])), torch.from_numpy(labels[idx].astype(np.int64))).mean().backward()
        trainer.step()
    os.makedirs(args.out, exist_ok=True)
    st_save(os.path.join(args.out, f'{args.model}.torch.safetensors'), state_np(net), {'format': 'pt'})
    logits, pred = predict(net)
    st_save(os.path.join(args.out, f'{args.model}.torch-pred.safetensors'), {'logits': logits, 'test_pred': pred},
            {'model': args.model, 'torch': torch.__version__})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('fixtures')
    p.add_argument('--out', required=True)
    p.add_argument('--scale', choices=['div', 'mul'], default='div')
    p = sub.add_parser('train')
    p.add_argument('--start', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--scale', choices=['div', 'mul'], default='div')
    p = sub.add_parser('predict')
    p.add_argument('--model', choices=MODELS, required=True)
    p.add_argument('--state', required=True)
    p.add_argument('--out', required=True)
    p = sub.add_parser('torch-model')
    p.add_argument('--model', choices=MODELS, required=True)
    p.add_argument('--seed', type=int, default=SEED)
    p.add_argument('--batches', type=int, default=235)
    p.add_argument('--out', required=True)
    args = ap.parse_args()
    {'fixtures': cmd_fixtures, 'train': cmd_train, 'predict': cmd_predict, 'torch-model': cmd_torch_model}[args.cmd](args)


if __name__ == '__main__':
    main()
