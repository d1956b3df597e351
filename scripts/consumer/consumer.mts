// Type-checked by the consumer test (moduleResolution node16 and bundler, skipLibCheck off): the
// package's public types, the worker API's, and that @internal members are not among them.
import { nn, optim, tensor, manualSeed, DataLoader, TensorDataset, type Tensor } from 'softmax-nn';
import { createTrainer, type Trainer, type TrainerProgress } from 'softmax-nn/worker';
import { loadBackend } from 'softmax-nn/backend';

manualSeed(0);
const x: Tensor = tensor([[1, 2], [3, 4]]);
const net = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 2));
const opt = new optim.SGD(net.parameters(), { lr: 0.1 });
const loader = new DataLoader(new TensorDataset(x, tensor([0, 1], { dtype: 'int32' })), { batchSize: 2 });
const ready: Promise<void> = loadBackend();
const loss: number = net.forward(x).sum().item();
// @ts-expect-error _node is @internal: stripped from the published types
x._node;
const started: Promise<Trainer> = createTrainer();
const onProgress = (p: TrainerProgress): void => console.log(p.type);
export { opt, loader, ready, loss, started, onProgress };
