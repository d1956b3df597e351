// nn.Parameter: a tensor a Module reports in parameters(). Like PyTorch's, it requires a gradient by
// default; it is also kept out of every `tidy` scope, because it lives as long as its module.

import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';

const parameters = new WeakSet<Tensor>();

export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && parameters.has(t);
}

function markParameter(data: Tensor, requiresGrad = true): Tensor {
  if (!(data instanceof Tensor)) throw new Error(`Parameter: expected a Tensor, got ${typeof data}`);
  if (!data.isLeaf) {
    throw new Error('Parameter: expected a leaf tensor (not the result of an op that records gradients); use detach()');
  }
  data.requiresGrad = requiresGrad;
  parameters.add(keep(data));
  return data;
}

export interface ParameterConstructor {
  new (data: Tensor, requiresGrad?: boolean): Tensor;
  (data: Tensor, requiresGrad?: boolean): Tensor;
}

/** `new nn.Parameter(t)` or `nn.Parameter(t)`: marks `t` as a parameter and returns it. */
export const Parameter = function Parameter(data: Tensor, requiresGrad = true): Tensor {
  return markParameter(data, requiresGrad);
} as ParameterConstructor;
