// Every command README.md shows — in its sh code blocks and in inline code that starts with a command
// — runs as written from the repository root, with small settings where the README's would take
// minutes. A command in the README that this file does not know fails the first test, so a new one
// cannot go untested; the few not run here say why (e.g. they rebuild what the other tests load).
//
// No child process may download: SOFTMAX_NN_NO_DOWNLOAD=1 for the examples, and a preloaded fetch that
// throws for everything else. train.sh skips its install-and-build step (SOFTMAX_NN_SKIP_SETUP=1).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const FORBID_DOWNLOAD = pathToFileURL(fileURLToPath(new URL('./forbid-download.mjs', import.meta.url))).href;
/** What every child gets: no downloads (examples and everything else), no setup in train.sh, no colours. */
const CHILD_ENV: NodeJS.ProcessEnv = {
  ...process.env, SOFTMAX_NN_NO_DOWNLOAD: '1', NODE_OPTIONS: `--import=${FORBID_DOWNLOAD}`, NO_COLOR: '1', CI: '1',
};
delete CHILD_ENV.FORCE_COLOR;

/** Output without terminal colour codes. */
const plain = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');
const tmp = mkdtempSync(join(tmpdir(), 'softmax-readme-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The commands of README.md: lines of ```sh blocks (comments cut, `a && b` split) and inline `bash|node|pnpm|cargo|npm|npx …`. */
function readmeCommands(markdown: string): string[] {
  const commands: string[] = [];
  const add = (line: string) => {
    for (const part of line.split('&&')) if (part.trim() !== '') commands.push(part.trim().replace(/\s+/g, ' '));
  };
  const blocks = /```(\w*)\n([\s\S]*?)```/g;
  let prose = markdown;
  for (const [whole, lang, body] of markdown.matchAll(blocks)) {
    prose = prose.replace(whole, '');
    if (!['sh', 'bash', 'shell', 'console'].includes(lang)) continue;
    for (const line of body.split('\n')) add(line.replace(/(^|\s)#.*$/, ''));
  }
  for (const [, code] of prose.matchAll(/`([^`\n]+)`/g)) {
    if (/^(bash|node|pnpm|cargo|npm|npx|sh) /.test(code) || /^(cargo test|pnpm bench\S*)$/.test(code)) add(code);
  }
  return [...new Set(commands)];
}

interface Result {
  code: number | null;
  out: string;
}

/** Runs `command` with bash from the repository root (its own process group, ended if it hangs). */
function sh(command: string, timeoutMs = 240_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: ROOT,
      detached: true,
      env: { ...CHILD_ENV, SOFTMAX_NN_SKIP_SETUP: '1' },
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += plain(b.toString()); });
    child.stderr.on('data', (b: Buffer) => { out += plain(b.toString()); });
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`${command}: still running after ${timeoutMs / 1000} s; output:\n${out}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function ok(command: string): Promise<string> {
  const r = await sh(command);
  expect(r.code, `${command} exited with ${r.code}:\n${r.out}`).toBe(0);
  expect(r.out).not.toContain('tried to download');
  return r.out;
}

/** The README's `--epochs N` replaced by a small number, its paths moved into the test's folder, `extra` appended. */
function small(command: string, epochs: number, extra = ''): string {
  return command
    .replace(/--epochs \d+/, `--epochs ${epochs}`)
    .replace(/(--out|--weights|--svg) (\S+)/g, (_, flag: string, path: string) => `${flag} ${join(tmp, path)}`) + (extra ? ` ${extra}` : '');
}

function metrics(dir: string): { epoch: number; testAcc: number }[] {
  return JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { epoch: number; testAcc: number }[];
}

const RUN_FILES = ['model.safetensors', 'metrics.json', 'config.json', 'checkpoint.safetensors', 'curves.svg'];
const LIMIT = '--limit 2000';

/** How each README command is checked; `notRun` says why one is not run here. */
const PLAN: Record<string, { run: (command: string) => Promise<void> } | { notRun: string }> = {
  'bash scripts/train.sh': {
    // As written: the main job, 10 epochs of the notes' recipe on the full data (seconds).
    run: async (command) => {
      const runs = join(ROOT, 'runs');
      const before = new Set(existsSync(runs) ? readdirSync(runs) : []);
      try {
        const out = await ok(command);
        expect(out).toMatch(/final: train loss [\d.]+, train acc [\d.]+, test acc [\d.]+ \(10 epochs/);
        const made = readdirSync(runs).filter((d) => !before.has(d));
        expect(made).toHaveLength(1);
        expect(made[0]).toMatch(/^softmax-\d{8}-\d{6}/);
        for (const f of RUN_FILES) expect(existsSync(join(runs, made[0], f)), f).toBe(true);
        const m = metrics(join(runs, made[0]));
        expect(m.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(m[9].testAcc).toBeGreaterThan(0.8); // the README: ≈0.83
      } finally {
        for (const d of existsSync(runs) ? readdirSync(runs) : []) if (!before.has(d)) rmSync(join(runs, d), { recursive: true, force: true });
      }
    },
  },
  'bash scripts/test-all.sh': { notRun: 'runs every test, this file included' },
  'bash scripts/train.sh --model mlp --epochs 10 --out runs/mlp': {
    run: async (command) => {
      await ok(small(command, 1, LIMIT));
      for (const f of RUN_FILES) expect(existsSync(join(tmp, 'runs/mlp', f)), f).toBe(true);
      expect(readFileSync(join(tmp, 'runs/mlp/config.json'), 'utf8')).toContain('"mlp"');
    },
  },
  'bash scripts/train.sh --model lenet --out runs/lenet': {
    // The README's takes ten LeNet epochs on the full data (minutes): one on 512 images.
    run: async (command) => {
      await ok(small(command, 1, '--epochs 1 --limit 512'));
      expect(JSON.parse(readFileSync(join(tmp, 'runs/lenet/config.json'), 'utf8'))).toMatchObject({ model: 'lenet', epochs: 1 });
      expect(metrics(join(tmp, 'runs/lenet')).map((e) => e.epoch)).toEqual([1]);
    },
  },
  'bash scripts/train.sh --model softmax --epochs 20 --out runs/long --resume': {
    // A run to continue first (1 epoch), then the README's resume (to 2 epochs).
    run: async (command) => {
      await ok(small('bash scripts/train.sh --model softmax --epochs 1 --out runs/long', 1, LIMIT));
      expect(metrics(join(tmp, 'runs/long')).map((e) => e.epoch)).toEqual([1]);
      await ok(small(command, 2, LIMIT));
      expect(metrics(join(tmp, 'runs/long')).map((e) => e.epoch)).toEqual([1, 2]);
    },
  },
  'node packages/ts-api/dist/cli/main.js predict --weights runs/mlp/model.safetensors --n 12 --svg pred.svg': {
    // The weights of the MLP run above.
    run: async (command) => {
      await ok(small(command, 1));
      expect(readFileSync(join(tmp, 'pred.svg'), 'utf8')).toMatch(/<svg[\s\S]*<\/svg>\s*$/);
    },
  },
  'node packages/ts-api/dist/cli/main.js --help': {
    run: async (command) => {
      const out = await ok(command);
      expect(out).toContain('softmax-nn train [options]');
    },
  },
  'bash scripts/setup.sh': { notRun: 'installs (apt-get when root) and rebuilds the wasm and dist/ that other test files load while they run; train.sh and test-all.sh run it' },
  'pnpm -C packages/demo start': {
    run: async (command) => {
      await demoServes(command);
    },
  },
  'pnpm bench': {
    // The benchmark takes many minutes (its --quick run too); --list shows the command starts from here.
    run: async (command) => {
      const out = await ok(`${command} -- --list`);
      expect(out).toMatch(/^softmax-nn\S* /m);
    },
  },
  'pnpm bench:parallel': { notRun: 'a benchmark of minutes; its smallest settings still take over a minute' },
  'bash scripts/build-wasm.sh': { notRun: 'rewrites the wasm files other test files load while they run; setup.sh and test-all.sh run it' },
  'pnpm -C packages/ts-api exec vitest run test/tensor': {
    run: async (command) => {
      const out = await ok(command);
      expect(out).toMatch(/Test Files +\d+ passed/);
    },
  },
  'cargo test': {
    run: async (command) => {
      const out = await ok(command);
      expect(out).toMatch(/test result: ok\. [1-9]\d* passed; 0 failed/);
    },
  },
  'pnpm -C packages/ts-api exec node --import tsx examples/softmax-regression.ts': {
    // As written: 10 epochs of the notes' recipe (seconds).
    run: async (command) => {
      const out = await ok(command);
      const m = /^final: train loss ([\d.]+), test acc ([\d.]+)$/m.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![2])).toBeGreaterThan(0.8);
    },
  },
  'node scripts/gen-abi.mjs': {
    // As written it rewrites generated sources other test files load; --check runs the same generator
    // from the root and fails if a generated file differs from what it would write.
    run: async (command) => {
      await ok(`${command} --check`);
    },
  },
};

/** Starts the dev server, loads the page and the dataset index it serves, then ends the server. */
async function demoServes(command: string): Promise<void> {
  const child = spawn('bash', ['-c', command], {
    cwd: ROOT,
    detached: true,
    // Skips the library build the start script runs first: it would rewrite dist/ while other test
    // files spawn the CLI from it.
    env: { ...CHILD_ENV, SOFTMAX_NN_SKIP_SETUP: '1' },
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const look = (b: Buffer) => {
        out += plain(b.toString());
        const m = /Local:\s+(http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      void exited.then((code) => reject(new Error(`${command} exited (${code}) before serving:\n${out}`)));
      // A safety net for a server that never says where it listens (not a timing assertion).
      setTimeout(() => reject(new Error(`${command}: no "Local: http://…" line after 240 s:\n${out}`)), 240_000).unref();
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetchLocal(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await page.text()).toContain('<script type="module"');
    const index = await fetchLocal(`${url}fashion-mnist/index.json`);
    expect(index.status).toBe(200);
    expect(JSON.stringify(await index.json())).toContain('t10k-labels-idx1-ubyte');
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

/** fetch, for the local dev server only. */
function fetchLocal(url: string): Promise<Response> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`fetchLocal: only the local dev server, got ${url}`);
  return fetch(url);
}

describe('README.md commands', () => {
  const commands = readmeCommands(README);

  it('every command the README shows is run here, or says why not', () => {
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.filter((c) => !(c in PLAN)), 'README commands this test does not know').toEqual([]);
    expect(Object.keys(PLAN).filter((c) => !commands.includes(c)), 'commands no longer in the README').toEqual([]);
  });

  for (const [command, plan] of Object.entries(PLAN)) {
    if ('run' in plan) it(`runs: ${command}`, () => plan.run(command), 300_000);
  }
});
