// d2l.ai 5.2 "Parameter Management" (参数管理), ported with the structure of the book's code: one
// console.log per value the book displays. `net[2]` is typed as a Module, so reaching a Linear's
// weight reads `(net[2] as nn.Linear).weight`; `x[:2]` is `x.index('0:2')`, `x[0, 0] = 42`
// `x.indexPut_([0, 0], 42)`; `type(p)` prints the class name, `p.constructor.name`. The random draws
// (input, initial weights, the initialisers' draws) can be replayed from PyTorch's run (./shared.ts).

import { nn, rand } from '../../src/index.js';
import { shared as sharedDraw } from './shared.js';

let net = sharedDraw('net', new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1)));
const X = sharedDraw('X', rand([2, 4]));
console.log(net.forward(X));

// 5.2.1 Parameter access (参数访问)
console.log(net[2].stateDict());

// 5.2.1.1 Targeted parameters (目标参数)
console.log((net[2] as nn.Linear).bias!.constructor.name);
console.log((net[2] as nn.Linear).bias);
console.log((net[2] as nn.Linear).bias!.data);

console.log((net[2] as nn.Linear).weight.grad === null);

// 5.2.1.2 All parameters at once (一次性访问所有参数)
console.log(...net[0].namedParameters().map(([name, param]) => [name, param.shape]));
console.log(...net.namedParameters().map(([name, param]) => [name, param.shape]));

console.log(net.stateDict()['2.bias'].data);

// 5.2.1.3 Collecting parameters from nested blocks (从嵌套块收集参数)
function block1(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(),
    new nn.Linear(8, 4), new nn.ReLU());
}

function block2(): nn.Sequential {
  const net = new nn.Sequential();
  for (let i = 0; i < 4; i++) {
    // Nested here.
    net.addModule(`block ${i}`, block1());
  }
  return net;
}

const rgnet = sharedDraw('rgnet', new nn.Sequential(block2(), new nn.Linear(4, 1)));
console.log(rgnet.forward(X));

console.log(rgnet);

console.log((((rgnet[0] as nn.Sequential)[1] as nn.Sequential)[0] as nn.Linear).bias!.data);

// 5.2.2 Parameter initialization (参数初始化)
// 5.2.2.1 Built-in initialization (内置初始化)
function initNormal(m: nn.Module): void {
  if (m instanceof nn.Linear) {
    sharedDraw('weight', nn.init.normal_(m.weight, 0, 0.01));
    nn.init.zeros_(m.bias!);
  }
}

net.apply(initNormal);
console.log((net[0] as nn.Linear).weight.data.index(0), (net[0] as nn.Linear).bias!.data.index(0));

function initConstant(m: nn.Module): void {
  if (m instanceof nn.Linear) {
    nn.init.constant_(m.weight, 1);
    nn.init.zeros_(m.bias!);
  }
}

net.apply(initConstant);
console.log((net[0] as nn.Linear).weight.data.index(0), (net[0] as nn.Linear).bias!.data.index(0));

function initXavier(m: nn.Module): void {
  if (m instanceof nn.Linear) {
    sharedDraw('weight', nn.init.xavierUniform_(m.weight));
  }
}

function init42(m: nn.Module): void {
  if (m instanceof nn.Linear) {
    nn.init.constant_(m.weight, 42);
  }
}

net[0].apply(initXavier);
net[2].apply(init42);
console.log((net[0] as nn.Linear).weight.data.index(0));
console.log((net[2] as nn.Linear).weight.data);

// 5.2.2.2 Custom initialization (自定义初始化)
function myInit(m: nn.Module): void {
  if (m instanceof nn.Linear) {
    console.log('Init', ...m.namedParameters().map(([name, param]) => [name, param.shape])[0]);
    sharedDraw('weight', nn.init.uniform_(m.weight, -10, 10));
    m.weight.data.mul_(m.weight.data.abs().ge(5));
  }
}

net.apply(myInit);
console.log((net[0] as nn.Linear).weight.index('0:2'));

(net[0] as nn.Linear).weight.data.index(':').add_(1);
(net[0] as nn.Linear).weight.data.indexPut_([0, 0], 42);
console.log((net[0] as nn.Linear).weight.data.index(0));

// 5.2.3 Tied parameters (参数绑定)
// The shared layer needs a name, so that its parameters can be referred to.
const shared = sharedDraw('shared', new nn.Linear(8, 8));
net = sharedDraw('net', new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(),
  shared, new nn.ReLU(),
  shared, new nn.ReLU(),
  new nn.Linear(8, 1)));
net.forward(X);
// Check whether the parameters are the same.
console.log((net[2] as nn.Linear).weight.data.index(0).eq((net[4] as nn.Linear).weight.data.index(0)));
(net[2] as nn.Linear).weight.data.indexPut_([0, 0], 100);
// Make sure they are actually the same object rather than just having the same value.
console.log((net[2] as nn.Linear).weight.data.index(0).eq((net[4] as nn.Linear).weight.data.index(0)));
