// What the in-process CLI tests share: a slice of the real Fashion-MNIST (no download), a temporary
// root for run folders, and a writable that collects what the CLI prints.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { data, type Tensor } from '../../src/index.js';

type Dataset = data.Dataset<[Tensor, Tensor]>;

export interface CliFixture {
  /** The first `trainImages` / `testImages` examples (set in beforeAll). */
  readonly datasets: { train: Dataset; test: Dataset };
  /** A temporary folder for run folders, removed in afterAll. */
  readonly root: string;
}

/** Registers beforeAll / afterAll hooks that load the slice and make the root; read fields inside tests. */
export function useCliFixture(trainImages: number, testImages: number, prefix: string): CliFixture {
  const f = {} as { datasets: CliFixture['datasets']; root: string };
  let full: data.FashionMnistDatasets | undefined;
  beforeAll(async () => {
    full = await data.fashionMnist({ download: false });
    f.datasets = {
      train: data.subset(full.train, Array.from({ length: trainImages }, (_, i) => i)),
      test: data.subset(full.test, Array.from({ length: testImages }, (_, i) => i)),
    };
    f.root = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    full?.train.dispose();
    full?.test.dispose();
    if (f.root) await rm(f.root, { recursive: true, force: true });
  });
  return f;
}

/** A writable that keeps what is written (the CLI's stdout / stderr in tests). */
export class Collect {
  text = '';
  write(s: string): void {
    this.text += s;
  }
}
