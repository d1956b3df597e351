// The consumer test's CommonJS script: require('softmax-nn') (require of an ES module, Node >= 20.19).
const { nn, optim, data, manualSeed, DataLoader, fit } = require('softmax-nn');

async function main() {
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
  console.log(`cjs: 1 epoch, train loss ${history.trainLoss[0].toFixed(3)}, test acc ${acc.toFixed(3)}`);
  if (!(acc > 0.3)) throw new Error(`cjs: test accuracy ${acc} after one epoch; expected > 0.3`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
