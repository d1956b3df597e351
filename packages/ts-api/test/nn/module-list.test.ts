// nn.ModuleList: holds modules for the forward of the module that owns it (their parameters are the
// owner's, named 'blocks.0.weight' as PyTorch names them); list operations like Sequential's; no forward.

import { describe, expect, it } from 'vitest';
import { nn, tensor, type Tensor } from '../../src/index.js';

/** A Linear(1, 1) computing a·x + b, to follow values by hand. */
function affine(a: number, b: number): nn.Linear {
  const l = new nn.Linear(1, 1);
  l.loadStateDict({ weight: tensor([[a]]), bias: tensor([b]) });
  return l;
}

class Chain extends nn.Module {
  blocks: nn.ModuleList;
  constructor(blocks: nn.Module[]) {
    super();
    this.blocks = new nn.ModuleList(blocks);
  }
  forward(x: Tensor): Tensor {
    for (const block of this.blocks) x = block.forward(x);
    return x;
  }
}

const run = (net: nn.Module, x: number): number => net.forward(tensor([[x]])).item();

describe('nn.ModuleList', () => {
  it('registers its modules under the owner, which runs them', () => {
    const net = new Chain([affine(2, 0), new nn.ReLU(), affine(1, 1)]);
    expect(net.namedParameters().map(([n]) => n)).toEqual(['blocks.0.weight', 'blocks.0.bias', 'blocks.2.weight', 'blocks.2.bias']);
    expect(run(net, 3)).toBe(7); // relu(2·3) + 1
    expect(run(net, -3)).toBe(1);
    expect(String(net)).toBe([
      'Chain(',
      '  (blocks): ModuleList(',
      '    (0): Linear(in_features=1, out_features=1, bias=True)',
      '    (1): ReLU()',
      '    (2): Linear(in_features=1, out_features=1, bias=True)',
      '  )',
      ')',
    ].join('\n'));
  });

  it('indexes, appends, inserts, deletes and slices as a Python list of modules', () => {
    const net = new Chain([affine(2, 0)]);
    const list = net.blocks;
    list.append(affine(1, 1)).extend([affine(10, 0)]);
    expect(list.length).toBe(3);
    expect(run(net, 3)).toBe(70);
    list[1] = affine(1, -1);
    expect(run(net, 3)).toBe(50);
    list.insert(0, affine(-1, 0));
    expect(list.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2', '3']);
    expect(run(net, 3)).toBe(-70);
    delete list[0];
    expect(run(net, 3)).toBe(50);
    expect(list[-1]).toBe(list.at(2));
    const tail = list.slice(1);
    expect(tail).toBeInstanceOf(nn.ModuleList);
    expect(tail.length).toBe(2);
    expect(tail[0]).toBe(list[1]);
    expect(new nn.ModuleList().length).toBe(0);
  });

  it('has no forward, is not a Sequential, and names itself in its errors', () => {
    const list = new nn.ModuleList([affine(1, 0)]);
    expect(list).not.toBeInstanceOf(nn.Sequential);
    expect(() => list.forward()).toThrow('ModuleList has no forward: it only holds modules; call them from the forward of the module that owns the list');
    expect(() => list[3]).toThrow('ModuleList.at: index 3 is out of range for 1 modules');
    expect(() => new nn.ModuleList([affine(1, 0), 2 as never])).toThrow('ModuleList.extend: element 1 is number, expected a Module');
    expect(() => new nn.ModuleList(affine(1, 0) as never)).toThrow('ModuleList.extend: expected an iterable of Modules, got Linear');
    expect(() => { list[0] = 'relu' as never; }).toThrow('ModuleList: net[0] = … expects a Module, got string');
    expect(list.length).toBe(1);
  });
});
