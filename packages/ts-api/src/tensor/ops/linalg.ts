// Matrix products (the core's GEMM) with gradients: matmul, the fused linear layer, transposes.

import { kernels } from '../../backend/index.js';
import { subStorage } from '../../backend/memory.js';
import { broadcastShapes, formatShape, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { expandTo, reduceTo, requireFloat, viewOf } from './util.js';

/** op(A)·op(B) into a new [m, n] tensor. */
function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Tensor, b: Tensor): Tensor {
  const out = empty([m, n]);
  kernels.gemm(transA, transB, m, n, k, 1, a.storage('matmul'), b.storage('matmul'), 0, out.storage('matmul'));
  return out;
}

/**
 * PyTorch's matmul: 1-D operands are a row / a column (removed from the result); beyond 2-D, the
 * leading dims are batch dims, broadcast against each other.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat(a, 'matmul');
  requireFloat(b, 'matmul');
  if (a.ndim < 1 || b.ndim < 1) {
    throw new Error(`matmul: both arguments need at least 1 dimension, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (a.ndim > 2 || b.ndim > 2) return batchedMatmul(a, b);
  const a2 = a.ndim === 1 ? viewOf(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? viewOf(b, [b.shape[0], 1]) : b;
  const [m, k] = a2.shape;
  const [k2, n] = b2.shape;
  if (k !== k2) {
    throw new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${k} ≠ ${k2})`);
  }
  const out2 = gemm(false, false, m, n, k, a2, b2);
  const outShape = a.ndim === 1 && b.ndim === 1 ? [] : a.ndim === 1 ? [n] : b.ndim === 1 ? [m] : [m, n];
  const out = outShape.length === 2 ? out2 : viewOf(out2, outShape);
  if (out !== out2) out2.dispose();
  if (a2 !== a) a2.dispose();
  if (b2 !== b) b2.dispose();
  return out.record('matmul', [a, b], (g) => {
    const g2 = viewOf(g, [m, n]);
    const a2b = viewOf(a, [m, k]);
    const b2b = viewOf(b, [k, n]);
    // dA = G·Bᵀ, dB = Aᵀ·G
    const ga = a.requiresGrad ? gemm(false, true, m, k, n, g2, b2b) : null;
    const gb = b.requiresGrad ? gemm(true, false, k, n, m, a2b, g2) : null;
    g2.dispose();
    a2b.dispose();
    b2b.dispose();
    const shaped = (t: Tensor | null, shape: readonly number[]): Tensor | null => {
      if (t === null) return null;
      const v = viewOf(t, shape);
      t.dispose();
      return v;
    };
    return [shaped(ga, a.shape), shaped(gb, b.shape)];
  });
}

/** Per batch i: C[i] = op(A[i])·op(B[i]) for contiguous A [batch, m|k, k|m], B [batch, k|n, n|k]; C is [batch, m, n]. */
function batchGemm(transA: boolean, transB: boolean, batch: number, m: number, n: number, k: number, a: Tensor, b: Tensor): Tensor {
  const out = empty([batch, m, n]);
  const [as, bs, cs] = [a.storage('matmul'), b.storage('matmul'), out.storage('matmul')];
  for (let i = 0; i < batch; i++) {
    kernels.gemm(transA, transB, m, n, k, 1, subStorage(as, i * m * k, m * k), subStorage(bs, i * k * n, k * n), 0, subStorage(cs, i * m * n, m * n));
  }
  return out;
}

