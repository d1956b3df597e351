#!/usr/bin/python3
"""Contestant: PyTorch (Debian's python3-torch) for bench/run.ts.

Usage: /usr/bin/python3 bench/torch_bench.py JOB_JSON VARIANT   (VARIANT: tensors | dataloader)
       /usr/bin/python3 bench/torch_bench.py --probe            (prints torch version, BLAS in use)

The BLAS is chosen by the caller through the environment (LD_LIBRARY_PATH pointing at
/usr/lib/x86_64-linux-gnu/blas for the reference BLAS or .../openblas-pthread for OpenBLAS); this script
reports which libblas this process actually loaded (from /proc/self/maps) and, for OpenBLAS, the kernel
set it chose. Prints one line "@@RESULT {json}" like the Node contestants.
"""
import ctypes
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)
RESULT_PREFIX = '@@RESULT '


def loaded_libs():
    libs = set()
    with open('/proc/self/maps') as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and ('blas' in parts[-1] or 'lapack' in parts[-1]):
                libs.add(parts[-1])
    return sorted(libs)


def blas_in_use():
    libs = loaded_libs()
    libblas = [p for p in libs if os.path.basename(p).startswith('libblas.so')]
    desc = 'unknown'
    if any('/blas/' in p for p in libblas):
        desc = 'reference BLAS (libblas3)'
    elif any('openblas' in p for p in libblas):
        desc = 'OpenBLAS'
    core = None
    ob = [p for p in libs if 'libopenblas' in os.path.basename(p)]
    if ob and desc == 'OpenBLAS':
        try:
            lib = ctypes.CDLL(ob[0])
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
            desc = f'OpenBLAS {lib.openblas_get_config().decode().split()[1]} ({core} kernels, {lib.openblas_get_num_threads()} thread)'
        except OSError:
            pass
    config = [l.strip() for l in torch.__config__.show().splitlines() if 'BLAS' in l or 'LAPACK' in l]
    build = [kv.strip() for kv in ','.join(config).split(',') if 'BLAS_INFO' in kv or 'LAPACK_INFO' in kv]
    return {'blas': desc, 'libblas': libblas, 'build': build, 'torch': torch.__version__,
            'threads': torch.get_num_threads()}


def peak_rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        buf = f.read()
    dims = buf[3]
    return np.frombuffer(buf, dtype=np.uint8, offset=4 + 4 * dims)


def load(data_dir):
    def split(prefix):
        x = read_idx(f'{data_dir}/{prefix}-images-idx3-ubyte.gz')
        y = read_idx(f'{data_dir}/{prefix}-labels-idx1-ubyte.gz')
        X = torch.from_numpy(x.copy()).float().div_(255).reshape(-1, 1, 28, 28)
        return X, torch.from_numpy(y.astype(np.int64))
    return split('train'), split('t10k')


def build(model):
    if model == 'lenet':
        # d2l 6.6's LeNet with ReLU and max pooling; PyTorch's default initialisation
        return nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    if model == 'recipe':
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    else:
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

    def init_weights(m):
        if type(m) == nn.Linear:
            nn.init.normal_(m.weight, std=0.01)
    net.apply(init_weights)
    return net


