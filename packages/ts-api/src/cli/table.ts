// Plain-text tables for the terminal (no colours, so they read the same in CI logs).

export type Align = 'left' | 'right';

/** Columns padded to their widest cell, a rule under the header; numbers usually align right. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = headers.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - [...cell].length);
        return (align[i] ?? 'left') === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(), ...rows.map(line)].join('\n') + '\n';
}

export interface EpochRow {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testAcc: number;
  seconds: number;
  valLoss?: number;
  valAcc?: number;
  lr?: number;
}

/**
 * The run's table: epoch / loss / train acc / [val loss / val acc] / test acc / [lr] / seconds — the
 * validation columns when the run has a validation split, lr when it changed during the run.
 */
export function epochTable(epochs: readonly EpochRow[]): string {
  const val = epochs.some((e) => e.valAcc !== undefined);
  const lr = new Set(epochs.map((e) => e.lr)).size > 1;
  const fixed = (x: number | undefined, digits: number) => (x === undefined ? '-' : x.toFixed(digits));
  const headers = ['epoch', 'loss', 'train acc', ...(val ? ['val loss', 'val acc'] : []), 'test acc', ...(lr ? ['lr'] : []), 'seconds'];
  return formatTable(
    headers,
    epochs.map((e) => [
      String(e.epoch), e.trainLoss.toFixed(4), e.trainAcc.toFixed(4), ...(val ? [fixed(e.valLoss, 4), fixed(e.valAcc, 4)] : []),
      e.testAcc.toFixed(4), ...(lr ? [e.lr === undefined ? '-' : e.lr.toPrecision(4)] : []), e.seconds.toFixed(2),
    ]),
    headers.map(() => 'right'),
  );
}