/** `op` names the recorded node: bmm's prints as PyTorch's BmmBackward0. */
function batchedMatmul(a: Tensor, b: Tensor, op = 'matmul'): Tensor {
  const a3 = a.ndim === 1 ? [1, a.shape[0]] : a.shape;
  const b3 = b.ndim === 1 ? [b.shape[0], 1] : b.shape;
  const [m, k] = a3.slice(-2);
  const [k2, n] = b3.slice(-2);
  if (k !== k2) {
    throw new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${k} ≠ ${k2})`);
  }
  const batch = broadcastShapes(a3.slice(0, -2), b3.slice(0, -2), 'matmul');
  const B = numel(batch);
  // Both operands materialised with the broadcast batch dims; the backward makes them again.
  const operands = (): [Tensor, Tensor] => [expanded(a, a3, [...batch, m, k]), expanded(b, b3, [...batch, k, n])];
  const [ae, be] = operands();
  const full = batchGemm(false, false, B, m, n, k, ae, be);
  ae.dispose();
  be.dispose();
  const out = viewOf(full, [...batch, ...(a.ndim === 1 ? [] : [m]), ...(b.ndim === 1 ? [] : [n])]);
  full.dispose();
  return out.record(op, [a, b], (g) => {
    const [ae2, be2] = operands();
    const g3 = viewOf(g, [B, m, n]);
    // dA = G·Bᵀ, dB = Aᵀ·G per batch, summed over the batch dims an operand was broadcast along.
    const ga = a.requiresGrad ? unbatched(batchGemm(false, true, B, m, k, n, g3, be2), [...batch, m, k], a3, a.shape) : null;
    const gb = b.requiresGrad ? unbatched(batchGemm(true, false, B, k, n, m, ae2, g3), [...batch, k, n], b3, b.shape) : null;
    for (const t of [ae2, be2, g3]) t.dispose();
    return [ga, gb];
  });
}

/** `t` read with shape `as`, expanded to `to`, contiguous (a new tensor object either way). */
function expanded(t: Tensor, as: readonly number[], to: readonly number[]): Tensor {
  const v = viewOf(t, as);
  const e = expandTo(v, to);
  v.dispose();
  return e;
}

/** A batched gradient [B, r, c] summed down to the operand's (possibly broadcast) shape `as`, then given `shape`. */
function unbatched(g: Tensor, full: readonly number[], as: readonly number[], shape: readonly number[]): Tensor {
  const v = viewOf(g, full);
  g.dispose();
  const r = reduceTo(v, as);
  v.dispose();
  const out = viewOf(r, shape);
  r.dispose();
  return out;
}

/** Batched matrix product of 3-D tensors with one batch size: [b, n, m] · [b, m, p] → [b, n, p] (`torch.bmm`). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  requireDims('bmm', a, 3, 'batch1');
  requireDims('bmm', b, 3, 'batch2');
  if (a.shape[0] !== b.shape[0]) throw new Error(`bmm: batch1 and batch2 must have same number of batches, got ${a.shape[0]} and ${b.shape[0]}`);
  if (a.shape[2] !== b.shape[1]) {
    throw new Error(`bmm: Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}].`);
  }
  requireFloat(a, 'bmm');
  requireFloat(b, 'bmm');
  return batchedMatmul(a, b, 'bmm');
}

/**
 * y = x·Wᵀ + b with W of shape [out, in] (PyTorch's `F.linear`). x may have any leading dims.
 * Backward skips dX when x does not require a gradient (the first layer of a network).
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  requireFloat(x, 'linear');
  requireFloat(weight, 'linear');
  if (weight.ndim !== 2) throw new Error(`linear: weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(`linear: expected input with last dimension ${inF}, got input of shape ${formatShape(x.shape)}`);
  }
  if (bias !== null) {
    requireFloat(bias, 'linear');
    if (bias.ndim !== 1 || bias.shape[0] !== outF) {
      throw new Error(`linear: bias must have shape [${outF}], got ${formatShape(bias.shape)}`);
    }
  }
  const rows = x.numel() / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  const out = empty(outShape);
  const y = out.storage('linear');
  let beta = 0;
  if (bias !== null && rows > 0) {
    kernels.expand(bias.storage('linear'), y, [rows, outF], [0, 1]);
    beta = 1;
  }
  kernels.gemm(false, true, rows, outF, inF, 1, x.storage('linear'), weight.storage('linear'), beta, y);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return out.record('linear', inputs, (g) => {
    const gs = g.storage('linear');
    let gx: Tensor | null = null;
    if (x.requiresGrad) {
      gx = empty(x.shape);
      kernels.gemm(false, false, rows, inF, outF, 1, gs, weight.storage('linear'), 0, gx.storage('linear'));
    }
    let gw: Tensor | null = null;
    if (weight.requiresGrad) {
      gw = empty(weight.shape);
      kernels.gemm(true, false, outF, inF, rows, 1, gs, x.storage('linear'), 0, gw.storage('linear'));
    }
    let gb: Tensor | null = null;
    if (bias !== null && bias.requiresGrad) {
      gb = empty(bias.shape);
      kernels.biasGrad(gs, gb.storage('linear'), rows, outF);
    }
    return bias === null ? [gx, gw] : [gx, gw, gb];
  }, [x, weight]);
}

export { transpose, t } from './view.js';

function requireDims(op: string, t: Tensor, ndim: number, what: string): void {
  if (t.ndim !== ndim) throw new Error(`${op}: ${what} must be ${ndim}-D, got shape ${formatShape(t.shape)}`);
}

/** The dot product of two 1-D tensors of one length, a scalar (`torch.dot`). */
export function dot(a: Tensor, b: Tensor): Tensor {
  requireDims('dot', a, 1, 'the first tensor');
  requireDims('dot', b, 1, 'the second tensor');
  if (a.shape[0] !== b.shape[0]) {
    throw new Error(`dot: inconsistent tensor size, expected tensors of the same number of elements, got ${a.shape[0]} and ${b.shape[0]}`);
  }
  return matmul(a, b);
}

/** Matrix × vector: [m, n] · [n] → [m] (`torch.mv`). */
export function mv(a: Tensor, x: Tensor): Tensor {
  requireDims('mv', a, 2, 'the matrix');
  requireDims('mv', x, 1, 'the vector');
  return matmul(a, x);
}

/** Matrix × matrix: [m, k] · [k, n] → [m, n] (`torch.mm`). */
export function mm(a: Tensor, b: Tensor): Tensor {
  requireDims('mm', a, 2, 'the first matrix');
  requireDims('mm', b, 2, 'the second matrix');
  return matmul(a, b);
}
