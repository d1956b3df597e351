// nn.init with PyTorch's keyword arguments as an options object (`normal_(w, std=0.01)` →
// `normal_(w, { std: 0.01 })`): the same draws as the positional form (parity-checked against PyTorch in
// parity/cases_nn.py), and thrown errors for unknown keys, mixed forms and values that are not numbers.

import { describe, expect, it } from 'vitest';
import { nn, manualSeed, empty, type Tensor } from '../../src/index.js';

/** The values `init` writes into a fresh [30, 40] tensor after manualSeed(7). */
function drawn(init: (t: Tensor) => Tensor): number[] {
  manualSeed(7);
  return Array.from(init(empty([30, 40])).toArray());
}

describe('nn.init keyword options', () => {
  it('give the positional form\'s values, defaults filled in as PyTorch fills them', () => {
    const { init } = nn;
    expect(drawn((t) => init.normal_(t, { std: 0.01 }))).toEqual(drawn((t) => init.normal_(t, 0, 0.01)));
    expect(drawn((t) => init.normal_(t, { mean: 2 }))).toEqual(drawn((t) => init.normal_(t, 2, 1)));
    expect(drawn((t) => init.normal_(t, {}))).toEqual(drawn((t) => init.normal_(t)));
    expect(drawn((t) => init.uniform_(t, { b: 3, a: -2 }))).toEqual(drawn((t) => init.uniform_(t, -2, 3)));
    expect(drawn((t) => init.uniform_(t, { b: 5 }))).toEqual(drawn((t) => init.uniform_(t, 0, 5)));
    expect(drawn((t) => init.xavierNormal_(t, { gain: 2 }))).toEqual(drawn((t) => init.xavierNormal_(t, 2)));
    expect(drawn((t) => init.xavierUniform_(t, {}))).toEqual(drawn((t) => init.xavierUniform_(t)));
    expect(drawn((t) => init.kaimingNormal_(t, { mode: 'fan_out', nonlinearity: 'relu' }))).toEqual(drawn((t) => init.kaimingNormal_(t, 0, 'fan_out', 'relu')));
    expect(drawn((t) => init.kaimingUniform_(t, { a: Math.sqrt(5) }))).toEqual(drawn((t) => init.kaimingUniform_(t, Math.sqrt(5), 'fan_in', 'leaky_relu')));
    expect(new Set(drawn((t) => init.constant_(t, { val: 0.25 })))).toEqual(new Set([0.25]));
  });

  it('refuse unknown keys, both forms at once and arguments that are not numbers, leaving the tensor as it was', () => {
    const t = empty([3, 4]);
    nn.init.constant_(t, 5);
    expect(() => nn.init.normal_(t, { sd: 1 } as never)).toThrow("normal_: unknown option 'sd'; known options: mean, std");
    expect(() => nn.init.normal_(t, { std: 1 }, 2)).toThrow('normal_: give the arguments either as an options object or by position, not both');
    expect(() => nn.init.kaimingUniform_(t, { non_linearity: 'relu' } as never)).toThrow("kaimingUniform_: unknown option 'non_linearity'; known options: a, mode, nonlinearity");
    expect(() => nn.init.kaimingNormal_(t, { a: 0 }, 'fan_out')).toThrow('kaimingNormal_: give the arguments either as an options object or by position, not both');
    expect(() => nn.init.normal_(t, 'zero' as never)).toThrow('normal_: mean must be a finite number, got string');
    expect(() => nn.init.normal_(t, 0, Number.NaN)).toThrow('normal_: std must be a finite number, got NaN');
    expect(() => nn.init.uniform_(t, { a: -Infinity })).toThrow('uniform_: a must be a finite number, got -Infinity');
    expect(() => nn.init.xavierUniform_(t, { gain: '2' } as never)).toThrow('xavierUniform_: gain must be a finite number, got string');
    expect(() => nn.init.kaimingNormal_(t, { a: Number.NaN })).toThrow('kaimingNormal_: a must be a finite number, got NaN');
    expect(() => nn.init.constant_(t, {} as never)).toThrow('constant_: val must be a number, got undefined');
    expect(() => nn.init.constant_(t, { val: 1, value: 2 } as never)).toThrow("constant_: unknown option 'value'; known options: val");
    expect(Array.from(t.toArray())).toEqual(Array(12).fill(5));
  });
});
