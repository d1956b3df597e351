// How responsive the demo page stays while it trains in its Web Worker — a benchmark figure, not a
// test (the e2e test checks, without timing, that the training runs in the worker). Headless Chromium
// opens the demo (its production build through vite preview, or the dev server with --dev), trains
// with the page's Train button and reads what a probe recorded on the page's main thread during fit:
//   - long tasks (the Long Tasks API: tasks of 50 ms or more): how many, the longest, and the total
//     blocking time (the sum of each one's time beyond 50 ms);
//   - how late a 10 ms timer fired (re-armed each time): the worst delay, and how many were later
//     than a 60 Hz frame (16.7 ms);
//   - the live chart: draws during fit and the longest gap between two.
// Runs are interleaved over the configurations; each figure is the median over runs with (min–max).
//
//   cd bench && node --import tsx responsiveness.ts                      (3 runs of each configuration)
//   cd bench && node --import tsx responsiveness.ts --runs 1 --configs softmax --dev
// Options: --runs R (3)  --configs softmax,mlp,mlp-2-workers  --dev  --out DIR (bench/results)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  launchChromium, openDemo, REPO, serveBuild, serveDev, setSettings, trainOnce,
  type DemoSettings, type TrainedRun,
} from '../packages/demo/test/demo-page.js';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};

const CONFIGS: Record<string, DemoSettings> = {
  softmax: { model: 'softmax', lr: 0.1, batchSize: 256, epochs: 1, seed: 7, workers: 1 },
  mlp: { model: 'mlp', hidden: 256, lr: 0.1, batchSize: 256, epochs: 1, seed: 7, workers: 1 },
  'mlp-2-workers': { model: 'mlp', hidden: 256, lr: 0.1, batchSize: 256, epochs: 1, seed: 7, workers: 2 },
};
const RUNS = Number(opt('--runs', '3'));
const NAMES = opt('--configs', Object.keys(CONFIGS).join(',')).split(',');
const DEV = argv.includes('--dev');
const OUT = path.resolve(opt('--out', path.join(path.dirname(fileURLToPath(import.meta.url)), 'results')));
for (const n of NAMES) {
  if (!(n in CONFIGS)) throw new Error(`--configs: unknown configuration ${n} (known: ${Object.keys(CONFIGS).join(', ')})`);
}
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, got ${opt('--runs', '')}`);
if (!existsSync(path.join(REPO, 'packages/ts-api/dist/worker/worker-entry.js'))) {
  throw new Error('packages/ts-api/dist is missing: build the library first (pnpm -C packages/ts-api build)');
}

/** One run's figures. */
interface Figures {
  seconds: number;
  longTasks: number;
  longestTaskMs: number;
  blockingMs: number;
  worstTimerLateMs: number;
  timerLateOverFrame: number;
  draws: number;
  longestDrawGapMs: number;
}

const FRAME_MS = 1000 / 60;

function figures(r: TrainedRun): Figures {
  const tasks = r.probe.longTasks.map((t) => t.duration);
  const late = r.probe.timerLate.map(([, ms]) => ms);
  const marks = [r.start, ...r.draws, r.end];
  let gap = 0;
  for (let i = 1; i < marks.length; i++) gap = Math.max(gap, marks[i] - marks[i - 1]);
  return {
    seconds: (r.end - r.start) / 1000,
    longTasks: tasks.length,
    longestTaskMs: Math.max(0, ...tasks),
    blockingMs: tasks.reduce((a, d) => a + Math.max(0, d - 50), 0),
    worstTimerLateMs: Math.max(0, ...late),
    timerLateOverFrame: late.filter((ms) => ms > FRAME_MS).length,
    draws: r.draws.length,
    longestDrawGapMs: gap,
  };
}

const COLUMNS: [keyof Figures, string, number][] = [
  ['seconds', 'fit (s)', 1],
  ['longTasks', 'long tasks', 0],
  ['longestTaskMs', 'longest task (ms)', 0],
  ['blockingMs', 'blocking time (ms)', 0],
  ['worstTimerLateMs', 'worst timer delay (ms)', 1],
  ['timerLateOverFrame', 'timer delays > 16.7 ms', 0],
  ['draws', 'chart draws', 0],
  ['longestDrawGapMs', 'longest gap between draws (ms)', 0],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function cell(xs: number[], digits: number): string {
  const f = (x: number) => x.toFixed(digits);
  return xs.length === 1 ? f(xs[0]) : `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

const started = new Date();
const loadAtStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`demo responsiveness: ${RUNS} run(s) of ${NAMES.join(', ')}, ${DEV ? 'Vite dev server' : 'production build (vite preview)'}; load average ${loadAtStart} on ${os.cpus().length} CPUs`);
const server = DEV ? await serveDev() : await serveBuild();
const browser = await launchChromium();
const results: Record<string, Figures[]> = Object.fromEntries(NAMES.map((n) => [n, []]));
try {
  const { page, log } = await openDemo(browser, server.url);
  for (let run = 1; run <= RUNS; run++) {
    for (const name of NAMES) {
      await setSettings(page, { weightDecay: 0, dropout: 0, augment: false, ...CONFIGS[name] });
      const r = await trainOnce(page, 1_200_000);
      if (r.state !== 'done') throw new Error(`${name}: training ended '${r.state}': ${r.error} ${log.errors.join('; ')}`);
      const f = figures(r);
      results[name].push(f);
      console.log(`  run ${run} ${name}: ${COLUMNS.map(([k, label, d]) => `${label} ${f[k].toFixed(d)}`).join(', ')}`);
    }
  }
  await page.context().close();
} finally {
  await browser.close();
  await server.close();
}
const loadAtEnd = os.loadavg().map((x) => x.toFixed(2)).join(' ');

const md = [
  `# Demo page responsiveness while training in the worker (${started.toISOString()})`,
  '',
  `${RUNS} run(s) per configuration, interleaved; median (min–max). Page: ${DEV ? 'Vite dev server' : 'production build, vite preview'}; ` +
    `headless Chromium; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); load average ${loadAtStart} at start, ${loadAtEnd} at end.`,
  '',
  `| configuration | ${COLUMNS.map(([, label]) => label).join(' | ')} |`,
  `|---|${COLUMNS.map(() => '---:').join('|')}|`,
  ...NAMES.map((n) => `| ${n} | ${COLUMNS.map(([k, , d]) => cell(results[n].map((f) => f[k]), d)).join(' | ')} |`),
  '',
].join('\n');
console.log(`\n${md}`);
mkdirSync(OUT, { recursive: true });
const stem = path.join(OUT, `${started.toISOString().slice(0, 19).replace(/:/g, '-')}-responsiveness`);
writeFileSync(`${stem}.md`, md);
writeFileSync(`${stem}.json`, JSON.stringify({ started: started.toISOString(), dev: DEV, runs: RUNS, configs: Object.fromEntries(NAMES.map((n) => [n, CONFIGS[n]])), loadAtStart, loadAtEnd, results }, null, 2) + '\n');
console.log(`written: ${stem}.md, ${stem}.json`);
