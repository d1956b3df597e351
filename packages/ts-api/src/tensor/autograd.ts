// Reverse-mode autodiff over the graph that ops record (micrograd's design: each result keeps its inputs
// and a closure; backward() sorts the graph topologically and runs the closures in reverse).

import { kernels } from '../backend/index.js';
import { noGrad } from './grad-mode.js';
import { keep } from './scope.js';
import { formatShape, sameShape } from './shape.js';
import type { GradNode, Tensor } from './tensor.js';
import { onesLike } from './ops/create.js';

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: graphs of long training steps are deep enough to overflow a recursive one.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, next] = top;
    const inputs = t._node?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next];
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/** A gradient that owns its storage alone, so that accumulating into it in place touches nothing else. */
function exclusive(grad: Tensor): Tensor {
  if (grad.ownsStorageAlone() && grad.isPlain()) return grad;
  const copy = grad.clone();
  grad.dispose();
  return copy;
}

function accumulateLeaf(leaf: Tensor, grad: Tensor): void {
  if (leaf.grad === null || leaf.grad.isDisposed) {
    leaf.grad = keep(exclusive(grad));
    return;
  }
  kernels.axpy(1, grad.storage('backward'), leaf.grad.mutableStorage('backward'));
  grad.dispose();
}

function consumed(op: string): GradNode {
  return {
    op,
    inputs: [],
    backward: () => {
      throw new Error(
        `backward: trying to backward through the graph a second time (through ${op}): the first backward() freed it. ` +
          'Specify retainGraph: true (y.backward(gradient, { retainGraph: true })) if you need to backward through the graph a second time',
      );
    },
  };
}

export interface BackwardOptions {
  /** Keep the graph so that backward() can run through it again (PyTorch's retain_graph). */
  retainGraph?: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return `a ${typeof v}`;
}

/** `backward(gradient?, options?)` and `backward(options)`, checked. */
function backwardArgs(first: unknown, second: unknown): [Tensor | undefined, boolean] {
  let gradient: unknown = first;
  let options: unknown = second;
  if (isPlainObject(first)) {
    if (second !== undefined) throw new Error('backward: expected (gradient, options) or (options), got two options objects');
    [gradient, options] = [undefined, first];
  }
  if (gradient !== undefined && !(gradient !== null && typeof gradient === 'object' && 'dtype' in gradient && typeof (gradient as Tensor).storage === 'function')) {
    throw new Error(`backward: gradient must be a Tensor, got ${describe(gradient)}`);
  }
  let retainGraph = false;
  if (options !== undefined) {
    if (!isPlainObject(options)) throw new Error(`backward: options must be an object like { retainGraph: true }, got ${describe(options)}`);
    for (const key of Object.keys(options)) {
      if (key !== 'retainGraph') throw new Error(`backward: unknown option '${key}'; the known option is 'retainGraph'`);
    }
    if (options.retainGraph !== undefined && typeof options.retainGraph !== 'boolean') {
      throw new Error(`backward: retainGraph must be a boolean, got ${describe(options.retainGraph)}`);
    }
    retainGraph = options.retainGraph === true;
  }
  return [gradient as Tensor | undefined, retainGraph];
}

/** PyTorch's check: a tensor a backward reads must not have been written in place since it was saved. */
function checkSaved(node: GradNode): void {
  const saved = node.saved ?? [];
  saved.forEach((t, i) => {
    const expected = node.versions?.[i] ?? 0;
    if (!t.isDisposed && t._version !== expected) {
      throw new Error(
        `backward: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `[${t.dtype} ${formatShape(t.shape)}] (saved by ${node.op}) is at version ${t._version}; expected version ${expected} instead`,
      );
    }
  });
}

export function runBackward(root: Tensor, first?: unknown, second?: unknown): void {
  const [gradient, retainGraph] = backwardArgs(first, second);
  root.storage('backward');
  if (!root.requiresGrad) {
    throw new Error('backward: this tensor does not require grad and has no grad_fn (no input of the ops that made it requires a gradient)');
  }
  if (gradient === undefined && root.numel() !== 1) {
    throw new Error(
      `backward: grad can be implicitly created only for scalar outputs; this tensor has shape ${formatShape(root.shape)} — reduce it first (.sum() or .mean()) or pass a gradient of the same shape`,
    );
  }
  if (gradient !== undefined) {
    gradient.storage('backward');
    if (gradient.dtype !== 'float32') throw new Error(`backward: gradient must be float32, got ${gradient.dtype}`);
    if (!sameShape(gradient.shape, root.shape)) {
      throw new Error(`backward: gradient has shape ${formatShape(gradient.shape)}, expected ${formatShape(root.shape)} (the shape of the tensor)`);
    }
  }
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, gradient !== undefined ? gradient.clone() : onesLike(root));
    const order = topologicalOrder(root);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t._node;
      if (node === null) {
        accumulateLeaf(t, g);
        continue;
      }
      checkSaved(node);
      const inputGrads = node.backward(g);
      g.dispose();
      node.inputs.forEach((input, k) => {
        const ig = inputGrads[k];
        if (ig === null || ig === undefined || !input.requiresGrad) {
          if (ig) ig.dispose();
          return;
        }
        const previous = grads.get(input);
        if (previous === undefined) {
          grads.set(input, exclusive(ig));
        } else {
          kernels.axpy(1, ig.storage('backward'), previous.mutableStorage('backward'));
          ig.dispose();
        }
      });
      // Like PyTorch without retain_graph: the graph is consumed, saved tensors can be freed.
      if (!retainGraph) t._node = consumed(node.op);
    }
  });
}
