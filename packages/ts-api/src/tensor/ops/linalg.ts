// Matrix products (the core's GEMM) with gradients: matmul, the fused linear layer, transposes.

import { kernels } from '../../backend/index.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { empty } from './create.js';
import { requireFloat, viewOf } from './util.js';

/** op(A)·op(B) into a new [m, n] tensor. */
function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Tensor, b: Tensor): Tensor {
  const out = empty([m, n]);
  kernels.gemm(transA, transB, m, n, k, 1, a.storage('matmul'), b.storage('matmul'), 0, out.storage('matmul'));
  return out;
}

/** Matrix product of 2-D tensors (1-D operands are treated as a row / a column, as in PyTorch). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat(a, 'matmul');
  requireFloat(b, 'matmul');
  if (a.ndim < 1 || a.ndim > 2 || b.ndim < 1 || b.ndim > 2) {
    throw new Error(`matmul: supports 1-D and 2-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
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
