// Weights download (safetensors, PyTorch's key names) and upload: loaded weights are evaluated at once
// and, on a worker with the lab API, Resume becomes Fine-tune.

import { $, clearError, input, showError } from './dom.js';
import { showResults } from './results.js';
import { selectModel } from './settings.js';
import { app, modelChanged, onRefresh, refresh } from './state.js';
import { setStatus, weightsLoaded } from './training.js';

const download = $<HTMLButtonElement>('download');
const loadButton = $<HTMLButtonElement>('load-button');
const load = input('load');

download.addEventListener('click', async () => {
  if (app.trainer === null) return;
  try {
    const bytes = await app.trainer.stateDict();
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `fashion-mnist-${app.modelName}.safetensors`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    showError(e);
  }
});

loadButton.addEventListener('click', () => load.click());

load.addEventListener('change', async () => {
  const file = load.files?.[0];
  load.value = '';
  if (!file || app.trainer === null) return;
  clearError();
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const loaded = await app.trainer.loadStateDict(bytes.slice());
    app.modelName = loaded.model;
    selectModel(loaded.model);
    if (loaded.model === 'mlp') input('hidden').value = String(loaded.hidden);
    weightsLoaded(bytes, loaded.model, loaded.hidden);
    setStatus(`Loaded ${file.name}: ${loaded.description}.`, 'loaded');
    refresh();
    await showResults();
    modelChanged();
  } catch (e) {
    showError(e);
  }
});

onRefresh(() => {
  download.disabled = app.running || !app.hasModel;
  loadButton.disabled = app.running || app.trainer === null;
});
