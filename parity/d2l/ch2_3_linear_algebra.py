"""d2l 2.3 Linear Algebra, the book's code with one print per value (mirror of
packages/ts-api/examples/d2l/linear-algebra.ts)."""
import torch
from common import show

# 2.3.1 Scalars
x = torch.tensor(3.0)
y = torch.tensor(2.0)
show(x + y)
show(x * y)
show(x / y)
show(x ** y)

# 2.3.2 Vectors
x = torch.arange(3)
show(x)
show(x[2])
show(len(x))
show(list(x.shape))

# 2.3.3 Matrices
A = torch.arange(6).reshape(3, 2)
show(A)
show(A.T)
A = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
show(A == A.T)

# 2.3.4 Tensors
show(torch.arange(24).reshape(2, 3, 4))

# 2.3.5 Basic Properties of Tensor Arithmetic
A = torch.arange(6, dtype=torch.float32).reshape(2, 3)
B = A.clone()
show(A)
show(A + B)
show(A * B)
a = 2
X = torch.arange(24).reshape(2, 3, 4)
show(a + X)
show(list((a * X).shape))

# 2.3.6 Reduction
x = torch.arange(3, dtype=torch.float32)
show(x)
show(x.sum())
show(list(A.shape))
show(A.sum())
show(list(A.sum(axis=0).shape))
show(list(A.sum(axis=1).shape))
show(A.sum(axis=[0, 1]) == A.sum())
show(A.mean())
show(A.sum() / A.numel())
show(A.mean(axis=0))
show(A.sum(axis=0) / A.shape[0])

# 2.3.7 Non-Reduction Sum
sum_A = A.sum(axis=1, keepdims=True)
show(sum_A)
show(list(sum_A.shape))
show(A / sum_A)
show(A.cumsum(axis=0))

# 2.3.8 Dot Products
y = torch.ones(3, dtype=torch.float32)
show(x)
show(y)
show(torch.dot(x, y))
show(torch.sum(x * y))

# 2.3.9 Matrix-Vector Products
show(list(A.shape))
show(list(x.shape))
show(torch.mv(A, x))
show(A @ x)

# 2.3.10 Matrix-Matrix Multiplication
B = torch.ones(3, 4)
show(torch.mm(A, B))
show(A @ B)

# 2.3.11 Norms
u = torch.tensor([3.0, -4.0])
show(torch.norm(u))
show(torch.abs(u).sum())
show(torch.norm(torch.ones((4, 9))))
