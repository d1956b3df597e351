// PyTorch parity: every case in parity/cases, run generically from its own metadata through
// softmax-nn's public API. The comparison lives in ./harness.ts, the tolerances in parity/tolerances.json.

import { inspect } from 'node:util';
import { afterAll, describe, it } from 'vitest';
import * as sm from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { caseFiles, compare, distCheck, fail, GRAD, loadCase, methodForms, resolve, scaleRefOf, VALUE, type Case } from './harness.js';
import { runClip } from './run-clip.js';
import { runModuleSteps } from './run-module-steps.js';
import { runScheduler } from './run-scheduler.js';
import { allowedError, maxAbsFinite } from './tolerances.js';

const { nn, optim, data, tidy, full, ones, zeros, manualSeed, noGrad } = sm;
type Fn = (...args: unknown[]) => unknown;
type Ctor = new (...args: unknown[]) => unknown;

const worst = new Map<string, { ratio: number; where: string }>();
function note(kind: string, where: string, ratio: number): void {
  const w = worst.get(kind);
  if (w === undefined || ratio > w.ratio) worst.set(kind, { ratio, where });
}

function isTensor(v: unknown): v is Tensor {
  return v instanceof sm.Tensor;
}

function input(c: Case, name: string): Tensor {
  const t = c.tensors[`input.${name}`];
  if (t === undefined) fail(c, `the case file has no tensor input.${name}`);
  return t;
}

const FLOATS: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN };

/**
 * JSON arguments → call arguments: "$x" is the tensor input.x (also inside arrays: cat / stack lists,
 * index lists), {"$module": …} a module built from its spec, {"$T": "x"} the view x.T,
 * {"$index": "x", "args": […]} the view x.index(…), {"$float": "inf" | "-inf" | "nan"} the number JSON
 * cannot write; inside an options object, "$w" is the tensor input.w too.
 */
function bindArgs(c: Case, args: unknown[]): unknown[] {
  return args.map((a) => {
    if (typeof a === 'string' && a.startsWith('$')) return input(c, a.slice(1));
    if (Array.isArray(a)) return bindArgs(c, a);
    if (a !== null && typeof a === 'object' && '$float' in a) {
      const v = FLOATS[(a as { $float: string }).$float];
      if (v === undefined) fail(c, `unknown {"$float": ${JSON.stringify((a as { $float: string }).$float)}}`);
      return v;
    }
    if (a !== null && typeof a === 'object' && '$module' in a) return buildModule(a as { $module: string; args: unknown[] });
    if (a !== null && typeof a === 'object' && '$T' in a) return input(c, (a as { $T: string }).$T).T;
    if (a !== null && typeof a === 'object' && '$index' in a) {
      const v = a as { $index: string; args: unknown[] };
      return input(c, v.$index).index(...(bindArgs(c, v.args) as sm.Index[]));
    }
    // an options object whose values name inputs: { weight: "$w" }
    if (a !== null && typeof a === 'object' && Object.values(a).some((v) => typeof v === 'string' && v.startsWith('$'))) {
      return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, bindArgs(c, [v])[0]]));
    }
    return a;
  });
}

interface ModuleSpec { $module: string; args: unknown[]; then?: [string, ...unknown[]][] }

