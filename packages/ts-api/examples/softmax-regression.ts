// The notes' concise softmax regression, line for line: Fashion-MNIST, Flatten + Linear(784, 10),
// weights from normal(0, 0.01), cross-entropy on logits, SGD lr 0.1, batch 256, 10 epochs.
//   node --import tsx examples/softmax-regression.ts [epochs]      (SOFTMAX_NN_NO_DOWNLOAD=1: never download)

import { nn, optim, manualSeed, loadDataFashionMnist, fit } from '../src/index.js';
import { mayDownload } from './common.js';

const numEpochs = Number(process.argv[2] ?? 10);
manualSeed(0);

const batchSize = 256;
const [trainIter, testIter] = await loadDataFashionMnist(batchSize, { download: mayDownload() });

const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
net.apply((m) => {
  if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01);
});

const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
const trainer = new optim.SGD(net.parameters(), { lr: 0.1 });

const history = await fit(net, trainIter, testIter, loss, numEpochs, trainer, {
  callbacks: [{
    onEpochEnd: (e) => console.log(`epoch ${e.epoch}: loss ${e.trainLoss.toFixed(4)}, train acc ${e.trainAcc.toFixed(3)}, test acc ${e.testAcc.toFixed(3)} (${e.seconds.toFixed(2)} s)`),
  }],
});
console.log(`final: train loss ${history.trainLoss.at(-1)?.toFixed(4)}, test acc ${history.testAcc.at(-1)?.toFixed(4)}`);
