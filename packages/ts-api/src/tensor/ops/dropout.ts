// Inverted dropout: zeroes elements with probability p and scales the rest by 1/(1−p); the mask is
// drawn from the core's seeded generator.

import { kernels, rng } from '../../backend/index.js';
import { Tensor } from '../tensor.js';
import { empty, zeros } from './create.js';
import { requireFloat, viewOf } from './util.js';

export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  requireFloat(x, 'dropout');
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability must be in [0, 1], got ${p}`);
  if (!training || p === 0) return viewOf(x).record('dropout', [x], (g) => [viewOf(g)], []);
  if (p === 1) return zeros(x.shape).record('dropout', [x], () => [zeros(x.shape)], []);
  const mask = empty(x.shape);
  const y = empty(x.shape);
  rng.dropout(x.storage('dropout'), mask.storage('dropout'), y.storage('dropout'), p);
  y.record('dropout', [x], (g) => {
    const dx = empty(x.shape);
    kernels.binary('mul', g.storage('dropout'), mask.storage('dropout'), dx.storage('dropout'));
    return [dx];
  }, []);
  if (y.isLeaf) mask.dispose(); // not recorded: nobody will need the mask
  return y;
}