/** The module of a spec, then its "then" steps (method calls such as addModule; {"$layer": i} is net[i]). */
function buildModule(spec: ModuleSpec): sm.nn.Module {
  const args = spec.args.map((a) => (a !== null && typeof a === 'object' && '$module' in a ? buildModule(a as ModuleSpec) : a));
  const m = new (resolve(spec.$module) as Ctor)(...args) as sm.nn.Module;
  const arg = (a: unknown): unknown => {
    if (Array.isArray(a)) return a.map(arg);
    if (a !== null && typeof a === 'object' && '$layer' in a) return (m as sm.nn.Sequential)[(a as { $layer: number }).$layer];
    return a !== null && typeof a === 'object' && '$module' in a ? buildModule(a as ModuleSpec) : a;
  };
  for (const [method, ...rest] of spec.then ?? []) {
    const fn = (m as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new Error(`${spec.$module} has no method ${method}`);
    (fn as (...xs: unknown[]) => unknown).apply(m, rest.map(arg));
  }
  return m;
}

/** Copies the case's param.<name> tensors into the module, checking the names match PyTorch's exactly. */
function loadParams(c: Case, m: sm.nn.Module, prefix = 'param.'): [string, Tensor][] {
  const named = m.namedParameters();
  const ours = named.map(([n]) => n).sort();
  const theirs = Object.keys(c.tensors).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  if (ours.join(',') !== theirs.join(',')) fail(c, `parameter names: softmax-nn [${ours.join(', ')}], PyTorch [${theirs.join(', ')}]`);
  for (const [n, p] of named) noGrad(() => p.copy_(c.tensors[prefix + n])); // parameters are leaves that require grad
  return named;
}

function runFn(c: Case): void {
  const grads = c.spec.grads as string[];
  for (const g of grads) input(c, g).requiresGrad_(true);
  const args = bindArgs(c, c.args);
  const result = (resolve(c.op) as Fn)(...args);
  if (c.spec.outputs !== undefined) {
    runPieces(c, grads, args, result);
    return;
  }
  const out = valuesOf(c, result, 'the function');
  if (c.op.endsWith('_') && out !== args[0]) fail(c, `${c.op} works in place: it must return the tensor it changed, as PyTorch does`);
  const scaleOut = scaleRefOf(c, 'expected.out');
  note('fn value', c.stem, compare(c, 'output', out, c.tensors['expected.out'], VALUE, scaleOut));
  if (out.requiresGrad !== c.spec.requiresGrad) fail(c, `requiresGrad: softmax-nn ${out.requiresGrad}, PyTorch ${String(c.spec.requiresGrad)}`);
  // the Tensor method of the same name: x.op(...rest) gives the same result
  for (const m of methodForms(c)) {
    const [self, ...rest] = args as [Tensor, ...unknown[]];
    const viaMethod = valuesOf(c, (self as unknown as Record<string, Fn>)[m].call(self, ...rest), `the method form x.${m}(…)`);
    note('fn value', c.stem, compare(c, `output of the method form x.${m}(…)`, viaMethod, c.tensors['expected.out'], VALUE, scaleOut));
    if (viaMethod.requiresGrad !== c.spec.requiresGrad) fail(c, `requiresGrad of x.${m}(…): softmax-nn ${viaMethod.requiresGrad}, PyTorch ${String(c.spec.requiresGrad)}`);
  }
  const gOut = c.tensors.grad_out;
  if (gOut === undefined) return;
  out.backward(gOut);
  for (const g of grads) {
    const expected = c.tensors[`expected.grad.${g}`];
    if (expected !== undefined) note('fn grad', c.stem, compare(c, `gradient of ${g}`, input(c, g).grad, expected, GRAD, scaleRefOf(c, `expected.grad.${g}`)));
    else if (input(c, g).grad !== null) fail(c, `PyTorch gives no gradient for ${g}, softmax-nn does`);
  }
}

/** An op returning a list (split, chunk): every piece, then backward through each with grad_out.<k>. */
function runPieces(c: Case, grads: string[], args: unknown[], out: unknown): void {
  const n = c.spec.outputs as number;
  const check = (what: string, list: unknown): Tensor[] => {
    if (!Array.isArray(list) || !list.every(isTensor)) fail(c, `${what}: expected an array of Tensors, got ${typeof list}`);
    if (list.length !== n) fail(c, `${what}: softmax-nn gives ${list.length} pieces, PyTorch ${n}`);
    list.forEach((t, k) => {
      note('fn value', c.stem, compare(c, `${what} piece ${k}`, t, c.tensors[`expected.out.${k}`], VALUE));
      if (t.requiresGrad !== c.spec.requiresGrad) fail(c, `requiresGrad of piece ${k}: softmax-nn ${t.requiresGrad}, PyTorch ${String(c.spec.requiresGrad)}`);
    });
    return list;
  };
  const pieces = check('output', out);
  for (const m of methodForms(c)) {
    const [self, ...rest] = args as [Tensor, ...unknown[]];
    check(`the method form x.${m}(…)`, (self as unknown as Record<string, Fn>)[m].call(self, ...rest));
  }
  if (c.tensors['grad_out.0'] === undefined) return;
  pieces.forEach((t, k) => t.backward(c.tensors[`grad_out.${k}`]));
  for (const g of grads) {
    note('fn grad', c.stem, compare(c, `gradient of ${g}`, input(c, g).grad, c.tensors[`expected.grad.${g}`], GRAD));
  }
}

/**
 * The compared tensor of an fn case's result: the result itself, or for max / min along a dim
 * (spec.valuesIndices) the values of `[values, indices]`, whose indices are compared here.
 */
function valuesOf(c: Case, res: unknown, what: string): Tensor {
  if (c.spec.valuesIndices !== true) {
    if (!isTensor(res)) fail(c, `${what} gave ${typeof res}, not a Tensor`);
    return res;
  }
  const r = res as unknown[];
  const named = res as { values?: unknown; indices?: unknown };
  if (!Array.isArray(r) || r.length !== 2 || !isTensor(r[0]) || !isTensor(r[1]) || named.values !== r[0] || named.indices !== r[1]) {
    fail(c, `${what} must give [values, indices] with .values and .indices (PyTorch's named tuple)`);
  }
  compare(c, `indices from ${what}`, r[1], c.tensors['expected.indices'], VALUE);
  return r[0];
}

/**
 * An error case: PyTorch raises (its message in c.torch or spec.torchMessage); softmax-nn must throw,
 * from the function and every method form, a message containing spec.message / every spec.contains.
 */
function runError(c: Case): void {
  const torchMessage = (c.spec.torchMessage as string | undefined) ?? c.torch;
  const parts = c.spec.contains !== undefined ? (c.spec.contains as string[]) : [c.spec.message as string];
  const args = bindArgs(c, c.args);
  const forms: [string, () => unknown][] = [['the function', () => (resolve(c.op) as Fn)(...args)]];
  for (const m of methodForms(c)) {
    const [self, ...rest] = args as [Tensor, ...unknown[]];
    forms.push([`x.${m}(…)`, () => (self as unknown as Record<string, Fn>)[m].call(self, ...rest)]);
  }
  for (const [what, call] of forms) {
    let message: string | null = null;
    try {
      call();
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
    if (message === null) fail(c, `${what} did not throw; PyTorch raises ${torchMessage}`);
    for (const part of parts) {
      if (!message.includes(part)) fail(c, `${what} threw "${message}", which does not contain "${part}" (PyTorch: ${torchMessage})`);
    }
  }
  note('error', c.stem, 0);
}

function runModule(c: Case): void {
  const spec = c.spec as { ctor: { $module: string; args: unknown[] }; train: boolean; grads: string[]; inputs: string[]; requiresGrad: boolean };
  const m = buildModule(spec.ctor);
  if (spec.train) m.train();
  else m.eval();
  const params = loadParams(c, m);
  for (const g of spec.grads) input(c, g).requiresGrad_(true);
  const out = m.forward(...spec.inputs.map((n) => input(c, n)));
  note('module value', c.stem, compare(c, 'output', out, c.tensors['expected.out'], VALUE, scaleRefOf(c, 'expected.out')));
  if (out.requiresGrad !== spec.requiresGrad) fail(c, `requiresGrad: softmax-nn ${out.requiresGrad}, PyTorch ${spec.requiresGrad}`);
  const gOut = c.tensors.grad_out;
  if (gOut === undefined) return;
  out.backward(gOut);
  for (const g of spec.grads) {
    const expected = c.tensors[`expected.grad.${g}`];
    if (expected !== undefined) note('module grad', c.stem, compare(c, `gradient of input ${g}`, input(c, g).grad, expected, GRAD, scaleRefOf(c, `expected.grad.${g}`)));
  }
  for (const [n, p] of params) {
    note('module grad', c.stem, compare(c, `gradient of parameter ${n}`, p.grad, c.tensors[`expected.grad.param.${n}`], GRAD));
  }
}

function runOptim(c: Case): void {
  const spec = c.spec as { steps: number; params: number };
  const params = Array.from({ length: spec.params }, (_, i) => nn.Parameter(c.tensors[`param.${i}`].clone().detach()));
  const opt = new (resolve(c.op) as Ctor)(params, ...c.args) as sm.optim.Optimizer<object>;
  for (let k = 1; k <= spec.steps; k++) {
    opt.zeroGrad();
    params.forEach((p, i) => {
      const g = c.tensors[`grad.s${k}.${i}`];
      if (g !== undefined) p.grad = g.clone();
    });
    opt.step();
    params.forEach((p, i) => note('optim value', c.stem, compare(c, `parameter ${i} after step ${k}`, p, c.tensors[`expected.s${k}.${i}`], VALUE)));
  }
}

function runTrain(c: Case): void {
  const spec = c.spec as { ctor: { $module: string; args: unknown[] }; loss: object; optim: string; steps: number };
  const m = buildModule(spec.ctor);
  const params = loadParams(c, m);
  const loss = new nn.CrossEntropyLoss(spec.loss);
  const opt = new (resolve(spec.optim) as Ctor)(m.parameters(), ...c.args) as sm.optim.Optimizer<object>;
  const x = input(c, 'x');
  const y = input(c, 'y');
  for (let k = 1; k <= spec.steps; k++) {
    opt.zeroGrad();
    tidy(() => {
      const l = loss.forward(m.forward(x), y);
      l.backward();
      note('train', c.stem, compare(c, `loss at step ${k}`, l, c.tensors[`expected.s${k}.loss`], GRAD));
    });
    opt.step();
    for (const [n, p] of params) note('train', c.stem, compare(c, `${n} after step ${k}`, p, c.tensors[`expected.s${k}.param.${n}`], GRAD));
  }
}

function runStats(c: Case): void {
  const spec = c.spec as { shape: number[]; dist: string; mean: number; std: number; lo?: number; hi?: number; target: string; param?: string };
  manualSeed(5);
  let sample: Tensor;
  if (spec.target === '$t') {
    const t = zeros(spec.shape);
    const r = (resolve(c.op) as Fn)(t, ...c.args.slice(1));
    if (r !== t) fail(c, 'an in-place initialiser must return the tensor it filled, as PyTorch does');
    sample = t;
  } else if (spec.target === '$like') {
    const like = zeros(spec.shape);
    sample = (resolve(c.op) as Fn)(like, ...c.args.slice(1)) as Tensor;
  } else if (spec.target === '$module') {
    const m = new (resolve(c.op) as Ctor)(...c.args) as Record<string, unknown>;
    sample = m[spec.param as string] as Tensor;
  } else {
    sample = (resolve(c.op) as Fn)(...c.args) as Tensor;
  }
  if (sample.shape.join(',') !== spec.shape.join(',')) fail(c, `shape: softmax-nn [${sample.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
  const errs = distCheck(sample.toArray() as Float32Array, spec.dist, spec.mean, spec.std, spec.lo, spec.hi);
  if (errs.length > 0) {
    fail(c, `the sample does not follow ${spec.dist}(mean ${spec.mean}, std ${spec.std}${spec.lo !== undefined ? `, [${spec.lo}, ${spec.hi}]` : ''}):\n  ${errs.join('\n  ')}\n  PyTorch's sample: ${JSON.stringify(c.spec.torchSample)}`);
  }
}

function runScalar(c: Case): void {
  const spec = c.spec as { expected: number | number[]; shape?: number[] };
  const args = c.args.map((a) => (a === '$t' ? zeros(spec.shape as number[]) : a));
  const got = (resolve(c.op) as Fn)(...args) as number | number[];
  const exp = Array.isArray(spec.expected) ? spec.expected : [spec.expected];
  const act = Array.isArray(got) ? got : [got];
  const maxAbs = maxAbsFinite(exp);
  const ok = exp.length === act.length && exp.every((e, i) => Math.abs(act[i] - e) <= allowedError(e, maxAbs, VALUE));
  if (!ok) fail(c, `softmax-nn ${JSON.stringify(got)}, PyTorch ${JSON.stringify(spec.expected)}`);
}

function runDropoutTrain(c: Case): void {
  const spec = c.spec as { shape: number[]; fill: number; p: number; torchZeroFraction: number };
  manualSeed(5);
  const x = full(spec.shape, spec.fill).requiresGrad_(true);
  let y: Tensor;
  if (c.op.startsWith('nn.') && !c.op.startsWith('nn.functional.')) {
    const m = new (resolve(c.op) as Ctor)(...c.args) as sm.nn.Module;
    m.train();
    y = m.forward(x);
  } else {
    y = (resolve(c.op) as Fn)(x, ...c.args.slice(1)) as Tensor;
  }
  const kept = spec.fill / (1 - spec.p);
  const v = y.toArray();
  let zerosCount = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) zerosCount++;
    else if (!(Math.abs(v[i] - kept) <= allowedError(kept, kept, VALUE))) fail(c, `element ${i} is ${v[i]}: a kept element must be x/(1−p) = ${kept}`);
  }
  const n = v.length;
  const frac = zerosCount / n;
  const tol = 6 * Math.sqrt((spec.p * (1 - spec.p)) / n);
  if (!(Math.abs(frac - spec.p) <= tol)) fail(c, `fraction of zeros ${frac}, expected p = ${spec.p} ± ${tol} (PyTorch's: ${spec.torchZeroFraction})`);
  y.backward(ones(spec.shape));
  const g = x.grad?.toArray();
  if (g === undefined) fail(c, 'no gradient for the input');
  for (let i = 0; i < n; i++) {
    const want = v[i] / spec.fill;
    if (!(Math.abs(g[i] - want) <= allowedError(want, 1 / (1 - spec.p), GRAD))) fail(c, `gradient at ${i} is ${g[i]}, expected mask/(1−p) = ${want}`);
  }
}

