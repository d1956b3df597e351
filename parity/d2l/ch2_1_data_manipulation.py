"""d2l 2.1 Data Manipulation, the book's code with one print per value (mirror of
packages/ts-api/examples/d2l/data-manipulation.ts)."""
import torch
from common import show, show_random

# 2.1.1 Getting Started
x = torch.arange(12, dtype=torch.float32)
show(x)
show(x.numel())
show(list(x.shape))
X = x.reshape(3, 4)
show(X)
show(torch.zeros((2, 3, 4)))
show(torch.ones((2, 3, 4)))
show_random(torch.randn(3, 4))
show(torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]))

# 2.1.2 Indexing and Slicing
show(X[-1])
show(X[1:3])
X[1, 2] = 17
show(X)
X[:2, :] = 12
show(X)

# 2.1.3 Operations
show(torch.exp(x))
x = torch.tensor([1.0, 2, 4, 8])
y = torch.tensor([2, 2, 2, 2])
show(x + y)
show(x - y)
show(x * y)
show(x / y)
show(x ** y)
X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
show(torch.cat((X, Y), dim=0))
show(torch.cat((X, Y), dim=1))
show(X == Y)
show(X.sum())

# 2.1.4 Broadcasting
a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
show(a)
show(b)
show(a + b)

# 2.1.5 Saving Memory
before = id(Y)
Y = Y + X
show(id(Y) == before)
Z = torch.zeros_like(Y)
z_before = id(Z)
Z[:] = X + Y
show(id(Z) == z_before)
before = id(X)
X += Y
show(id(X) == before)

# 2.1.6 Conversion to Other Python Objects
a = torch.tensor([3.5])
show(a)
show(a.item())
show(float(a))
show(int(a))
