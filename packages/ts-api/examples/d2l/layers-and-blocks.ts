// d2l.ai 5.1 "Layers and Blocks" (层和块), ported with the structure of the book's code: one
// console.log per value the book displays. `net(X)` is `net.forward(X)`, `F.relu` `nn.functional.relu`,
// `self._modules[str(idx)] = module` `this.addModule(String(idx), module)`. The inputs and initial
// weights are random draws; shared() lets the test replay PyTorch's (./shared.ts).

import { mm, nn, rand, type Tensor } from '../../src/index.js';
import { shared } from './shared.js';

const F = nn.functional;

let net: nn.Module = shared('net', new nn.Sequential(new nn.Linear(20, 256), new nn.ReLU(), new nn.Linear(256, 10)));

const X = shared('X', rand(2, 20));
console.log(net.forward(X));

// 5.1.1 A custom block (自定义块)
class MLP extends nn.Module {
  // Declare the two fully connected layers as properties: the module finds its children there.
  readonly hidden = new nn.Linear(20, 256); // the hidden layer
  readonly out = new nn.Linear(256, 10); // the output layer

  // The forward propagation: how the output is computed from the input X.
  forward(X: Tensor): Tensor {
    // The functional ReLU, from nn.functional.
    return this.out.forward(F.relu(this.hidden.forward(X)));
  }
}

net = shared('net', new MLP());
console.log(net.forward(X));

// 5.1.2 The sequential block (顺序块)
class MySequential extends nn.Module {
  constructor(...args: nn.Module[]) {
    super();
    args.forEach((module, idx) => {
      // module is an instance of a Module subclass; addModule keeps it in the module's registry of
      // children (PyTorch's _modules, an OrderedDict), in the order it was added.
      this.addModule(String(idx), module);
    });
  }

  forward(X: Tensor): Tensor {
    // children() walks them in the order they were added.
    for (const block of this.children()) {
      X = block.forward(X);
    }
    return X;
  }
}

net = shared('net', new MySequential(new nn.Linear(20, 256), new nn.ReLU(), new nn.Linear(256, 10)));
console.log(net.forward(X));

// 5.1.3 Executing code in the forward propagation function (在前向传播函数中执行代码)
class FixedHiddenMLP extends nn.Module {
  // A random weight that does not require a gradient, so it stays constant during training.
  readonly randWeight = shared('rand_weight', rand([20, 20], { requiresGrad: false }));
  readonly linear = new nn.Linear(20, 20);

  forward(X: Tensor): Tensor {
    X = this.linear.forward(X);
    // The constant weight, with the relu and mm functions.
    X = F.relu(mm(X, this.randWeight).add(1));
    // Reuse the fully connected layer: two layers sharing their parameters.
    X = this.linear.forward(X);
    // Control flow. The book halves in place (X /= 2); X.div_(2) here throws "not supported yet",
    // since abs() in the condition used X and our autograd cannot yet rewrite a used tensor in place.
    while (Number(X.abs().sum()) > 1) {
      X = X.div(2);
    }
    return X.sum();
  }
}

net = shared('net', new FixedHiddenMLP());
console.log(net.forward(X));

class NestMLP extends nn.Module {
  readonly net = new nn.Sequential(new nn.Linear(20, 64), new nn.ReLU(), new nn.Linear(64, 32), new nn.ReLU());
  readonly linear = new nn.Linear(32, 16);

  forward(X: Tensor): Tensor {
    return this.linear.forward(this.net.forward(X));
  }
}

const chimera = shared('chimera', new nn.Sequential(new NestMLP(), new nn.Linear(16, 20), new FixedHiddenMLP()));
console.log(chimera.forward(X));