/** Output image i of `y` [N, …] as a flat slice, and candidate k of image i in `cands` [N, K, …]. */
function imageOf(v: ArrayLike<number>, i: number, size: number): number[] {
  return Array.from({ length: size }, (_, j) => v[i * size + j]);
}

/**
 * A data.transforms case: the transform built from args, applied to input.x. Deterministic transforms
 * are compared with torch's result; random ones (drawn from softmax-nn's own generator) must give, for
 * every image, exactly one of torch's results for the possible draws (spec.candidates of them), and more
 * than one draw must occur when the transform is random.
 */
function runTransform(c: Case): void {
  const t = (resolve(c.op) as Fn)(...c.args);
  if (typeof t !== 'function') fail(c, `${c.op}(…) must return a batch transform (a function), got ${typeof t}`);
  const x = input(c, 'x');
  manualSeed(5);
  const y = (t as (b: Tensor) => Tensor)(x);
  if (!isTensor(y)) fail(c, `the transform returned ${typeof y}, not a Tensor`);
  const expected = c.tensors['expected.out'];
  if (expected !== undefined) {
    note('transform', c.stem, compare(c, 'output', y, expected, VALUE));
    return;
  }
  const cands = c.tensors['expected.candidates'];
  const spec = c.spec as { candidates: number; p?: number };
  if (y.shape.join(',') !== x.shape.join(',')) fail(c, `shape: softmax-nn [${y.shape.join(', ')}], expected the input's [${x.shape.join(', ')}]`);
  const n = x.shape[0];
  const size = x.numel() / n;
  const yv = y.toArray();
  const cv = cands.toArray();
  const drawn: number[] = [];
  for (let i = 0; i < n; i++) {
    const mine = imageOf(yv, i, size);
    const k = Array.from({ length: spec.candidates }, (_, j) => j).find((j) => imageOf(cv, i * spec.candidates + j, size).every((v, e) => Object.is(v, mine[e])));
    if (k === undefined) fail(c, `image ${i} of softmax-nn's output is none of PyTorch's ${spec.candidates} possible results (${c.torch})`);
    drawn.push(k);
  }
  if (spec.p === 0 && drawn.some((k) => k !== 0)) fail(c, `p = 0 flipped images ${JSON.stringify(drawn)}`);
  if (spec.p === 1 && drawn.some((k) => k !== 1)) fail(c, `p = 1 left images unflipped: ${JSON.stringify(drawn)}`);
  const random = spec.p !== undefined ? spec.p > 0 && spec.p < 1 : spec.candidates > 1;
  if (random && new Set(drawn).size < 2) fail(c, `every one of ${n} images got the same draw ${drawn[0]}: the transform is not random`);
  if (!random && spec.p === undefined && drawn.some((k) => k !== 0)) fail(c, 'without padding the crop must be the image itself');
  note('transform', c.stem, 0);
}

