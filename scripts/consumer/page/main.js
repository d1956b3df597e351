// The consumer test's page: trains the notes' softmax regression for one epoch in softmax-nn/worker
// on the subset the test wrote to public/subset/, and reports on window.result for the browser driver.
// It also imports the library on the main thread: the browser entry, which awaits the wasm.
import { tensor } from 'softmax-nn';
import { createTrainer } from 'softmax-nn/worker';

async function bytes(name) {
  const res = await fetch(`subset/${name}.bin`);
  if (!res.ok) throw new Error(`subset/${name}.bin: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function run() {
  const t = await createTrainer();
  try {
    const data = {
      trainImages: await bytes('train-images'), trainLabels: await bytes('train-labels'),
      testImages: await bytes('test-images'), testLabels: await bytes('test-labels'),
    };
    const info = await t.setData(data);
    await t.configure({ model: 'softmax', lr: 0.1, batchSize: 64, epochs: 1, seed: 0 });
    const fitted = await t.fit();
    const { accuracy } = await t.evaluate();
    const mainThreadSum = tensor([1, 2, 3]).sum().item();
    return { ok: true, info, epochsDone: fitted.epochsDone, accuracy, mainThreadSum };
  } finally {
    await t.terminate();
  }
}

run().then(
  (r) => { window.result = r; },
  (e) => { window.result = { ok: false, message: String(e && e.stack || e) }; },
).finally(() => { document.getElementById('out').textContent = JSON.stringify(window.result); });
