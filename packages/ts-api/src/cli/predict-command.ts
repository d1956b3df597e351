// `softmax-nn predict`: the notes' predict_ch3 — the first n test images, their true and predicted
// labels, and optionally an SVG of the images titled with both.

import * as fs from 'node:fs/promises';
import { data, DataLoader, io, noGrad, tidy, type Tensor } from '../index.js';
import { writeFileDurable } from '../io/atomic-write.js';
import { UsageError, type PredictOptions } from './args.js';
import { escapeXml } from './chart-svg.js';
import { dataLoadError, explainWriteError } from './file-errors.js';
import { buildNet, describeArch, inferArch, type Arch } from './models.js';
import { formatTable } from './table.js';
import type { Output } from './train-command.js';

type Dataset = data.Dataset<[Tensor, Tensor]>;

export interface PredictDeps {
  /** The test set to use instead of Fashion-MNIST's (tests inject one). */
  test?: Dataset;
  stdout?: Output;
}

export interface Prediction {
  index: number;
  label: number;
  predicted: number;
  trueName: string;
  predictedName: string;
}

export interface PredictResult {
  arch: Arch;
  predictions: Prediction[];
  correct: number;
}

/** Loads `file` into the model named by the options or inferred from the weights; UsageError when they do not fit. */
async function loadModel(options: PredictOptions) {
  const file = options.weights;
  const stat = await fs.stat(file).catch(() => null);
  if (stat === null) throw new UsageError(`--weights: no such file: ${file}`, 'predict');
  if (!stat.isFile()) throw new UsageError(`--weights: ${file} is not a file`, 'predict');
  let dict: Record<string, Tensor>;
  try {
    dict = await io.load(file);
  } catch (e) {
    throw new UsageError(`--weights: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, 'predict');
  }
  // A run's checkpoint.safetensors works too: its weights are the `model.` entries.
  if (Object.keys(dict).some((k) => k.startsWith('model.'))) {
    const weights: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(dict)) {
      if (k.startsWith('model.')) weights[k.slice('model.'.length)] = t;
      else t.dispose();
    }
    dict = weights;
  }
  try {
    let inferred: Arch | null = null;
    let inferError: unknown = null;
    try {
      inferred = inferArch(dict, file);
    } catch (e) {
      inferError = e;
    }
    if (options.model === null && inferred === null) throw inferError;
    const model = options.model ?? inferred!.model;
    const arch: Arch = {
      model,
      hidden: options.hidden ?? (inferred?.model === 'mlp' ? inferred.hidden : 256),
      dropout: inferred?.dropout ?? 0,
    };
    const net = buildNet(arch);
    try {
      net.loadStateDict(dict);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new UsageError(`--weights: ${file} does not fit ${describeArch({ ...arch, dropout: 0 })}: ${msg}`, 'predict');
    }
    net.eval();
    return { net, arch };
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
}

/** Runs `softmax-nn predict`: prints the table (and writes the SVG) and returns the predictions. */
export async function runPredict(options: PredictOptions, deps: PredictDeps = {}): Promise<PredictResult> {
  const out: Output = deps.stdout ?? process.stdout;
  const { net, arch } = await loadModel(options);

  let owned: data.FashionMnistDatasets | null = null;
  let test: Dataset;
  if (deps.test) {
    test = deps.test;
  } else {
    try {
      owned = await data.fashionMnist({ ...(options.dataRoot !== null ? { root: options.dataRoot } : {}), download: options.download });
    } catch (e) {
      throw dataLoadError(e, options.download, 'predict');
    }
    test = owned.test;
  }
  try {
    if (options.n > test.length) throw new UsageError(`--n ${options.n} is more than the ${test.length} test images`, 'predict');
    // The first batch of the test loader, as in the notes' predict_ch3 (the loader frees it after the loop).
    let labels = new Int32Array(0);
    let predicted = new Int32Array(0);
    let pixels = new Float32Array(0);
    let shape: readonly number[] = [];
    for (const [X, y] of new DataLoader(test, { batchSize: options.n })) {
      labels = Int32Array.from(y.toArray());
      const classes = noGrad(() => tidy(() => net.forward(X).argmax(1)));
      predicted = Int32Array.from(classes.toArray());
      classes.dispose();
      pixels = Float32Array.from(X.toArray());
      shape = X.shape;
      break;
    }
    const trueNames = data.textLabels(labels);
    const predNames = data.textLabels(predicted);
    const predictions: Prediction[] = Array.from(labels, (label, i) => ({
      index: i, label, predicted: predicted[i], trueName: trueNames[i], predictedName: predNames[i],
    }));
    const correct = predictions.filter((p) => p.label === p.predicted).length;

    out.write(`${describeArch({ ...arch, dropout: 0 })} from ${options.weights}, first ${options.n} test images:\n\n`);
    out.write(formatTable(
      ['#', 'true', 'predicted', ''],
      predictions.map((p) => [String(p.index), p.trueName, p.predictedName, p.label === p.predicted ? '' : 'wrong']),
      ['right', 'left', 'left', 'left'],
    ));
    out.write(`\n${correct}/${options.n} correct (${((100 * correct) / options.n).toFixed(1)}%)\n`);

    if (options.svg !== null) {
      const side = shape.length === 4 ? shape[3] : 28;
      const rows = shape.length === 4 ? shape[2] : 28;
      const svg = predictionsSvg(predictions, pixels, rows, side);
      try {
        await writeFileDurable(options.svg, svg);
      } catch (e) {
        throw explainWriteError(e, '--svg', options.svg, 'file', 'predict');
      }
      out.write(`wrote ${options.svg}\n`);
    }
    return { arch, predictions, correct };
  } finally {
    owned?.train.dispose();
    owned?.test.dispose();
  }
}

/**
 * The images as grids of grey squares (one <rect> per non-black pixel, 3×3 units each), 12 to a row,
 * each titled with its true label over its predicted one (red when wrong), like d2l's show_images.
 */
export function predictionsSvg(predictions: readonly Prediction[], pixels: Float32Array, height: number, width: number): string {
  const scale = 3;
  const perRow = Math.min(12, predictions.length);
  const cellW = Math.max(width * scale, 84) + 16;
  const titleH = 34;
  const cellH = height * scale + titleH + 10;
  const rowsOfCells = Math.ceil(predictions.length / perRow);
  const W = perRow * cellW + 8;
  const H = rowsOfCells * cellH + 8;
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push('<title>test images: true / predicted labels</title>');
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  const size = height * width;
  predictions.forEach((p, k) => {
    const x0 = 4 + (k % perRow) * cellW;
    const y0 = 4 + Math.floor(k / perRow) * cellH;
    const ix = x0 + (cellW - width * scale) / 2;
    const iy = y0 + titleH;
    const ok = p.label === p.predicted;
    out.push(`<g class="image" data-index="${p.index}">`);
    out.push(`<title>#${p.index}: true ${escapeXml(p.trueName)}, predicted ${escapeXml(p.predictedName)}</title>`);
    out.push(`<text x="${x0 + cellW / 2}" y="${y0 + 13}" text-anchor="middle">${escapeXml(p.trueName)}</text>`);
    out.push(`<text x="${x0 + cellW / 2}" y="${y0 + 27}" text-anchor="middle" fill="${ok ? '#000000' : '#d62728'}">${escapeXml(p.predictedName)}</text>`);
    out.push(`<rect x="${ix}" y="${iy}" width="${width * scale}" height="${height * scale}" fill="#000000"/>`);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const v = Math.round(Math.min(1, Math.max(0, pixels[k * size + r * width + c])) * 255);
        if (v === 0) continue;
        const hex = v.toString(16).padStart(2, '0');
        out.push(`<rect x="${ix + c * scale}" y="${iy + r * scale}" width="${scale}" height="${scale}" fill="#${hex}${hex}${hex}"/>`);
      }
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