/** data.ImageDataset over uint8 pixels: a batch of every image against torchvision's ToTensor. */
function runDataset(c: Case): void {
  const raw = input(c, 'pixels').toArray();
  if (raw.some((v) => !(v >= 0 && v <= 255 && Number.isInteger(v)))) fail(c, 'input.pixels must hold uint8 values (0…255)');
  const shape = c.args[2] as [number, number, number];
  const ds = new data.ImageDataset(Uint8Array.from(raw), input(c, 'labels').toArray() as Int32Array, shape);
  try {
    const [x, y] = ds.getBatch(Int32Array.from({ length: ds.length }, (_, i) => i));
    note('dataset', c.stem, compare(c, 'images of getBatch', x, c.tensors['expected.x'], VALUE));
    compare(c, 'labels of getBatch', y, c.tensors['expected.y'], VALUE);
    const [x0] = ds.get(ds.length - 1);
    const last = c.tensors['expected.x'].reshape([ds.length, ...shape]);
    const want = sm.tensor(last.toArray().slice((ds.length - 1) * x0.numel()), { shape });
    note('dataset', c.stem, compare(c, `image ${ds.length - 1} from get()`, x0, want, VALUE));
  } finally {
    ds.dispose();
  }
}

/** str(t) of PyTorch: toString(), String(t), a template literal and Node's inspect all print the same. */
function runPrint(c: Case): void {
  const spec = c.spec as { expected: string; requiresGrad: boolean };
  const x = input(c, 'x');
  if (spec.requiresGrad) x.requiresGrad_(true);
  for (const [how, text] of [['toString()', x.toString()], ['String(x)', String(x)], ['`${x}`', `${x}`], ['util.inspect', inspect(x)]]) {
    if (text !== spec.expected) fail(c, `${how} printed\n${text}\nPyTorch's str(x) is\n${spec.expected}`);
  }
}

