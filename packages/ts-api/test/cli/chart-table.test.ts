// curves.svg and the text tables, without training.

import { describe, expect, it } from 'vitest';
import { curvesSvg, escapeXml, niceStep } from '../../src/cli/chart-svg.js';
import { epochTable, formatTable } from '../../src/cli/table.js';

const run = [
  { epoch: 1, trainLoss: 0.79, trainAcc: 0.75, testAcc: 0.79 },
  { epoch: 2, trainLoss: 0.57, trainAcc: 0.81, testAcc: 0.80 },
  { epoch: 3, trainLoss: 0.52, trainAcc: 0.83, testAcc: 0.80 },
];

describe('curvesSvg', () => {
  it('draws three curves with axes, ticks and a legend', () => {
    const svg = curvesSvg(run, { numEpochs: 10, title: 'a <b> & c' });
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).toContain('<title>a &lt;b&gt; &amp; c</title>');
    // x ticks 1…10, y ticks 0.0…1.0 (values span 0.52…0.83 but the axis covers [0, 1]).
    for (let x = 1; x <= 10; x++) expect(svg).toContain(`text-anchor="middle">${x}</text>`);
    for (const y of ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']) expect(svg).toContain(`text-anchor="end">${y}</text>`);
    for (const label of ['train loss', 'train acc', 'test acc']) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain('stroke-dasharray');
  });

  it('copes with one epoch, large losses and a diverged (NaN) loss', () => {
    const one = curvesSvg([{ epoch: 1, trainLoss: 2.3, trainAcc: 0.1, testAcc: 0.1 }]);
    expect(one.match(/<polyline /g)).toHaveLength(3);
    expect(one).not.toMatch(/NaN|Infinity/);
    expect(one).toContain('text-anchor="end">2.5</text>');
    const nan = curvesSvg([...run, { epoch: 4, trainLoss: NaN, trainAcc: 0.1, testAcc: 0.1 }]);
    expect(nan).not.toMatch(/NaN|Infinity/);
    expect(curvesSvg([])).toContain('<svg');
  });

  it('picks nice tick steps and escapes XML', () => {
    expect(niceStep(1, 5)).toBeCloseTo(0.2);
    expect(niceStep(10, 10)).toBe(1);
    expect(niceStep(0)).toBe(1);
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
  });
});

describe('tables', () => {
  it('pads columns and aligns numbers right', () => {
    expect(formatTable(['a', 'bb'], [['xyz', '1'], ['w', '22']], ['left', 'right'])).toBe('a    bb\n---  --\nxyz   1\nw    22\n');
    expect(epochTable([{ epoch: 1, trainLoss: 0.78614, trainAcc: 0.7489, testAcc: 0.789, seconds: 0.776 }])).toBe(
      'epoch    loss  train acc  test acc  seconds\n' +
      '-----  ------  ---------  --------  -------\n' +
      '    1  0.7861     0.7489    0.7890     0.78\n',
    );
  });

  it('adds val loss / val acc when the run has a validation split, and lr when it changed', () => {
    const rows = [
      { epoch: 1, trainLoss: 0.78614, trainAcc: 0.7489, valLoss: 0.61234, valAcc: 0.8, testAcc: 0.789, lr: 0.1, seconds: 0.776 },
      { epoch: 2, trainLoss: 0.5, trainAcc: 0.81, valLoss: 0.5, valAcc: 0.825, testAcc: 0.8, lr: 0.05, seconds: 1 },
    ];
    expect(epochTable(rows)).toBe(
      'epoch    loss  train acc  val loss  val acc  test acc       lr  seconds\n' +
      '-----  ------  ---------  --------  -------  --------  -------  -------\n' +
      '    1  0.7861     0.7489    0.6123   0.8000    0.7890   0.1000     0.78\n' +
      '    2  0.5000     0.8100    0.5000   0.8250    0.8000  0.05000     1.00\n',
    );
    // a constant lr is no column
    expect(epochTable(rows.map((r) => ({ ...r, lr: 0.1 })))).not.toContain(' lr ');
  });
});

describe('curves with a validation split', () => {
  it('draws val acc when the epochs have it, and only then', () => {
    const base = [{ epoch: 1, trainLoss: 0.79, trainAcc: 0.75, testAcc: 0.79 }, { epoch: 2, trainLoss: 0.57, trainAcc: 0.81, testAcc: 0.8 }];
    expect(curvesSvg(base)).not.toContain('val acc');
    const svg = curvesSvg(base.map((p, i) => ({ ...p, valAcc: [0.7, 0.9][i] })));
    expect(svg).toContain('<g class="series" data-series="valAcc">');
    expect(svg).toContain('>val acc</text>');
    expect(svg.match(/data-series="valAcc">\n<polyline points="([^"]*)"/)![1].split(' ')).toHaveLength(2);
  });
});
