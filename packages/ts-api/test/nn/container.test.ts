// Sequential as a container (its children are what forward runs; net[i], slice, insert, delete) and the
// Module API around it: buffers, requiresGrad_, tied state-dict keys, printing. Values by hand.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { io, nn, tensor, zeros, type Tensor } from '../../src/index.js';

/** A Linear(1, 1) computing a·x + b, to follow values by hand. */
function affine(a: number, b: number): nn.Linear {
  const l = new nn.Linear(1, 1);
  l.loadStateDict({ weight: tensor([[a]]), bias: tensor([b]) });
  return l;
}

const run = (net: nn.Module, x: number): number => (net.forward(tensor([[x]])).toArray() as Float32Array)[0] as number;

describe('Sequential is its children', () => {
  it('addModule with a new name appends, with an existing name replaces in place; forward runs what is printed', () => {
    const net = new nn.Sequential(affine(2, 0), affine(1, 1));
    expect(run(net, 3)).toBe(7);
    net.addModule('extra', affine(10, 0));
    expect(run(net, 3)).toBe(70);
    net.registerModule('0', affine(-1, 0)); // replaces the first layer, keeps its place
    expect(net.namedChildren().map(([n]) => n)).toEqual(['0', '1', 'extra']);
    expect(run(net, 3)).toBe(-20);
    expect(net.length).toBe(3);
  });

  it('net[i], net.at(i), negative indices, out of range as PyTorch, iteration, slice sharing layers', () => {
    const a = affine(2, 0);
    const b = new nn.ReLU();
    const c = affine(1, -1);
    const net = new nn.Sequential(a, b, c);
    expect(net[0]).toBe(a);
    expect((net[0] as nn.Linear).weight.shape).toEqual([1, 1]);
    expect(net[-1]).toBe(c);
    expect(net.at(-3)).toBe(a);
    expect(() => net[3]).toThrow('Sequential.at: index 3 is out of range for 3 modules');
    expect(() => net.at(-4)).toThrow('index -4 is out of range');
    expect(() => net.at(1.5)).toThrow('index must be an integer, got 1.5');
    expect(0 in net && !(3 in net)).toBe(true);
    expect([...net]).toEqual([a, b, c]);
    const tail = net.slice(1);
    expect(tail).toBeInstanceOf(nn.Sequential);
    expect(tail.namedChildren().map(([n]) => n)).toEqual(['1', '2']); // net[1:] keeps the names
    expect(tail[0]).toBe(b);
    expect(run(tail, -5)).toBe(-1);
    expect(net.slice(-2, -1).length).toBe(1);
  });

  it('append, insert (renumbering), extend, net[i] = m and delete net[i] change what forward runs', () => {
    const net = new nn.Sequential(affine(2, 0));
    net.append(affine(1, 1)); // 2x + 1
    net.insert(0, affine(3, 0)); // 6x + 1
    expect(net.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    expect(run(net, 1)).toBe(7);
    net.insert(-1, affine(1, 5)); // before the last: (6x + 5) + 1
    expect(run(net, 1)).toBe(12);
    net.extend([affine(0.5, 0), affine(1, -1)]);
    expect(run(net, 1)).toBe(5);
    net[0] = affine(-1, 0);
    expect(run(net, 1)).toBe(1); // −1 → −2 → 3 → 4 → 2 → 1
    delete net[0];
    expect(net.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2', '3', '4']);
    expect(run(net, 1)).toBe(3); // 2 → 7 → 8 → 4 → 3
    expect(() => net.insert(7, new nn.ReLU())).toThrow('Sequential.insert: index out of range: 7 (length 5)');
    expect(() => net.append({} as nn.Module)).toThrow('Sequential.append: expected a Module, got Object');
    expect(() => { net[1] = 3 as unknown as nn.Module; }).toThrow('expects a Module, got number');
  });

  it('a Map gives the layers names (PyTorch\'s OrderedDict) and describes itself with them', () => {
    const net = new nn.Sequential(new Map<string, nn.Module>([['hidden', new nn.Linear(3, 2)], ['act', new nn.ReLU()]]));
    expect(net.namedParameters().map(([n]) => n)).toEqual(['hidden.weight', 'hidden.bias']);
    const rebuilt = nn.Module.fromDescription(net.describe()!) as nn.Sequential;
    expect(rebuilt.namedParameters().map(([n]) => n)).toEqual(['hidden.weight', 'hidden.bias']);
    expect(rebuilt[1]).toBeInstanceOf(nn.ReLU);
  });
});

describe('tied layers', () => {
  it('stateDict has every name of a tied layer, parameters() and namedModules() have it once, loading works', () => {
    const shared = new nn.Linear(2, 2);
    const net = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect(Object.keys(net.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(net.parameters()).toHaveLength(2);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', '0', '1']);
    expect(net.length).toBe(3);
    const dict = net.stateDict();
    const fresh = new nn.Linear(2, 2);
    const other = new nn.Sequential(fresh, new nn.ReLU(), fresh);
    other.loadStateDict(dict);
    expect(Array.from(fresh.weight.toArray())).toEqual(Array.from(shared.weight.toArray()));
    // A worker would rebuild two independent layers: not describable.
    expect(net.describe()).toBeNull();
  });
});

class Scaler extends nn.Module {
  constructor() {
    super();
    this.registerBuffer('scale', tensor([2, 3]));
    this.registerBuffer('scratch', zeros([2]), false);
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.namedBuffers()[0]![1]);
  }
}

describe('buffers', () => {
  it('are in stateDict (persistent ones) and buffers(), never in parameters(), and load back', async () => {
    const net = new nn.Sequential(new nn.Linear(2, 2), new Scaler());
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['1.scale', '1.scratch']);
    expect(net.buffers()).toHaveLength(2);
    expect(net.parameters()).toHaveLength(2);
    expect(Object.keys(net.stateDict())).toEqual(['0.weight', '0.bias', '1.scale']);
    const dir = mkdtempSync(join(tmpdir(), 'softmax-buffers-'));
    try {
      const dict: Record<string, Tensor> = { ...net.stateDict(), '1.scale': tensor([5, 7]) };
      await io.save(join(dir, 'net.safetensors'), dict);
      const loaded = await io.load(join(dir, 'net.safetensors'));
      const again = new nn.Sequential(new nn.Linear(2, 2), new Scaler());
      again.loadStateDict(loaded);
      expect(Array.from(again.buffers()[0]!.toArray())).toEqual([5, 7]);
      const bias = Array.from((again[0] as nn.Linear).bias!.toArray());
      Array.from(again.forward(tensor([[0, 0]])).toArray()).forEach((v, i) => expect(v).toBeCloseTo(bias[i]! * [5, 7][i]!, 5));
      expect(() => again.loadStateDict({ '0.weight': dict['0.weight']!, '0.bias': dict['0.bias']! })).toThrow('missing keys: "1.scale"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad buffers throw', () => {
    const m = new Scaler();
    expect(() => m.registerBuffer('x', [1, 2] as unknown as Tensor)).toThrow('registerBuffer: x must be a Tensor or null, got Array');
    expect(() => m.registerBuffer('a.b', zeros([1]))).toThrow("name must be a non-empty string without '.'");
    expect(() => m.registerParameter('scale', zeros([1]))).toThrow('registerParameter: "scale" is already a buffer');
  });
});

describe('Module API', () => {
  it('requiresGrad_ freezes and unfreezes every parameter', () => {
    const net = new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 1));
    net.requiresGrad_(false);
    expect(net.parameters().map((p) => p.requiresGrad)).toEqual([false, false, false, false]);
    expect(net.forward(tensor([[1, 2]])).requiresGrad).toBe(false);
    net.requiresGrad_();
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(() => net.requiresGrad_('no' as unknown as boolean)).toThrow('requiresGrad_: expected a boolean, got string');
  });

  it('prints as PyTorch\'s print(net), also through console.log (util.inspect)', () => {
    const net = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU());
    const expected = 'Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n  (1): ReLU()\n)';
    expect(net.toString()).toBe(expected);
    expect(inspect(net)).toBe(expected);
    expect(new nn.Sequential().toString()).toBe('Sequential()');
  });
});