/** str(net) of PyTorch and the names it gives: state-dict keys (a tied layer under each name), parameters, modules. */
function runModuleInfo(c: Case): void {
  const spec = c.spec as { ctor: ModuleSpec; str: string; stateDictKeys: string[]; namedParameters: string[]; namedModules: string[]; namedChildren: string[]; length: number };
  const m = buildModule(spec.ctor) as sm.nn.Sequential;
  const got = {
    str: m.toString(), stateDictKeys: Object.keys(m.stateDict()), namedParameters: m.namedParameters().map(([n]) => n),
    namedModules: m.namedModules().map(([n]) => n), namedChildren: m.namedChildren().map(([n]) => n), length: m.length,
  };
  for (const k of Object.keys(got) as (keyof typeof got)[]) {
    if (JSON.stringify(got[k]) !== JSON.stringify(spec[k])) fail(c, `${k}: softmax-nn\n${String(got[k])}\nPyTorch\n${String(spec[k])}`);
  }
  for (const [how, text] of [['String(net)', String(m)], ['`${net}`', `${m}`], ['util.inspect', inspect(m)]]) {
    if (text !== spec.str) fail(c, `${how} printed\n${text}\nPyTorch's str(net) is\n${spec.str}`);
  }
  m.parameters().forEach((p) => p.dispose());
}

