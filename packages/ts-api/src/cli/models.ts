// The CLI's view of the models (../models.ts builds them): a state dict that fits none is a usage error
// of `predict`, reported without a stack trace.

import type { Tensor } from '../index.js';
import { inferArch as inferShared, type Arch } from '../models.js';
import { UsageError } from './args.js';

export { buildNet, describeArch, INPUTS, CLASSES, type Arch } from '../models.js';

/** Which model `dict` holds (see ../models.ts), or a UsageError naming `source`. */
export function inferArch(dict: Record<string, Tensor>, source: string): Arch {
  try {
    return inferShared(dict, source);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e), 'predict');
  }
}
