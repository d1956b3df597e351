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
}

/** The run's table: epoch / loss / train acc / test acc / seconds. */
export function epochTable(epochs: readonly EpochRow[]): string {
  return formatTable(
    ['epoch', 'loss', 'train acc', 'test acc', 'seconds'],
    epochs.map((e) => [String(e.epoch), e.trainLoss.toFixed(4), e.trainAcc.toFixed(4), e.testAcc.toFixed(4), e.seconds.toFixed(2)]),
    ['right', 'right', 'right', 'right', 'right'],
  );
}
