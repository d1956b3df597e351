// Starts the lab's sections once the main worker is up (they need to know whether it has the lab API).

import { labApi } from '../lab-api.js';
import { app } from '../state.js';
import './draw-pad.js';
import { startGrid } from './grid.js';
import { startOverfit } from './overfit.js';
import { startTemplates } from './templates.js';

export function startLab(): void {
  const hasLab = labApi(app.trainer) !== null && app.dataReady;
  startTemplates();
  startGrid(hasLab);
  startOverfit(hasLab);
}
