"""Where a LeNet training step goes in PyTorch: the operations `bench/lenet-ops.ts` times in softmax-nn,
one by one on a batch of 256 (one thread, OpenBLAS), then whole steps (forward, backward, SGD).

Run from the repository root: /usr/bin/python3 bench/lenet_ops.py [--reps N] [--json]
Each op is warmed up, then timed in N batches of calls (about 20 ms each); the table gives the fastest
batch per call and the median, as the TypeScript side does.
"""
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
args = sys.argv[1:]
REPS = int(args[args.index("--reps") + 1]) if "--reps" in args else 15
N = 256
aten = torch.ops.aten


def timed(run):
    """Fastest and median ms per call of run(), after a warm-up."""
    t0 = time.perf_counter()
    calls = 0
    while calls < 5 or time.perf_counter() - t0 < 0.15:
        run()
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    batch = max(1, int(0.02 / per_call + 0.999))
    ms = []
    for _ in range(REPS):
        t = time.perf_counter()
        for _ in range(batch):
            run()
        ms.append((time.perf_counter() - t) * 1000 / batch)
    return {"best": min(ms), "median": statistics.median(ms)}


torch.manual_seed(0)
x = torch.rand(N, 1, 28, 28)
w1, b1 = torch.randn(6, 1, 5, 5), torch.randn(6)
w2, b2 = torch.randn(16, 6, 5, 5), torch.randn(16)
fc = [(torch.randn(o, i), torch.randn(o)) for i, o in [(400, 120), (120, 84), (84, 10)]]
labels = torch.arange(N) * 7 % 10

# Forward once, to give every op the inputs training gives it.
y1 = F.conv2d(x, w1, b1, padding=2)
r1 = torch.relu(y1)
q1, i1 = F.max_pool2d(r1, 2, 2, return_indices=True)
y2 = F.conv2d(q1, w2, b2)
r2 = torch.relu(y2)
q2, i2 = F.max_pool2d(r2, 2, 2, return_indices=True)
h = [q2.flatten(1)]
for w, b in fc:
    h.append(F.linear(h[-1], w, b))
dy2 = torch.randn_like(y2)
dy1 = torch.randn_like(y1)
dq2 = torch.randn_like(q2)
dq1 = torch.randn_like(q1)
dfc = [torch.randn(N, w.shape[0]) for w, _ in fc]


def linear_backward(j):
    w, _ = fc[j]
    dy = dfc[j]
    torch.mm(dy, w)
    torch.mm(dy.t(), h[j])
    dy.sum(0)


def ce():
    logits = h[3].detach().requires_grad_()
    F.cross_entropy(logits, labels).backward()


ops = [
    ("conv1 forward (1→6, 28×28, k5 p2)", lambda: F.conv2d(x, w1, b1, padding=2)),
    ("relu1 forward", lambda: torch.relu(y1)),
    ("pool1 forward (max 2×2)", lambda: F.max_pool2d(r1, 2, 2, return_indices=True)),
    ("conv2 forward (6→16, 14×14, k5)", lambda: F.conv2d(q1, w2, b2)),
    ("relu2 forward", lambda: torch.relu(y2)),
    ("pool2 forward (max 2×2)", lambda: F.max_pool2d(r2, 2, 2, return_indices=True)),
    ("fc1 forward (400→120)", lambda: F.linear(h[0], *fc[0])),
    ("fc2 forward (120→84)", lambda: F.linear(h[1], *fc[1])),
    ("fc3 forward (84→10)", lambda: F.linear(h[2], *fc[2])),
    ("cross-entropy + its gradient", ce),
    ("fc3 backward (dX, dW, db)", lambda: linear_backward(2)),
    ("fc2 backward (dX, dW, db)", lambda: linear_backward(1)),
    ("fc1 backward (dX, dW, db)", lambda: linear_backward(0)),
    ("pool2 backward", lambda: aten.max_pool2d_with_indices_backward(dq2, r2, [2, 2], [2, 2], [0, 0], [1, 1], False, i2)),
    ("relu2 backward", lambda: aten.threshold_backward(dy2, y2, 0)),
    ("conv2 backward input (dX)", lambda: aten.convolution_backward(
        dy2, q1, w2, [16], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, [True, False, False])),
    ("conv2 backward weight (dW)", lambda: aten.convolution_backward(
        dy2, q1, w2, [16], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, [False, True, False])),
    ("conv2 backward bias (db)", lambda: dy2.sum((0, 2, 3))),
    ("pool1 backward", lambda: aten.max_pool2d_with_indices_backward(dq1, r1, [2, 2], [2, 2], [0, 0], [1, 1], False, i1)),
    ("relu1 backward", lambda: aten.threshold_backward(dy1, y1, 0)),
    ("conv1 backward weight (dW)", lambda: aten.convolution_backward(
        dy1, x, w1, [6], [1, 1], [2, 2], [1, 1], False, [0, 0], 1, [False, True, False])),
    ("conv1 backward bias (db)", lambda: dy1.sum((0, 2, 3))),
]

with torch.no_grad():
    rows = []
    for name, run in ops:
        if name.startswith("cross-entropy"):
            continue
        rows.append({"op": name, **timed(run)})
rows.insert(9, {"op": "cross-entropy + its gradient", **timed(ce)})

net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
    torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
    torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(),
    torch.nn.Linear(84, 10),
)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
X, Y = torch.randn(N, 1, 28, 28), torch.randint(0, 10, (N,))


def step():
    loss = F.cross_entropy(net(X), Y)
    opt.zero_grad()
    loss.backward()
    opt.step()


def forward_only():
    with torch.no_grad():
        net(X)


whole = timed(step)
fwd = timed(forward_only)
total = {k: sum(r[k] for r in rows) for k in ("best", "median")}
if "--json" in args:
    print(json.dumps({"rows": rows, "kernelSum": total, "step": whole, "forwardOnly": fwd}))
else:
    print(f"LeNet ops, batch {N}, PyTorch {torch.__version__} (one thread), {REPS} timed batches each; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("| op | ms (fastest) | ms (median) |\n|---|---|---|")
    for r in rows:
        print(f"| {r['op']} | {r['best']:.3f} | {r['median']:.3f} |")
    print(f"| sum of the ops | {total['best']:.2f} | {total['median']:.2f} |")
    print(f"| a whole step (forward, backward, SGD) | {whole['best']:.2f} | {whole['median']:.2f} |")
    print(f"| forward only, no grad | {fwd['best']:.2f} | {fwd['median']:.2f} |")