const RUN: Record<Case['kind'], (c: Case) => void> = {
  fn: runFn, module: runModule, optim: runOptim, train: runTrain, stats: runStats, scalar: runScalar, 'dropout-train': runDropoutTrain,
  transform: runTransform, dataset: runDataset, error: runError, print: runPrint, 'module-info': runModuleInfo,
  scheduler: runScheduler, clip: (c) => runClip(c, note), 'module-steps': (c) => runModuleSteps(c, resolve, note),
};

const files = caseFiles();

describe('PyTorch parity', () => {
  it('has cases to run (parity/cases; regenerate with /usr/bin/python3 parity/generate.py --out parity/cases)', () => {
    if (files.length < 100) throw new Error(`only ${files.length} case files in parity/cases`);
  });
  for (const file of files) {
    it(file.replace(/\.safetensors$/, ''), async () => {
      const c = await loadCase(file);
      const run = RUN[c.kind];
      if (run === undefined) fail(c, `unknown case kind ${c.kind}`);
      try {
        tidy(() => { run(c); });
      } finally {
        for (const t of Object.values(c.tensors)) t.dispose();
      }
    });
  }
  afterAll(() => {
    const lines = [...worst.entries()].map(([k, w]) => `  ${k.padEnd(13)} worst error/allowed ${w.ratio.toPrecision(3)} (${w.where})`);
    console.log(`parity: ${files.length} cases\n${lines.join('\n')}`);
  });
});
