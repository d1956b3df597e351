// The bool dtype: one byte per element holding 0/1, made from booleans, numbers (!= 0) or a Uint8Array
// of 0/1; read back as a Uint8Array, booleans from tolist(), 0/1 from item(); saved as safetensors BOOL.

import { describe, expect, it } from 'vitest';
import { full, io, ones, tensor, zeros, zerosLike, arange, TensorDataset } from '../../src/index.js';

describe('tensor(…) with booleans', () => {
  it('infers bool from booleans, as torch.tensor([True, False]) does', () => {
    const t = tensor([true, false, true]);
    expect(t.dtype).toBe('bool');
    expect(t.shape).toEqual([3]);
    expect(t.toArray()).toEqual(new Uint8Array([1, 0, 1]));
    expect(t.tolist()).toEqual([true, false, true]);
    const s = tensor(false);
    expect(s.dtype).toBe('bool');
    expect(s.shape).toEqual([]);
    expect(s.tolist()).toBe(false);
    expect(s.item()).toBe(0);
    expect(tensor([[true], [false]]).tolist()).toEqual([[true], [false]]);
  });

  it('mixes booleans with numbers as 1/0 in a number tensor (float32 by default)', () => {
    const t = tensor([true, 2.5]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.toArray())).toEqual([1, 2.5]);
    expect(Array.from(tensor([true, false, 7], { dtype: 'int32' }).toArray())).toEqual([1, 0, 7]);
  });

  it("dtype 'bool' from numbers is != 0 (NaN and -0.5 are true, -0 is false)", () => {
    const t = tensor([0, -0, 2, -0.5, NaN, Infinity], { dtype: 'bool' });
    expect(t.toArray()).toEqual(new Uint8Array([0, 0, 1, 1, 1, 1]));
    expect(tensor(new Float32Array([0, 3]), { dtype: 'bool' }).tolist()).toEqual([false, true]);
    expect(tensor(new Int32Array([-1, 0]), { dtype: 'bool' }).tolist()).toEqual([true, false]);
  });

  it("dtype 'bool' from a Uint8Array takes 0/1 and rejects other bytes", () => {
    const t = tensor(new Uint8Array([1, 0, 0, 1]), { dtype: 'bool', shape: [2, 2] });
    expect(t.tolist()).toEqual([[true, false], [false, true]]);
    expect(() => tensor(new Uint8Array([0, 1, 2]), { dtype: 'bool' }))
      .toThrow('tensor: dtype bool from a Uint8Array needs 0 or 1, got 2 at index 2');
  });

  it('empty bool tensors', () => {
    const t = tensor([], { dtype: 'bool' });
    expect(t.dtype).toBe('bool');
    expect(t.shape).toEqual([0]);
    expect(t.tolist()).toEqual([]);
    // No element to say it: empty nested arrays stay float32, as torch.tensor([]) does.
    expect(tensor([]).dtype).toBe('float32');
  });

  it('rejects other values and unknown dtypes by name', () => {
    expect(() => tensor(['a' as unknown as number])).toThrow('tensor: data[0] must be a number or a boolean, got a string');
    expect(() => tensor([1], { dtype: 'uint8' as never })).toThrow("tensor: dtype must be 'float32', 'int32' or 'bool', got 'uint8'");
  });

  it('a bool tensor cannot require gradients', () => {
    expect(() => tensor([true], { requiresGrad: true })).toThrow('requiresGrad: only float32 tensors can require gradients, this one is bool');
    expect(() => { tensor([true]).requiresGrad = true; }).toThrow('this one is bool');
  });
});

describe('filled bool tensors', () => {
  it('zeros, ones, full and zerosLike with dtype bool', () => {
    expect(zeros([2], { dtype: 'bool' }).tolist()).toEqual([false, false]);
    expect(ones([1, 2], { dtype: 'bool' }).tolist()).toEqual([[true, true]]);
    expect(full([3], 5, { dtype: 'bool' }).tolist()).toEqual([true, true, true]);
    expect(full([2], 0, { dtype: 'bool' }).tolist()).toEqual([false, false]);
    const b = full([2], true);
    expect(b.dtype).toBe('bool');
    expect(b.tolist()).toEqual([true, true]);
    expect(full([2], true, { dtype: 'float32' }).tolist()).toEqual([1, 1]);
    const z = zerosLike(tensor([true, true]));
    expect(z.dtype).toBe('bool');
    expect(z.tolist()).toEqual([false, false]);
  });

  it("arange refuses dtype 'bool', as PyTorch", () => {
    expect(() => arange(3, undefined, 1, { dtype: 'bool' })).toThrow("arange: dtype 'bool' is not supported");
  });
});

describe('bool tensors as views and copies', () => {
  it('reshape, flatten, detach and clone keep the dtype and the bytes', () => {
    const t = tensor([[true, false, true], [false, false, true]]);
    expect(t.reshape(3, 2).tolist()).toEqual([[true, false], [true, false], [false, true]]);
    expect(t.flatten().dtype).toBe('bool');
    const c = t.clone();
    expect(c.dtype).toBe('bool');
    expect(c.tolist()).toEqual(t.tolist());
    expect(c.sharesStorageWith(t)).toBe(false);
    expect(t.detach().tolist()).toEqual(t.tolist());
  });

  it('ops that need numbers name the dtype', () => {
    const t = tensor([true, false]);
    expect(() => t.exp()).toThrow('exp: expected a float32 tensor, got bool (shape [2])');
    expect(() => t.matmul(t)).toThrow('got bool');
  });

  it('TensorDataset refuses bool tensors by name', () => {
    expect(() => new TensorDataset(tensor([[1], [2]]), tensor([true, false])))
      .toThrow('TensorDataset: bool tensors are not supported (shape [2]); convert with .float() or .int()');
  });
});

describe('safetensors BOOL', () => {
  it('writes BOOL, one byte per element, ordered after F32 and I32 as the reference sorts', () => {
    const bytes = io.serialize({ m: tensor([true, false, true]), w: tensor([1.5]), i: tensor([3], { dtype: 'int32' }) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd();
    expect(header).toBe(
      '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
      '"i":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},' +
      '"m":{"dtype":"BOOL","shape":[3],"data_offsets":[8,11]}}',
    );
    expect(Array.from(bytes.subarray(8 + n + 8))).toEqual([1, 0, 1]);
    const { tensors } = io.deserialize(bytes);
    expect(tensors.m.dtype).toBe('bool');
    expect(tensors.m.tolist()).toEqual([true, false, true]);
  });

  it('reads BOOL and rejects a byte that is neither 0 nor 1', () => {
    const file = (data: number[]): Uint8Array => {
      const h = new TextEncoder().encode(JSON.stringify({ b: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }).padEnd(64, ' '));
      const out = new Uint8Array(8 + h.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      out.set(data, 8 + h.length);
      return out;
    };
    expect(io.deserialize(file([0, 1])).tensors.b.tolist()).toEqual([false, true]);
    expect(() => io.deserialize(file([1, 2]))).toThrow('tensor "b": BOOL byte 2 at index 1 is neither 0 nor 1');
  });
});
