// The examples' download decision: they download a missing Fashion-MNIST (as the notes' loader does)
// unless SOFTMAX_NN_NO_DOWNLOAD=1; any other value is an error, not a guess.

import { describe, expect, it } from 'vitest';
import { mayDownload } from '../../examples/common.js';

describe('examples: mayDownload', () => {
  it('downloads by default and never with SOFTMAX_NN_NO_DOWNLOAD=1', () => {
    expect(mayDownload({})).toBe(true);
    expect(mayDownload({ SOFTMAX_NN_NO_DOWNLOAD: '1' })).toBe(false);
  });

  it('rejects any other value, naming it', () => {
    expect(() => mayDownload({ SOFTMAX_NN_NO_DOWNLOAD: 'yes' }))
      .toThrow("SOFTMAX_NN_NO_DOWNLOAD must be 1 (never download Fashion-MNIST) or unset, got 'yes'");
    expect(() => mayDownload({ SOFTMAX_NN_NO_DOWNLOAD: '' })).toThrow("got ''");
  });
});
