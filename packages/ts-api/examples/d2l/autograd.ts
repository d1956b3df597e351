// d2l.ai 2.5 "Automatic Differentiation", ported with the structure of the book's code: one
// console.log per value the book displays. A one-element tensor converts to its number, so in
// JavaScript `while (b.norm() < 1000)` runs as Python's; TypeScript's checker wants `Number(…)` there.

import { arange, dot, manualSeed, ones, randn, type Tensor } from '../../src/index.js';

// 2.5.1 A Simple Function
const x = arange(4.0, { dtype: 'float32' });
console.log(x);
x.requiresGrad_(true);
console.log(x.grad);
let y = dot(x, x).mul(2);
console.log(y);
y.backward();
console.log(x.grad);
console.log(x.grad!.eq(x.mul(4)));
x.grad!.zero_();
y = x.sum();
y.backward();
console.log(x.grad);

// 2.5.2 Backward for Non-Scalar Variables
x.grad!.zero_();
y = x.mul(x);
y.backward(ones(y.shape[0]));
console.log(x.grad);

// 2.5.3 Detaching Computation
x.grad!.zero_();
y = x.mul(x);
const u = y.detach();
const z = u.mul(x);
z.sum().backward();
console.log(x.grad!.eq(u));
x.grad!.zero_();
y.sum().backward();
console.log(x.grad!.eq(x.mul(2)));

// 2.5.4 Gradients and Python Control Flow
function f(a: Tensor): Tensor {
  let b = a.mul(2);
  while (Number(b.norm()) < 1000) {
    b = b.mul(2);
  }
  let c: Tensor;
  if (Number(b.sum()) > 0) {
    c = b;
  } else {
    c = b.mul(100);
  }
  return c;
}

// Seeded: for about one draw in twelve (a < 0, where c = 100 * b rounds) a.grad == d / a is false.
manualSeed(0);
const a = randn([], { requiresGrad: true });
const d = f(a);
d.backward();
console.log(a.grad!.eq(d.div(a)));
