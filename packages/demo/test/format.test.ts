// The page's number formatting and its reading of worker errors (plain functions, no browser).

import { describe, expect, it } from 'vitest';
import { fmt, userMessage } from '../src/dom.js';

describe('fmt', () => {
  it('gives 4 significant digits, and exponent form for very large or small numbers', () => {
    expect(fmt(0.123456)).toBe('0.1235');
    expect(fmt(2.5)).toBe('2.5');
    expect(fmt(1e30)).toBe('1.000e+30');
    expect(fmt(-3.2e-7)).toBe('-3.200e-7');
    expect(fmt(0)).toBe('0');
    expect(fmt(NaN)).toBe('NaN');
    expect(fmt(Infinity)).toBe('∞');
    expect(fmt(-Infinity)).toBe('−∞');
  });
});

describe('userMessage', () => {
  it('drops the worker method and comlink prefixes, keeps the message', () => {
    expect(userMessage(new Error('configure: lr must be a positive number, got 0'))).toBe('Learning rate must be a positive number, got 0');
    expect(userMessage(new Error('loadStateDict: header length 99 is past the end of the file'))).toBe('Header length 99 is past the end of the file');
    expect(userMessage('Error: fit: there is no data')).toBe('There is no data');
    expect(userMessage(new Error('Choose all four files'))).toBe('Choose all four files');
  });
});
