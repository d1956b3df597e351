// The demo page: settings → training in a Web Worker (softmax-nn/worker) with live charts → predictions,
// confusion matrix, per-class accuracy and mistakes; weights download / upload; and the lab (weight
// templates, a drawing pad, a hyper-parameter grid, over-fitting remedies, numerics). Plain DOM + uPlot.

import 'uplot/dist/uPlot.min.css';
import './style.css';
import { $ } from './dom.js';
import { startData } from './data.js';
import { labApi } from './lab-api.js';
import { enableLabSettings } from './settings.js';
import { app, refresh } from './state.js';
import './training.js';
import './weights-io.js';
import './lab/numerics.js';
import './lab/gumbel.js';
import { startLab } from './lab/lab.js';

// The Workers hint: the browser's logical cores, and whether gradients go through shared memory.
{
  const hint = $('workers-hint');
  const cores = navigator.hardwareConcurrency;
  hint.textContent = `${cores ? `${cores} cores` : 'cores unknown'}${globalThis.crossOriginIsolated ? '' : ', no SharedArrayBuffer'}`;
  hint.title = 'Threads that share each batch (this page\'s thread in the worker + workers − 1 gradient workers). ' +
    'navigator.hardwareConcurrency = ' + String(cores ?? 'unknown') + '; cross-origin isolated: ' + String(globalThis.crossOriginIsolated === true);
}

// For tests and the console: the page's trainer.
(globalThis as unknown as { softmaxDemo: typeof app }).softmaxDemo = app;

void startData().then(() => {
  enableLabSettings(labApi(app.trainer) !== null);
  refresh();
  startLab();
});
