// The two models of the CLI and how to recognise them from a state dict's keys and shapes.

import { nn, type Tensor } from '../index.js';
import { UsageError, type ModelKind } from './args.js';

export const INPUTS = 784;
export const CLASSES = 10;

export interface Arch {
  model: ModelKind;
  /** The MLP's hidden width (ignored for softmax). */
  hidden: number;
  /** Dropout probability; 0 = no Dropout layer (which shifts the Linear layers' key names). */
  dropout: number;
}

/**
 * softmax: Flatten → [Dropout(p)] → Linear(784, 10), weights from normal(0, 0.01) (the notes' init_weights).
 * mlp: Flatten → Linear(784, H) → ReLU → [Dropout(p)] → Linear(H, 10), PyTorch's default init.
 * Draws from the global generator (seed it first).
 */
export function buildNet(arch: Arch): nn.Sequential {
  const drop = arch.dropout > 0 ? [new nn.Dropout(arch.dropout)] : [];
  if (arch.model === 'softmax') {
    const net = new nn.Sequential(new nn.Flatten(), ...drop, new nn.Linear(INPUTS, CLASSES));
    net.apply((m) => {
      if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01);
    });
    return net;
  }
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(INPUTS, arch.hidden),
    new nn.ReLU(),
    ...drop,
    new nn.Linear(arch.hidden, CLASSES),
  );
}

/** A short description, e.g. "mlp (784 → 256 → 10, dropout 0.2)". */
export function describeArch(arch: Arch): string {
  const shape = arch.model === 'softmax' ? `${INPUTS} → ${CLASSES}` : `${INPUTS} → ${arch.hidden} → ${CLASSES}`;
  return `${arch.model} (${shape}${arch.dropout > 0 ? `, dropout ${arch.dropout}` : ''})`;
}

/**
 * Recognises which of the two models a state dict belongs to, from its keys (`1.weight` …) and
 * shapes. Throws a UsageError naming `source` when it is neither. The dropout probability is not
 * stored in weights: a model with a Dropout layer comes back with dropout 0.5 (only its position matters
 * for loading and evaluation).
 */
export function inferArch(dict: Record<string, Tensor>, source: string): Arch {
  const keys = Object.keys(dict).sort();
  const layers = new Map<number, { weight?: readonly number[]; bias?: readonly number[] }>();
  for (const key of keys) {
    const m = /^(\d+)\.(weight|bias)$/.exec(key);
    if (m === null) throw new UsageError(`${source} does not hold softmax-nn model weights: unexpected tensor '${key}'`, 'predict');
    const entry = layers.get(Number(m[1])) ?? {};
    entry[m[2] as 'weight' | 'bias'] = dict[key].shape;
    layers.set(Number(m[1]), entry);
  }
  const describe = () => keys.map((k) => `${k} [${dict[k].shape.join(', ')}]`).join(', ') || 'no tensors';
  const fail = (): never => {
    throw new UsageError(
      `${source} does not match the softmax model (1.weight [10, 784], 1.bias [10]) or the mlp ` +
        `(1.weight [H, 784], 1.bias [H], 3.weight [10, H], 3.bias [10]); it has ${describe()}`,
      'predict',
    );
  };
  const linears = [...layers.entries()].sort((a, b) => a[0] - b[0]);
  for (const [, l] of linears) {
    if (l.weight === undefined || l.bias === undefined || l.weight.length !== 2 || l.bias.length !== 1 || l.bias[0] !== l.weight[0]) fail();
  }
  if (linears.length === 1) {
    const [index, l] = linears[0];
    if ((index !== 1 && index !== 2) || l.weight![0] !== CLASSES || l.weight![1] !== INPUTS) fail();
    return { model: 'softmax', hidden: 0, dropout: index === 2 ? 0.5 : 0 };
  }
  if (linears.length === 2) {
    const [[i1, l1], [i2, l2]] = linears;
    const hidden = l1.weight![0];
    if (i1 !== 1 || (i2 !== 3 && i2 !== 4) || l1.weight![1] !== INPUTS || l2.weight![0] !== CLASSES || l2.weight![1] !== hidden) fail();
    return { model: 'mlp', hidden, dropout: i2 === 4 ? 0.5 : 0 };
  }
  return fail();
}
