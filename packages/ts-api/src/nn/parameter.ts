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
  // PyTorch's Parameter(t) is t.detach() made a leaf: `nn.Parameter(torch.randn(…, requires_grad=True)
  // * 0.01)` is a new leaf sharing t's storage, and t keeps its graph.
  if (!data.isLeaf) data = data.detach();
  data.requiresGrad = requiresGrad;
  parameters.add(keep(data));
  Object.setPrototypeOf(data, Parameter.prototype);
  return data;
}

export interface ParameterConstructor {
  new (data: Tensor, requiresGrad?: boolean): Tensor;
  (data: Tensor, requiresGrad?: boolean): Tensor;
}

/**
 * `new nn.Parameter(t)` or `nn.Parameter(t)`: marks `t` (a computed `t`: `t.detach()`) as a parameter and
 * returns it. As PyTorch's
 * Parameter is a Tensor subclass, `t` then is an `instanceof nn.Parameter` (and still a Tensor) whose
 * `constructor.name` is 'Parameter' and which prints as "Parameter containing:\ntensor(…)".
 */
export const Parameter = function Parameter(data: Tensor, requiresGrad = true): Tensor {
  return markParameter(data, requiresGrad);
} as ParameterConstructor;

// Bundlers may rename the function expression (Parameter2); type(p).__name__ is 'Parameter'.
Object.defineProperty(Parameter, 'name', { value: 'Parameter' });

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const tensorText = (t: Tensor): string => Tensor.prototype.toString.call(t);
const parameterText = (t: Tensor): string => `Parameter containing:\n${tensorText(t)}`;
type Primitive = (this: Tensor, hint: string) => number | string;
Parameter.prototype = Object.create(Tensor.prototype, {
  constructor: { value: Parameter, writable: true, configurable: true },
  toString: { value(this: Tensor): string { return parameterText(this); }, writable: true, configurable: true },
  [INSPECT]: { value(this: Tensor): string { return parameterText(this); }, writable: true, configurable: true },
  // `${p}` is str(p): PyTorch's Parameter text; as a number it converts as any one-element tensor.
  [Symbol.toPrimitive]: {
    value(this: Tensor, hint: string): number | string {
      const base = (Tensor.prototype as unknown as Record<symbol, Primitive>)[Symbol.toPrimitive];
      return hint === 'string' ? parameterText(this) : base.call(this, hint);
    },
    writable: true,
    configurable: true,
  },
}) as Tensor;
