// In-place ops with PyTorch's safety rules, all through one helper (applyInPlace): the out-of-place op
// computes the new value, which is then stored into the tensor (a view's elements reach its base).

import { kernels, rng } from '../../backend/index.js';
import { gradFnName } from '../format.js';
import { isGradEnabled, noGrad } from '../grad-mode.js';
import { formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty, full, zerosLike } from './create.js';
import * as ew from './elementwise.js';
import { expand, clone, toDType } from './shape.js';
import { maskedFill } from './where.js';
import { scatter } from './gather.js';
import { clamp } from './unary.js';
import { requireTensor } from './util.js';
import { multiOutputView, viewAt } from './view.js';

function rootOf(t: Tensor): Tensor | null {
  let root = t._base;
  while (root !== null && root._base !== null) root = root._base;
  return root;
}

/** PyTorch's refusal to rewrite in place one of several views one call returned (unbind), or a view of one. */
function checkNotMultiOutputView(self: Tensor, op: string): void {
  const view = multiOutputView(self);
  if (view === null) return;
  const rule = 'This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.';
  if (!self.requiresGrad || self._node === null) throw new Error(`${op}: A view was created in no_grad mode and is being modified inplace with grad mode enabled. ${rule}`);
  // PyTorch names the modified view's own node: output 0 of it for a view cut from an output.
  throw new Error(`${op}: Output ${view.direct ? view.output : 0} of ${gradFnName(self._node.op)} is a view and is being modified inplace. ${rule}`);
}

/** Throws PyTorch's errors (and ours for what is not supported yet) for an in-place op autograd must record. */
function checkRecordable(self: Tensor, op: string, root: Tensor | null): void {
  checkNotMultiOutputView(self, op);
  if (self.isLeaf && self.requiresGrad) {
    throw new Error(`${op}: a leaf Variable that requires grad is being used in an in-place operation. (Wrap it in noGrad(), or write through .data.)`);
  }
  if (root !== null && root.isLeaf && root.requiresGrad) {
    throw new Error(`${op}: a view of a leaf Variable that requires grad is being used in an in-place operation. (Wrap it in noGrad(), or write through .data.)`);
  }
  const base = root ?? self;
  if (base._used) {
    throw new Error(`${op}: in-place ops on a tensor that requires grad and was already used by another op are not supported yet (shape ${formatShape(base.shape)}); use the out-of-place op`);
  }
  if (root === null ? !self.ownsStorageAlone() : !root.isContiguous()) {
    throw new Error(`${op}: in-place ops on a tensor sharing its storage (or on a view of a non-contiguous tensor) are not supported yet when autograd records them (shape ${formatShape(self.shape)}); use the out-of-place op, or noGrad()`);
  }
}

/** Stores `value` (self's shape) into `self`'s elements, converting the dtype as copy_ does. */
function store(self: Tensor, value: Tensor, op: string): void {
  if (!sameShape(value.shape, self.shape)) {
    throw new Error(`${op}: output with shape ${formatShape(self.shape)} doesn't match the broadcast shape ${formatShape(value.shape)}`);
  }
  const src = value.sharesStorageWith(self) ? noGrad(() => clone(value)) : value;
  const from = src.storage(op);
  self.writeWith(op, (s) => kernels.cast(from, s));
  if (src !== value) src.dispose();
}

/**
 * The one in-place helper: `compute(current)` returns the new value of `self` (an out-of-place op on it),
 * which is stored into `self`. With autograd on, `self` takes over the result's graph node and the old
 * value stays in the graph as a copy; PyTorch's errors for leaves and views come first. `others` are the
 * op's other tensor inputs. `clamp_ = (min, max) => applyInPlace(this, 'clamp_', [], (t) => clamp(t, min, max))`.
 */
export function applyInPlace(self: Tensor, op: string, others: readonly Tensor[], compute: (current: Tensor) => Tensor): Tensor {
  requireTensor(self, op, 'self');
  self.storage(op);
  const recorded = isGradEnabled() && (self.requiresGrad || others.some((t) => t.requiresGrad));
  if (!recorded) {
    const value = noGrad(() => compute(self));
    store(self, value, op);
    if (value !== self) value.dispose();
    return self;
  }
  const root = rootOf(self);
  checkRecordable(self, op, root);
  if (root !== null) return viewInPlace(self, root, op, others, compute);
  const old = noGrad(() => clone(self));
  old._adoptNode(self);
  const value = recordedValue(compute(old), op, old, others);
  store(self, value, op);
  self._adoptNode(value);
  return self;
}

/** The op's result, given a node (gradient 0 to the old value) when the op itself records none (fill_). */
function recordedValue(value: Tensor, op: string, old: Tensor, others: readonly Tensor[]): Tensor {
  if (!value.isLeaf) return value;
  return value.record(op, [old, ...others], () => [zerosLike(old), ...others.map(() => null)], []);
}

/**
 * PyTorch's CopySlices: an in-place op on a view of a (contiguous) tensor `root`. The op runs on a view
 * of a copy of root's old value; root takes the node of "old value with the view's elements replaced",
 * and the view becomes a view of the new root.
 */
