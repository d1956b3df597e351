// Compares what a ported program printed with what its Python original printed: line by line, the
// text equal once runs of spaces are collapsed (column alignment depends on the values), and every
// number within the precision PyTorch prints (4 decimals, or 4 significant digits in scientific form).
// `{{num}}` in the expected text stands for a value drawn at random (the generators differ).

const NUMBER = /-?(?:\d+\.?\d*(?:e[+-]\d+)?|nan|inf)/g;

interface Split {
  text: string;
  numbers: string[];
}

function split(line: string): Split {
  const numbers = line.match(NUMBER) ?? [];
  const text = line.replace(NUMBER, '#').replace(/\s+/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').trim();
  return { text, numbers: [...numbers] };
}

function closeEnough(actual: string, expected: string): boolean {
  if (expected === '{{num}}') return true;
  if (actual === expected) return true;
  const a = Number(actual);
  const e = Number(expected);
  if (!Number.isFinite(a) || !Number.isFinite(e)) return false;
  return Math.abs(a - e) <= 1.01e-4 * Math.max(1, Math.abs(e));
}

/** Null when `actual` matches `expected`; else the first difference, with both lines. */
export function printedDifference(actual: string, expected: string): string | null {
  const got = actual.trimEnd().split('\n');
  const want = expected.trimEnd().split('\n');
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    if (i >= got.length) return `line ${i + 1}: missing; expected ${JSON.stringify(want[i])}`;
    if (i >= want.length) return `line ${i + 1}: extra line ${JSON.stringify(got[i])}`;
    const g = split(got[i]);
    const w = split(want[i].replace(/\{\{num\}\}/g, '0'));
    const wantNumbers = want[i].match(/\{\{num\}\}|-?(?:\d+\.?\d*(?:e[+-]\d+)?|nan|inf)/g) ?? [];
    const same = g.text === w.text && g.numbers.length === wantNumbers.length
      && g.numbers.every((n, j) => closeEnough(n, wantNumbers[j]));
    if (!same) return `line ${i + 1}: got ${JSON.stringify(got[i])}, expected ${JSON.stringify(want[i])}`;
  }
  return null;
}