def train(job, variant, notes):
    torch.manual_seed(job['seed'])
    t0 = time.perf_counter()
    (Xtr, ytr), (Xte, yte) = load(job['dataDir'])
    load_seconds = time.perf_counter() - t0
    B = job['batchSize']
    N = Xtr.shape[0]
    batches_per_epoch = (N + B - 1) // B
    limit = min(job['maxBatches'], batches_per_epoch) if job['maxBatches'] > 0 else batches_per_epoch
    net = build(job['model'])
    loss = nn.CrossEntropyLoss(reduction='none')
    trainer = torch.optim.SGD(net.parameters(), lr=job['lr'])
    if variant == 'dataloader':
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=B, shuffle=True,
                                             num_workers=0)
        notes.append('torch.utils.data.DataLoader(TensorDataset, shuffle=True, num_workers=0)')

        def batches():
            return loader
    else:
        notes.append('pre-loaded tensors, randperm + index per batch')

        def batches():
            perm = torch.randperm(N)
            for b in range(batches_per_epoch):
                idx = perm[b * B:(b + 1) * B]
                yield Xtr[idx], ytr[idx]

    epoch_seconds, train_loss, examples = [], [], []
    for epoch in range(job['epochs']):
        net.train()
        e0 = time.perf_counter()
        lsum, n, b = 0.0, 0, 0
        for X, y in batches():
            l = loss(net(X), y)
            trainer.zero_grad()
            l.mean().backward()
            trainer.step()
            lsum += float(l.sum())
            n += y.numel()
            b += 1
            if b >= limit:
                break
        dt = time.perf_counter() - e0
        epoch_seconds.append(dt)
        train_loss.append(lsum / n)
        examples.append(n)
        print(f'  epoch {epoch + 1}: {dt:.2f} s, loss {lsum / n:.4f}', file=sys.stderr, flush=True)

    net.eval()
    infer_seconds, acc = [], float('nan')
    for p in range(job['inferPasses']):
        i0 = time.perf_counter()
        correct = 0
        with torch.no_grad():
            for i in range(0, Xte.shape[0], B):
                correct += int((net(Xte[i:i + B]).argmax(1) == yte[i:i + B]).sum())
        infer_seconds.append(time.perf_counter() - i0)
        if p == 0:
            acc = correct / Xte.shape[0]
    return {'task': 'train', 'epochSeconds': epoch_seconds, 'batchesRun': limit, 'batchesPerEpoch': batches_per_epoch,
            'examplesPerEpoch': examples, 'trainLoss': train_loss, 'testAccuracy': acc, 'inferSeconds': infer_seconds,
            'loadSeconds': load_seconds}


def gemm(job):
    rows = []
    g = torch.Generator().manual_seed(1)
    for s in job['shapes']:
        m, n, k = s['m'], s['n'], s['k']
        a = torch.rand(k, m, generator=g) * 2 - 1 if s['transA'] else torch.rand(m, k, generator=g) * 2 - 1
        b = torch.rand(n, k, generator=g) * 2 - 1 if s['transB'] else torch.rand(k, n, generator=g) * 2 - 1
        A = a.t() if s['transA'] else a
        Bm = b.t() if s['transB'] else b
        c = torch.empty(m, n)

        def run():
            torch.mm(A, Bm, out=c)
        calls, w0 = 0, time.perf_counter()
        while calls < 2 or (calls < 5 and time.perf_counter() - w0 < 1) or (time.perf_counter() - w0) * 1000 < job['warmupMs']:
            run()
            calls += 1
        per_call = (time.perf_counter() - w0) * 1000 / calls
        batch = max(1, int(-(-job['batchMs'] // max(per_call, 1e-3))))
        rates = []
        for _ in range(job['reps']):
            t0 = time.perf_counter()
            for _ in range(batch):
                run()
            rates.append(2 * m * n * k * batch / ((time.perf_counter() - t0) * 1e9))
        rates.sort()
        ref = A.double() @ Bm.double()
        err = float(((c.double() - ref).abs().max()) / (k ** 0.5))
        rows.append({'name': s['name'], 'gflops': rates[len(rates) // 2], 'best': rates[-1], 'maxAbsErr': err})
    return {'task': 'gemm', 'rows': rows}


def main():
    if sys.argv[1] == '--probe':
        print(json.dumps(blas_in_use()))
        return
    job = json.loads(sys.argv[1])
    variant = sys.argv[2] if len(sys.argv) > 2 else 'tensors'
    info = blas_in_use()
    notes = [f"torch {info['torch']}, {info['blas']}, {info['threads']} thread(s)"]
    res = train(job, variant, notes) if job['task'] == 'train' else gemm(job)
    # The BLAS is loaded lazily by some builds: report it again after the work.
    info = blas_in_use()
    res['notes'] = notes + [f"libblas: {', '.join(info['libblas']) or 'none'}"]
    res['blas'] = info['blas']
    res['peakRssMB'] = peak_rss_mb()
    print(RESULT_PREFIX + json.dumps(res), flush=True)


if __name__ == '__main__':
    main()
