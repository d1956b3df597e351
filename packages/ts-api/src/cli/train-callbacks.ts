// The callbacks of `softmax-nn train`: progress on the terminal, the run folder's files (metrics,
// curves, config, best weights) and replacing an old run at the right moment.

import * as path from 'node:path';
import cliProgress from 'cli-progress';
import { io, nn, train } from '../index.js';
import { writeFileDurable } from '../io/atomic-write.js';
import { curvesSvg } from './chart-svg.js';
import { removeRunFiles, RUN_FILES, type RunConfig, type RunFile } from './run-folder.js';

type EpochLogs = train.EpochLogs;

/** Where the command writes its text: process.stdout, or a test's collector. */
export interface Output {
  write(text: string): unknown;
  /** A progress bar is drawn only on a terminal; otherwise one plain line per epoch. */
  isTTY?: boolean;
}

export async function saveStateDict(file: string, net: nn.Module): Promise<void> {
  const dict = net.stateDict();
  try {
    await io.save(file, dict);
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
}

/** metrics.json's entries: the epoch logs' fields, valLoss / valAcc / lr where the run has them. */
export function metricsOf(epochs: readonly EpochLogs[]): EpochLogs[] {
  return epochs.map((e) => ({
    epoch: e.epoch, trainLoss: e.trainLoss, trainAcc: e.trainAcc, testAcc: e.testAcc,
    ...(e.valLoss !== undefined ? { valLoss: e.valLoss } : {}), ...(e.valAcc !== undefined ? { valAcc: e.valAcc } : {}),
    ...(e.lr !== undefined ? { lr: e.lr } : {}), seconds: e.seconds,
  }));
}

function epochLine(e: EpochLogs, numEpochs: number, showLr: boolean): string {
  const w = String(numEpochs).length;
  const val = e.valAcc !== undefined ? `val loss ${e.valLoss!.toFixed(4)}  val acc ${e.valAcc.toFixed(4)}  ` : '';
  const lr = showLr && e.lr !== undefined ? `lr ${e.lr.toPrecision(4)}  ` : '';
  return `epoch ${String(e.epoch).padStart(w)}/${numEpochs}  loss ${e.trainLoss.toFixed(4)}  train acc ${e.trainAcc.toFixed(4)}  ` +
    `${val}test acc ${e.testAcc.toFixed(4)}  ${lr}${e.seconds.toFixed(2)} s\n`;
}

/** A progress bar per epoch (cli-progress) on a terminal; a plain line per finished epoch everywhere. */
export class Progress implements train.Callback {
  #bar: cliProgress.SingleBar | null = null;
  #lossSum = 0;
  #correct = 0;
  #count = 0;

  constructor(readonly out: Output, readonly numEpochs: number, readonly showLr = false) {}

  onEpochBegin(epoch: number, ctx: train.TrainContext): void {
    this.#lossSum = 0;
    this.#correct = 0;
    this.#count = 0;
    if (!this.out.isTTY) return;
    const total = (ctx.trainIter as { length?: number }).length ?? 0;
    this.#bar = new cliProgress.SingleBar(
      {
        format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} batches | loss {loss} | acc {acc} | ETA {eta_formatted}',
        stream: this.out as unknown as NodeJS.WritableStream,
        clearOnComplete: true,
        hideCursor: false,
        etaBuffer: 30,
        fps: 12,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(total, 0, { epoch, epochs: this.numEpochs, loss: '  -   ', acc: '  -   ' });
  }

  onBatchEnd(logs: train.BatchLogs): void {
    this.#lossSum += logs.loss * logs.size;
    this.#correct += logs.acc * logs.size;
    this.#count += logs.size;
    this.#bar?.update(logs.batch + 1, {
      loss: (this.#lossSum / this.#count).toFixed(4),
      acc: (this.#correct / this.#count).toFixed(4),
    });
  }

  onEpochEnd(logs: EpochLogs): void {
    this.stopBar();
    this.out.write(epochLine(logs, this.numEpochs, this.showLr));
  }

  stopBar(): void {
    this.#bar?.stop();
    this.#bar = null;
  }
}

/** Writes the best epoch's weights so far (by the EarlyStopping before it) to best.safetensors. */
export class BestWeights implements train.Callback {
  constructor(readonly es: train.EarlyStopping, readonly bestFile: string) {}

  async onEpochEnd(logs: EpochLogs, ctx: train.TrainContext): Promise<void> {
    if (this.es.bestEpoch === logs.epoch && ctx.net instanceof nn.Module) await saveStateDict(this.bestFile, ctx.net);
  }
}

/**
 * At the first epoch end of this session, before anything is written for it: removes the files of the
 * run being replaced (--overwrite, or a run restarted under --resume). Until then the old run is intact,
 * so a bad option, unreadable data or a diverged first epoch leave it as it was.
 */
export class OldRunReplacer implements train.Callback {
  constructor(readonly outDir: string, private old: readonly RunFile[]) {}

  async onEpochEnd(): Promise<void> {
    if (this.old.length === 0) return;
    await removeRunFiles(this.outDir, this.old);
    this.old = [];
  }
}

/**
 * After the checkpoint of every epoch: config.json (once per session, unless written before training;
 * after the checkpoint, so a replaced run's config never sits beside the old checkpoint), metrics.json
 * and curves.svg (a crashed run still has them).
 */
export class RunFiles implements train.Callback {
  #configWritten = false;

  constructor(readonly outDir: string, readonly numEpochs: number, readonly title: string, readonly config: RunConfig) {}

  async onEpochEnd(_logs: EpochLogs, ctx: train.TrainContext): Promise<void> {
    if (!this.#configWritten) await this.writeConfig();
    await this.write(ctx.history);
  }

  async writeConfig(): Promise<void> {
    await writeFileDurable(path.join(this.outDir, RUN_FILES.config), JSON.stringify(this.config, null, 2) + '\n');
    this.#configWritten = true;
  }

  async write(history: readonly EpochLogs[]): Promise<void> {
    await writeFileDurable(path.join(this.outDir, RUN_FILES.metrics), JSON.stringify(metricsOf(history), null, 2) + '\n');
    await writeFileDurable(path.join(this.outDir, RUN_FILES.curves), curvesSvg(history, { numEpochs: this.numEpochs, title: this.title }));
  }
}

