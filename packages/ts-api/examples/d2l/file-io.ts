// d2l.ai 5.5 "File I/O", ported with the structure of the book's code: one console.log per value the
// book displays. `torch.save` / `torch.load` are `io.save` / `io.load` (safetensors files, async);
// `io.load<Tensor[]>` says what the file holds, as the book's unpacking `x2, y2 = …` does. The files
// go to a temporary folder, removed at the end.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arange, io, nn, randn, zeros, type Tensor } from '../../src/index.js';

const F = nn.functional;
const workdir = await mkdtemp(join(tmpdir(), 'd2l-file-io-'));
const file = (name: string): string => join(workdir, name);

try {
  // 5.5.1 Loading and Saving Tensors
  const x = arange(4);
  await io.save(file('x-file'), x);
  let x2 = await io.load<Tensor>(file('x-file'));
  console.log(x2);

  const y = zeros(4);
  await io.save(file('x-files'), [x, y]);
  let y2: Tensor;
  [x2, y2] = await io.load<Tensor[]>(file('x-files'));
  console.log([x2, y2]);

  const mydict = { x, y };
  await io.save(file('mydict'), mydict);
  const mydict2 = await io.load(file('mydict'));
  console.log(mydict2);

  // 5.5.2 Loading and Saving Model Parameters
  class MLP extends nn.Module {
    hidden = new nn.Linear(20, 256);
    output = new nn.Linear(256, 10);

    forward(x: Tensor): Tensor {
      return this.output.forward(F.relu(this.hidden.forward(x)));
    }
  }

  const net = new MLP();
  const X = randn([2, 20]);
  const Y = net.forward(X);

  await io.save(file('mlp.params'), net.stateDict());

  const clone = new MLP();
  clone.loadStateDict(await io.load(file('mlp.params')));
  console.log(clone.eval());

  const Y_clone = clone.forward(X);
  console.log(Y_clone.eq(Y));
} finally {
  await rm(workdir, { recursive: true, force: true });
}
