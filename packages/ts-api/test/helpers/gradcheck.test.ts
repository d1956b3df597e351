// The finite-difference gradient check itself: it must fail when backward() leaves an input without a
// gradient (a zero-filled stand-in would pass wherever the true gradient happens to be zero).

import { describe, expect, it } from 'vitest';
import { gradcheck, values } from './gradcheck.js';

const a = { data: values(6, 3), shape: [2, 3] };
const b = { data: values(6, 4), shape: [2, 3] };

describe('gradcheck', () => {
  it('passes for an op whose gradients backward() computes (a·b)', () => {
    expect(() => gradcheck((x, y) => x.mul(y), [a, b])).not.toThrow();
  });

  it('fails when an input gets no gradient although it takes part (detached)', () => {
    expect(() => gradcheck((x, y) => x.mul(y.detach()), [a, b])).toThrow(
      'gradcheck: backward() gave no gradient (null) for input 1 of shape [2, 3]',
    );
  });

  it('fails when an input gets no gradient because the function ignores it (its true gradient is 0)', () => {
    expect(() => gradcheck((x) => x.mul(2), [a, b])).toThrow(
      'gradcheck: backward() gave no gradient (null) for input 1 of shape [2, 3]',
    );
  });
});