function viewInPlace(self: Tensor, root: Tensor, op: string, others: readonly Tensor[], compute: (current: Tensor) => Tensor): Tensor {
  const strides = self.stride();
  const offset = self.storageOffset() - root.storageOffset();
  const oldRoot = noGrad(() => clone(root));
  oldRoot._adoptNode(root);
  const current = viewAt(oldRoot, op, self.shape, strides, offset);
  const value = recordedValue(compute(current), op, current, others);
  const newRoot = noGrad(() => clone(oldRoot));
  const src = value.storage(op);
  newRoot._view(self.shape, { strides, offset }).writeWith(op, (s) => kernels.copy(src, s));
  // Named as PyTorch prints them: the base's node CopySlices, the view's AsStridedBackward0.
  newRoot.record('copySlices', [oldRoot, value], (g) => {
    const gOld = oldRoot.requiresGrad ? clone(g) : null;
    if (gOld !== null) gOld._view(self.shape, { strides, offset }).writeWith(op, (s) => kernels.fill(s, 0));
    const gValue = value.requiresGrad ? clone(g._view(self.shape, { strides, offset: g.storageOffset() + offset })) : null;
    return [gOld, gValue];
  }, []);
  store(self, value, op);
  root._adoptNode(newRoot);
  self._adoptNode(viewAt(root, 'asStrided', self.shape, strides, offset));
  return self;
}

const asOperand = (v: Tensor | number): Tensor[] => (v instanceof Tensor ? [v] : []);
const bounds = (...vs: (Tensor | number | null | undefined)[]): Tensor[] => vs.filter((v): v is Tensor => v instanceof Tensor);

/** In place: clamps into [min, max] (either may be omitted), like `clamp_`. */
export function clamp_(self: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
  return applyInPlace(self, 'clamp_', bounds(min, max), (t) => clamp(t, min, max));
}

/** In place: writes src (a tensor or a number) at `index` along `dim`, like `scatter_`. */
export function scatter_(self: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  return applyInPlace(self, 'scatter_', asOperand(src), (t) => scatter(t, dim, index, src));
}

export function add_(self: Tensor, other: Tensor | number): Tensor {
  return applyInPlace(self, 'add_', asOperand(other), (t) => ew.add(t, other));
}
export function sub_(self: Tensor, other: Tensor | number): Tensor {
  return applyInPlace(self, 'sub_', asOperand(other), (t) => ew.sub(t, other));
}
export function mul_(self: Tensor, other: Tensor | number): Tensor {
  return applyInPlace(self, 'mul_', asOperand(other), (t) => ew.mul(t, other));
}
export function div_(self: Tensor, other: Tensor | number): Tensor {
  return applyInPlace(self, 'div_', asOperand(other), (t) => ew.div(t, other));
}

export function fill_(self: Tensor, value: number | boolean): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`fill_: value must be a number or a boolean, got ${typeof value}`);
  if (self.dtype === 'float32' && self.isContiguous() && !(isGradEnabled() && self.requiresGrad)) {
    kernels.fill(self.mutableStorage('fill_'), Number(value));
    return self;
  }
  return applyInPlace(self, 'fill_', [], (t) => full(t.shape, value, { dtype: t.dtype }));
}

export function zero_(self: Tensor): Tensor {
  return fill_(self, 0);
}

export function maskedFill_(self: Tensor, mask: Tensor, value: number): Tensor {
  return applyInPlace(self, 'maskedFill_', [], (t) => maskedFill(t, mask, value));
}

/** Copies `src` (broadcast to this shape, dtype converted) into `self`; the gradient flows to `src`. */
export function copy_(self: Tensor, src: Tensor): Tensor {
  requireTensor(src, 'copy_', 'src');
  src.storage('copy_');
  return applyInPlace(self, 'copy_', [src], (t) => {
    if (src.dtype !== t.dtype) {
      if (sameShape(src.shape, t.shape)) return toDType(src, t.dtype, 'copy_');
      const wide = noGrad(() => expandAny(src, t.shape));
      const out = toDType(wide, t.dtype, 'copy_');
      wide.dispose();
      return out;
    }
    return sameShape(src.shape, t.shape) ? clone(src) : expand(src, t.shape);
  });
}

function expandAny(src: Tensor, shape: readonly number[]): Tensor {
  if (src.dtype === 'float32') return expand(src, shape);
  const f = toDType(src, 'float32');
  const wide = expand(f, shape);
  const out = toDType(wide, src.dtype);
  wide.dispose();
  f.dispose();
  return out;
}

function random(self: Tensor, op: string, draw: (s: import('../../backend/index.js').Storage) => void): Tensor {
  if (self.dtype !== 'float32') throw new Error(`${op}: expected a float32 tensor, got ${self.dtype}`);
  return applyInPlace(self, op, [], (t) => {
    const out = empty(t.shape);
    draw(out.storage(op));
    return out;
  });
}

/** Fills with samples of N(mean, std²) from the seeded generator, like `normal_`. */
export function normal_(self: Tensor, mean = 0, std = 1): Tensor {
  return random(self, 'normal_', (s) => rng.normal(s, mean, std));
}

/** Fills with samples of U[from, to) from the seeded generator, like `uniform_`. */
export function uniform_(self: Tensor, from = 0, to = 1): Tensor {
  return random(self, 'uniform_', (s) => rng.uniform(s, from, to));
}

