// d2l.ai 5.4 "Custom Layers" (自定义层), ported with the structure of the book's code: one console.log
// per value the book displays. `layer(x)` is `layer.forward(x)`, `torch.FloatTensor([1, 2, 3, 4, 5])`
// `tensor([1, 2, 3, 4, 5])` (float32 by default here), `X - X.mean()` `X.sub(X.mean())`. The inputs
// and weights are random draws; shared() lets the test replay PyTorch's (./shared.ts).

import { matmul, nn, rand, randn, tensor, type Tensor } from '../../src/index.js';
import { shared } from './shared.js';

const F = nn.functional;

// 5.4.1 Layers without parameters (不带参数的层)
class CenteredLayer extends nn.Module {
  forward(X: Tensor): Tensor {
    return X.sub(X.mean());
  }
}

const layer = new CenteredLayer();
console.log(layer.forward(tensor([1, 2, 3, 4, 5])));

let net = shared('net', new nn.Sequential(new nn.Linear(8, 128), new CenteredLayer()));

const Y = net.forward(shared('X', rand(4, 8)));
console.log(Y.mean());

// 5.4.2 Layers with parameters (带参数的层)
class MyLinear extends nn.Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(inUnits: number, units: number) {
    super();
    this.weight = nn.Parameter(randn(inUnits, units));
    this.bias = nn.Parameter(randn(units));
  }

  forward(X: Tensor): Tensor {
    const linear = matmul(X, this.weight.data).add(this.bias.data);
    return F.relu(linear);
  }
}

const linear = shared('linear', new MyLinear(5, 3));
console.log(linear.weight);

console.log(linear.forward(shared('X', rand(2, 5))));

net = shared('net', new nn.Sequential(new MyLinear(64, 8), new MyLinear(8, 1)));
console.log(net.forward(shared('X', rand(2, 64))));
