// A network nn.Sequential cannot express (the notes: "it does not support branches; then you write
// a forward method"): a custom nn.Module whose forward has a residual block and two heads whose
// logits are summed. Nothing here is special-cased by the library: autograd records each op the
// user's forward calls, so backward() reaches every parameter through both branches.
//
//   x ─ flatten ─┬─ Linear(784,256) ─ ReLU ─ h ─┬─ Linear(256,256) ─ ReLU ─(+)─ Linear(256,10) ─(+)─ logits
//                │                               └────────── skip ───────────┘                    │
//                └──────────────────────────── Linear(784,10)  (the notes' softmax regression) ──┘
//
//   node --import tsx examples/custom-module.ts [--epochs N] [--train-limit N] [--test-limit N]

import { nn, optim, manualSeed, fit, type Tensor, type train } from '../src/index.js';
import { cliOptions, fashionMnistLoaders, initWeights, isMain, pct, type CommonOptions } from './common.js';

/** MLP with a residual block, plus a linear "wide" head on the raw pixels; the two heads' logits are summed. */
export class ResidualMlp extends nn.Module {
  readonly flatten = new nn.Flatten();
  readonly hidden: nn.Linear;
  readonly block: nn.Linear;
  readonly head: nn.Linear;
  readonly linearHead: nn.Linear;

  constructor(inputs = 784, hidden = 256, classes = 10) {
    super();
    this.hidden = new nn.Linear(inputs, hidden);
    this.block = new nn.Linear(hidden, hidden);
    this.head = new nn.Linear(hidden, classes);
    this.linearHead = new nn.Linear(inputs, classes);
  }

  forward(x: Tensor): Tensor {
    const flat = this.flatten.forward(x);
    const h = this.hidden.forward(flat).relu();
    const r = this.block.forward(h).relu().add(h); // residual: the skip path and the block meet here
    return this.head.forward(r).add(this.linearHead.forward(flat)); // two heads, summed
  }
}

export interface CustomModuleOptions extends CommonOptions {
  hidden?: number;
  lr?: number;
  batchSize?: number;
}

export interface CustomModuleResult {
  net: ResidualMlp;
  history: train.History;
  /** The parameters' PyTorch-style names (state-dict keys). */
  parameterNames: string[];
  trainAcc: number;
  testAcc: number;
}

export async function run(options: CustomModuleOptions = {}): Promise<CustomModuleResult> {
  const { epochs = 10, batchSize = 256, lr = 0.1, hidden = 256, seed = 0, log = console.log } = options;
  manualSeed(seed);
  const [trainIter, testIter] = await fashionMnistLoaders(batchSize, options);

  const net = new ResidualMlp(784, hidden, 10);
  net.apply(initWeights);
  const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
  const trainer = new optim.SGD(net.parameters(), { lr });

  const parameterNames = net.namedParameters().map(([name]) => name);
  log(`${net}`);
  log(`parameters: ${parameterNames.join(', ')}`);
  const history = await fit(net, trainIter, testIter, loss, epochs, trainer, {
    callbacks: [{
      onEpochEnd: (e) => log(`epoch ${String(e.epoch).padStart(2)}: loss ${e.trainLoss.toFixed(4)}, train acc ${pct(e.trainAcc)}, test acc ${pct(e.testAcc)} (${e.seconds.toFixed(2)} s)`),
    }],
  });
  const last = history.epochs.at(-1);
  const result = { net, history, parameterNames, trainAcc: last?.trainAcc ?? NaN, testAcc: last?.testAcc ?? NaN };
  log(`final: train acc ${pct(result.trainAcc)}, test acc ${pct(result.testAcc)}`);
  return result;
}

if (isMain(import.meta.url)) {
  await run(cliOptions(['hidden', 'lr', 'batchSize']));
}
