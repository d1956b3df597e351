"""d2l 2.5 Automatic Differentiation, the book's code with one print per value (mirror of
packages/ts-api/examples/d2l/autograd.ts)."""
import torch
from common import show

# 2.5.1 A Simple Function
x = torch.arange(4.0)
show(x)
x.requires_grad_(True)
show(x.grad)
y = 2 * torch.dot(x, x)
show(y)
y.backward()
show(x.grad)
show(x.grad == 4 * x)
x.grad.zero_()
y = x.sum()
y.backward()
show(x.grad)

# 2.5.2 Backward for Non-Scalar Variables
x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))
show(x.grad)

# 2.5.3 Detaching Computation
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
show(x.grad == u)
x.grad.zero_()
y.sum().backward()
show(x.grad == 2 * x)


# 2.5.4 Gradients and Python Control Flow
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


# Seeded: for about one draw in twelve (a < 0, where c = 100 * b rounds) a.grad == d / a is False.
torch.manual_seed(0)
a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
show(a.grad == d / a)
