// d2l.ai 2.3 "Linear Algebra", ported with the structure of the book's code: one console.log per value
// the book displays. `axis=` becomes the dim argument, `A @ x` `A.matmul(x)`, `len(x)` `x.shape[0]`.

import { abs, arange, dot, mm, mv, norm, ones, sum, tensor } from '../../src/index.js';

// 2.3.1 Scalars
let x = tensor(3.0);
let y = tensor(2.0);
console.log(x.add(y));
console.log(x.mul(y));
console.log(x.div(y));
console.log(x.pow(y));

// 2.3.2 Vectors
x = arange(3);
console.log(x);
console.log(x.index(2));
console.log(x.shape[0]);
console.log(x.shape);

// 2.3.3 Matrices
let A = arange(6).reshape(3, 2);
console.log(A);
console.log(A.T);
A = tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]], { dtype: 'int32' });
console.log(A.eq(A.T));

// 2.3.4 Tensors
console.log(arange(24).reshape(2, 3, 4));

// 2.3.5 Basic Properties of Tensor Arithmetic
A = arange(6, { dtype: 'float32' }).reshape(2, 3);
let B = A.clone();
console.log(A);
console.log(A.add(B));
console.log(A.mul(B));
const a = 2;
const X = arange(24).reshape(2, 3, 4);
console.log(X.add(a));
console.log(X.mul(a).shape);

// 2.3.6 Reduction
x = arange(3, { dtype: 'float32' });
console.log(x);
console.log(x.sum());
console.log(A.shape);
console.log(A.sum());
console.log(A.sum(0).shape);
console.log(A.sum(1).shape);
console.log(A.sum([0, 1]).eq(A.sum()));
console.log(A.mean());
console.log(A.sum().div(A.numel()));
console.log(A.mean(0));
console.log(A.sum(0).div(A.shape[0]));

// 2.3.7 Non-Reduction Sum
const sumA = A.sum(1, true);
console.log(sumA);
console.log(sumA.shape);
console.log(A.div(sumA));
console.log(A.cumsum(0));

// 2.3.8 Dot Products
y = ones(3, { dtype: 'float32' });
console.log(x);
console.log(y);
console.log(dot(x, y));
console.log(sum(x.mul(y)));

// 2.3.9 Matrix-Vector Products
console.log(A.shape);
console.log(x.shape);
console.log(mv(A, x));
console.log(A.matmul(x));

// 2.3.10 Matrix-Matrix Multiplication
B = ones(3, 4);
console.log(mm(A, B));
console.log(A.matmul(B));

// 2.3.11 Norms
const u = tensor([3.0, -4.0]);
console.log(norm(u));
console.log(abs(u).sum());
console.log(norm(ones([4, 9])));
