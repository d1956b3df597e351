// d2l.ai 2.1 "Data Manipulation", ported with the structure of the book's code: one console.log per
// value the book displays. `X[1, 2] = 17` becomes `X.indexPut_([1, 2], 17)`, `id(Y)` an identity check.

import { arange, cat, exp, ones, randn, slice, tensor, zeros, zerosLike } from '../../src/index.js';

// 2.1.1 Getting Started
let x = arange(12, { dtype: 'float32' });
console.log(x);
console.log(x.numel());
console.log(x.shape);
let X = x.reshape(3, 4);
console.log(X);
console.log(zeros([2, 3, 4]));
console.log(ones([2, 3, 4]));
console.log(randn(3, 4));
console.log(tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]], { dtype: 'int32' }));

// 2.1.2 Indexing and Slicing
console.log(X.index(-1));
console.log(X.index(slice(1, 3)));
X.indexPut_([1, 2], 17);
console.log(X);
X.indexPut_([slice(null, 2), slice()], 12);
console.log(X);

// 2.1.3 Operations
console.log(exp(x));
x = tensor([1.0, 2, 4, 8]);
const y = tensor([2, 2, 2, 2], { dtype: 'int32' });
console.log(x.add(y));
console.log(x.sub(y));
console.log(x.mul(y));
console.log(x.div(y));
console.log(x.pow(y));
X = arange(12, { dtype: 'float32' }).reshape([3, 4]);
let Y = tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]);
console.log(cat([X, Y], 0));
console.log(cat([X, Y], 1));
console.log(X.eq(Y));
console.log(X.sum());

// 2.1.4 Broadcasting
let a = arange(3).reshape([3, 1]);
const b = arange(2).reshape([1, 2]);
console.log(a);
console.log(b);
console.log(a.add(b));

// 2.1.5 Saving Memory
let before = Y;
Y = Y.add(X);
console.log(Y === before);
const Z = zerosLike(Y);
const zBefore = Z;
Z.indexPut_([slice()], X.add(Y));
console.log(Z === zBefore);
before = X;
X.add_(Y);
console.log(X === before);

// 2.1.6 Conversion to Other Python Objects
a = tensor([3.5]);
console.log(a);
console.log(a.item());
console.log(Number(a));
console.log(Math.trunc(Number(a)));
