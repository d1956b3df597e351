#!/usr/bin/python3
"""PyTorch's Quickstart (pytorch.org/tutorials/beginner/basics/quickstart_tutorial.html), run on the
first --train-limit / --test-limit Fashion-MNIST images, as packages/ts-api/examples/quickstart.ts ports it.

The program is the Quickstart's, line for line, except: the data is read from the IDX files (no
torchvision here) into a TensorDataset of what ToTensor gives ([N, 1, 28, 28] float32 / 255, int64
labels); the CPU only; and seeds. Weights are drawn by PyTorch's generator, so a run differs from
softmax-nn's by its initial weights: the test compares the final accuracy and loss with the spread of
PyTorch's own runs over --seeds.

  /usr/bin/python3 parity/quickstart.py --train-limit 6400 --test-limit 2000 --epochs 2 --seeds 0-9 --json OUT
      writes, per seed, what the program printed last (accuracy in %, average test loss), and their mean
      and standard deviation over the seeds. Without --json it prints the Quickstart's output for seed 0.
"""

import argparse
import json
import os
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from whole_run import fashion_mnist, to_tensor  # noqa: E402


def datasets(train_limit, test_limit):
    data = fashion_mnist()
    (train_x, train_y), (test_x, test_y) = data['train'], data['test']

    def dataset(x, y, n):
        return TensorDataset(to_tensor(x[:n]), torch.from_numpy(y[:n].astype('int64')))

    return dataset(train_x, train_y, train_limit), dataset(test_x, test_y, test_limit)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def train(dataloader, model, loss_fn, optimizer, log):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)

        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 100 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            log(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn, log):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    log(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return 100 * correct, test_loss


def run(seed, train_limit, test_limit, epochs, log):
    torch.manual_seed(seed)
    training_data, test_data = datasets(train_limit, test_limit)
    batch_size = 64
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)
    model = NeuralNetwork()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    result = None
    for t in range(epochs):
        log(f"Epoch {t+1}\n-------------------------------")
        train(train_dataloader, model, loss_fn, optimizer, log)
        result = test(test_dataloader, model, loss_fn, log)
    log("Done!")
    return result


def seed_list(spec):
    if '-' in spec:
        lo, hi = spec.split('-')
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in spec.split(',')]


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--train-limit', type=int, default=60000)
    p.add_argument('--test-limit', type=int, default=10000)
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--seeds', default='0')
    p.add_argument('--json')
    a = p.parse_args()
    torch.set_num_threads(1)
    if a.json is None:
        run(seed_list(a.seeds)[0], a.train_limit, a.test_limit, a.epochs, print)
        return
    runs = []
    for seed in seed_list(a.seeds):
        acc, loss = run(seed, a.train_limit, a.test_limit, a.epochs, lambda _line: None)
        runs.append({'seed': seed, 'accuracy': round(acc, 4), 'avgLoss': round(loss, 6)})

    def stats(key):
        xs = [r[key] for r in runs]
        mean = sum(xs) / len(xs)
        std = (sum((x - mean) ** 2 for x in xs) / max(1, len(xs) - 1)) ** 0.5
        return {'mean': round(mean, 6), 'std': round(std, 6), 'min': min(xs), 'max': max(xs)}

    out = {
        'program': 'parity/quickstart.py', 'torch': torch.__version__,
        'trainLimit': a.train_limit, 'testLimit': a.test_limit, 'epochs': a.epochs,
        'runs': runs, 'accuracy': stats('accuracy'), 'avgLoss': stats('avgLoss'),
    }
    with open(a.json, 'w') as fh:
        json.dump(out, fh, indent=2)
        fh.write('\n')


if __name__ == '__main__':
    main()
