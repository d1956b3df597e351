// The consumer test's ES module: the notes' softmax regression, one epoch on a subset of Fashion-MNIST.
import { nn, optim, data, manualSeed, DataLoader, fit } from 'softmax-nn';

manualSeed(0);
const { train, test } = await data.fashionMnist({ download: false });
const first = (n) => Array.from({ length: n }, (_, i) => i);
const trainIter = new DataLoader(new data.Subset(train, first(512)), { batchSize: 64, shuffle: true });
const testIter = new DataLoader(new data.Subset(test, first(256)), { batchSize: 256 });
const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
net.apply((m) => { if (m instanceof nn.Linear) nn.init.normal_(m.weight, 0, 0.01); });
const loss = new nn.CrossEntropyLoss({ reduction: 'none' });
const trainer = new optim.SGD(net.parameters(), { lr: 0.1 });
const history = await fit(net, trainIter, testIter, loss, 1, trainer);
const acc = history.testAcc[0];
console.log(`esm: 1 epoch, train loss ${history.trainLoss[0].toFixed(3)}, test acc ${acc.toFixed(3)}`);
// Chance is 0.1; 8 SGD steps of the recipe reach well above it.
if (!(acc > 0.3)) throw new Error(`esm: test accuracy ${acc} after one epoch; expected > 0.3`);
