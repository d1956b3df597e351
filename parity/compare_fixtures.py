#!/usr/bin/python3
"""Compares a fresh regeneration of the parity fixtures with the committed ones (check-regenerate.sh).

PyTorch's float32 results depend on the CPU (OpenBLAS and ATen pick their kernels by it), so what torch
computes is compared within the tolerances of parity/tolerances.json — the ones the TypeScript parity
tests use — and everything else byte for byte: inputs, initial parameters, given gradients, the
whole-run start and order, integer results, names, shapes, dtypes and the metadata strings.

  cases/ (generate.py), by the case's ``kind``:
    input.*, param.*, grad_out(.<k>), grad.s<k>.<i> exact (drawn by numpy, not computed by torch)
    int32 tensors                                  exact (argmax, eq, max's indices: no matrix product)
    fn, module: expected.out(.<k>)                 "value" (.<k>: the pieces of split / chunk)
    error                                          inputs exact; torch's message in the metadata, exact
    fn, module: expected.grad.*                    "gradient"
    optim: expected.s<k>.<i>                       "value" (parameters from given gradients)
    train: expected.s<k>.loss / .param.*           "gradient" (downstream of a backward pass)
    clip: grad.<k> exact; expected.grad.<k>, .out   "value" (clipped gradients, the total norm)
    module-steps: grad_out.s<k> exact; expected.s<k>.out, .eval.out, .buffer.*  "value";
                  expected.s<k>.grad.x             "gradient"
    module-info, scheduler, print                  metadata only, exact (names, str(net); the learning
                                                   rates are Python float64 arithmetic, no BLAS)
    metadata                                       exact, but for the numbers torch computes into a
                                                   spec: a stats case's spec.torchSample (statistics of
                                                   torch's own random sample, whose normal_/uniform_
                                                   kernels are chosen by CPU) and a resize case's
                                                   spec.antialiasMaxAbsDiff, "value" (the latter scaled
                                                   by the case's max|expected.out|, the pixels it is a
                                                   difference of)
  whole-run/ (whole_run.py fixtures), with tolerances.json's "wholeRun" bounds per model:
    start.safetensors                              exact
    <model>.final.safetensors                      weights within the absolute bound "weights"
    <model>.expected.safetensors: losses           |fresh - committed| <= lossRtol * |committed|
                                  test_pred        at most "predictionsDiffering" classes differ
                                  test_correct,    within "accuracy" (a fraction of test_total)
                                  test_acc
                                  other metadata   exact

An element passes when |fresh - committed| <= rtol * |committed| + scale * max|committed over the
tensor's finite elements|; +-inf must match exactly and NaN must meet NaN.

Usage: compare_fixtures.py --tolerances FILE [--cases COMMITTED FRESH] [--whole-run COMMITTED FRESH]
Prints every difference (file, tensor, worst element with both values and the allowed difference) and a
summary; exits 0 when everything matches, 1 otherwise (also for a malformed tolerance file or usage).
"""

import argparse
import json
import math
import os
import re
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_np import st_load  # noqa: E402

CASE_KINDS = ('fn', 'module', 'optim', 'train', 'stats', 'scalar', 'dropout-train', 'transform', 'dataset', 'error', 'print',
              'module-info', 'scheduler', 'clip', 'module-steps')
WHOLE_RUN_KEYS = ('weights', 'lossRtol', 'predictionsDiffering', 'accuracy')


class CompareError(ValueError):
    """A fixture or tolerance file the comparison cannot use (unreadable, malformed, no rule for it)."""


# ---------------------------------------------------------------------------------------------------
# tolerances

def _number(where, v, integer=False):
    ok = isinstance(v, int) if integer else isinstance(v, (int, float))
    if isinstance(v, bool) or not ok or not math.isfinite(v) or v < 0:
        kind = 'a non-negative integer' if integer else 'a non-negative finite number'
        raise CompareError(f'{where}: expected {kind}, got {json.dumps(v)}')
    return v


def load_tolerances(path):
    """tolerances.json, checked: value/gradient {rtol, scale}; wholeRun {<model>: {weights, lossRtol, …}}."""
    try:
        with open(path, encoding='utf-8') as fh:
            t = json.load(fh)
    except (OSError, json.JSONDecodeError) as e:
        raise CompareError(f'{path}: cannot read the tolerances ({e})') from e
    if not isinstance(t, dict):
        raise CompareError(f'{path}: expected a JSON object, got {type(t).__name__}')
    out = {}
    for kind in ('value', 'gradient'):
        sec = t.get(kind)
        if not isinstance(sec, dict):
            raise CompareError(f'{path}: expected an object "{kind}" with "rtol" and "scale", got {json.dumps(sec)}')
        out[kind] = {k: _number(f'{path}: {kind}.{k}', sec.get(k)) for k in ('rtol', 'scale')}
    runs = t.get('wholeRun')
    if not isinstance(runs, dict) or not runs:
        raise CompareError(f'{path}: expected an object "wholeRun" with one entry per model, got {json.dumps(runs)}')
    out['wholeRun'] = {}
    for model, sec in runs.items():
        if model == 'comment':
            continue
        if not isinstance(sec, dict):
            raise CompareError(f'{path}: wholeRun.{model}: expected an object with {", ".join(WHOLE_RUN_KEYS)}, got {json.dumps(sec)}')
        out['wholeRun'][model] = {k: _number(f'{path}: wholeRun.{model}.{k}', sec.get(k), k == 'predictionsDiffering')
                                  for k in WHOLE_RUN_KEYS}
    return out


# ---------------------------------------------------------------------------------------------------
# element-wise comparison

def _fmt(x):
    return f'{float(x):.9g}'  # 9 significant digits: enough to tell two float32 apart


def _index(flat, shape):
    return '[' + ', '.join(str(int(i)) for i in np.unravel_index(flat, shape)) + ']' if shape else '[]'


def close(fresh, committed, atol=0.0, rtol=0.0, scale=0.0, scale_ref=0.0):
    """Worst element of |fresh - committed| against atol + rtol·|committed| + scale·max(max|committed|,
    scale_ref) — scale_ref is a case's spec.scaleRef, the size of the terms a result is the difference of.

    Returns (number of failing elements, flat index of the worst, its error/allowed ratio, allowed there).
    """
    a = np.asarray(fresh, dtype=np.float64).reshape(-1)
    e = np.asarray(committed, dtype=np.float64).reshape(-1)
    if e.size == 0:
        return 0, None, 0.0, 0.0
    finite = np.isfinite(e)
    peak = float(np.abs(e[finite]).max()) if finite.any() else 0.0  # an inf must not widen the bound
    peak = max(peak, scale_ref)
    allowed = atol + rtol * np.abs(np.where(finite, e, 0.0)) + scale * peak
    same = (a == e) | (np.isnan(a) & np.isnan(e))
    with np.errstate(divide='ignore', invalid='ignore'):
        ratio = np.where(same, 0.0, np.where(finite & np.isfinite(a), np.abs(a - e) / allowed, np.inf))
    ratio = np.where(np.isnan(ratio), np.inf, ratio)  # 0/0 cannot happen (same); anything else unknown fails
    worst = int(np.argmax(ratio))
    return int((ratio > 1).sum()), worst, float(ratio[worst]), float(allowed[worst])


# ---------------------------------------------------------------------------------------------------
# rules: which check applies to which tensor

EXACT = ('exact',)


def case_rule(kind, name, dtype, tols, scale_refs=None):
    """('exact',) or ('close', label, atol, rtol, scale, scale_ref) for a tensor of a generate.py case."""
    if name.startswith(('input.', 'param.')) or re.fullmatch(r'grad_out(\.\d+)?', name) or re.fullmatch(r'grad\.s\d+\.\d+', name):
        return EXACT
    if np.issubdtype(dtype, np.integer) or dtype == np.bool_:
        return EXACT
    def tol(label):
        return ('close', label, 0.0, tols[label]['rtol'], tols[label]['scale'], float((scale_refs or {}).get(name, 0.0)))
    if kind in ('fn', 'module'):
        if name == 'expected.out' or re.fullmatch(r'expected\.out\.\d+', name):
            return tol('value')
        if name.startswith('expected.grad.'):
            return tol('gradient')
    if kind == 'optim' and re.fullmatch(r'expected\.s\d+\.\d+', name):
        return tol('value')
    if kind == 'train' and re.fullmatch(r'expected\.s\d+\.(loss|param\..+)', name):
        return tol('gradient')
    if kind == 'transform' and name == 'expected.out':
        return tol('value')
    if kind == 'transform' and name == 'expected.candidates':
        return EXACT  # crops and flips of the input: copies, no arithmetic
    if kind == 'dataset' and name in ('expected.x', 'expected.y'):
        return tol('value')
    if kind == 'clip' and re.fullmatch(r'grad\.\d+', name):
        return EXACT  # the given gradients, drawn by numpy
    if kind == 'clip' and (name == 'expected.out' or name.startswith('expected.grad.')):
        return tol('value')
    if kind == 'module-steps' and re.fullmatch(r'grad_out\.s\d+', name):
        return EXACT  # drawn by numpy
    if kind == 'module-steps' and (re.fullmatch(r'expected\.(s\d+|eval)\.out', name) or name.startswith('expected.buffer.')):
        return tol('value')
    if kind == 'module-steps' and re.fullmatch(r'expected\.s\d+\.grad\.x', name):
        return tol('gradient')
    return None


def compare_case_metadata(committed, fresh, tols, stats, out_peak=0.0):
    """Every metadata string exactly, but for the numbers torch computes into a stats or resize spec."""
    problems = []
    for k in sorted(set(committed) | set(fresh)):
        if k not in fresh:
            problems.append(f'metadata "{k}" no longer written (committed: {committed[k]!r})')
        elif k not in committed:
            problems.append(f'new metadata "{k}" (fresh: {fresh[k]!r})')
        elif k == 'spec' and committed.get('kind') == 'stats' and fresh.get('kind') == 'stats':
            problems += _compare_stats_spec(json.loads(committed[k]), json.loads(fresh[k]), tols, stats)
        elif (k == 'spec' and committed.get('kind') == 'transform' and fresh.get('kind') == 'transform'
              and committed[k] != fresh[k] and 'antialiasMaxAbsDiff' in json.loads(committed[k])):
            problems += _compare_antialias_spec(json.loads(committed[k]), json.loads(fresh[k]), tols, stats, out_peak)
        elif committed[k] != fresh[k]:
            problems.append(f'metadata "{k}" changed:\n    committed {committed[k]!r}\n    fresh     {fresh[k]!r}')
    return problems


def _compare_stats_spec(committed, fresh, tols, stats):
    """torchSample (mean, std, min, max of torch's own sample) within "value"; the rest of the spec exact."""
    c_sample, f_sample = committed.pop('torchSample', None), fresh.pop('torchSample', None)
    if committed != fresh:
        return [f'metadata "spec" changed:\n    committed {json.dumps(committed, sort_keys=True)}\n    fresh     {json.dumps(fresh, sort_keys=True)}']
    if not isinstance(c_sample, dict) or not isinstance(f_sample, dict) or sorted(c_sample) != sorted(f_sample):
        return [f'spec.torchSample changed shape: committed {json.dumps(c_sample)}, fresh {json.dumps(f_sample)}']
    keys = sorted(c_sample)
    e = np.array([c_sample[k] for k in keys], dtype=np.float64)
    a = np.array([f_sample[k] for k in keys], dtype=np.float64)
    v = tols['value']
    failures, worst, ratio, allowed = close(a, e, rtol=v['rtol'], scale=v['scale'])
    stats.note('value', 'spec.torchSample', ratio)
    if failures:
        return [f'spec.torchSample.{keys[worst]} outside the value tolerance: committed {_fmt(e[worst])}, fresh {_fmt(a[worst])}, '
                f'|difference| {abs(a[worst] - e[worst]):.3g}, allowed {allowed:.3g}']
    return []


def _compare_antialias_spec(committed, fresh, tols, stats, out_peak):
    """antialiasMaxAbsDiff, max|interpolate - interpolate(antialias=True)| as torch computes it (its kernels
    are chosen by CPU), within "value" scaled by the output's largest pixel; the rest of the spec exact."""
    c_diff, f_diff = committed.pop('antialiasMaxAbsDiff'), fresh.pop('antialiasMaxAbsDiff', None)
    if committed != fresh:
        return [f'metadata "spec" changed:\n    committed {json.dumps(committed, sort_keys=True)}\n    fresh     {json.dumps(fresh, sort_keys=True)}']
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (c_diff, f_diff)):
        return [f'spec.antialiasMaxAbsDiff is not a number: committed {json.dumps(c_diff)}, fresh {json.dumps(f_diff)}']
    v = tols['value']
    failures, _, ratio, allowed = close([f_diff], [c_diff], rtol=v['rtol'], scale=v['scale'], scale_ref=out_peak)
    stats.note('value', 'spec.antialiasMaxAbsDiff', ratio)
    if failures:
        return [f'spec.antialiasMaxAbsDiff outside the value tolerance: committed {_fmt(c_diff)}, fresh {_fmt(f_diff)}, '
                f'|difference| {abs(f_diff - c_diff):.3g}, allowed {allowed:.3g}']
    return []


class Stats:
    """The worst error/allowed ratio seen per tolerance, and where, for the summary."""

    def __init__(self):
        self.worst = {}
        self.where = ''
        self.files = {'identical': 0, 'within tolerance': 0, 'different': 0}

    def note(self, label, tensor, ratio):
        w = self.worst.get(label)
        if w is None or ratio > w[0]:
            self.worst[label] = (ratio, f'{self.where}: {tensor}')


def compare_tensors(where, committed, fresh, rule_for, stats):
    """Names, dtypes, shapes, and each tensor by its rule; returns the problems found."""
    problems = []
    for name in sorted(set(committed) - set(fresh)):
        problems.append(f'{name}: no longer written (committed: {committed[name].dtype} {list(committed[name].shape)})')
    for name in sorted(set(fresh) - set(committed)):
        problems.append(f'{name}: new tensor (fresh: {fresh[name].dtype} {list(fresh[name].shape)})')
    for name in sorted(set(committed) & set(fresh)):
        e, a = committed[name], fresh[name]
        if e.dtype != a.dtype or e.shape != a.shape:
            problems.append(f'{name}: committed {e.dtype} {list(e.shape)}, fresh {a.dtype} {list(a.shape)}')
            continue
        rule = rule_for(name, e.dtype)
        if rule is None:
            raise CompareError(f'{where}: no comparison rule for tensor "{name}" ({e.dtype}); add one in parity/compare_fixtures.py')
        if rule[0] == 'exact':
            if e.tobytes() != a.tobytes():
                bits = f'u{e.dtype.itemsize}'  # compared as bits: -0.0 is not 0.0 here
                differs = np.flatnonzero(np.frombuffer(e.tobytes(), bits) != np.frombuffer(a.tobytes(), bits))
                i = int(differs[0])
                problems.append(f'{name}: must be identical, {differs.size} of {e.size} elements differ; first at '
                                f'{_index(i, e.shape)}: committed {_fmt(e.reshape(-1)[i])}, fresh {_fmt(a.reshape(-1)[i])}')
        elif rule[0] == 'close':
            _, label, atol, rtol, scale, scale_ref = rule
            failures, worst, ratio, allowed = close(a, e, atol, rtol, scale, scale_ref)
            stats.note(label, name, ratio)
            if failures:
                x, y = a.reshape(-1)[worst], e.reshape(-1)[worst]
                bound = ' + '.join(f'{n} {v:g}' for n, v in (('atol', atol), ('rtol', rtol), ('scale', scale)) if v)
                problems.append(f'{name}: {failures} of {e.size} elements outside the {label} tolerance ({bound}); worst at '
                                f'{_index(worst, e.shape)}: committed {_fmt(y)}, fresh {_fmt(x)}, |difference| {abs(float(x) - float(y)):.3g}, '
                                f'allowed {allowed:.3g}')
        elif rule[0] == 'differing':
            _, label, limit = rule
            differs = np.flatnonzero(e.reshape(-1) != a.reshape(-1))
            stats.note(label, f'{name} ({differs.size} differ)', differs.size / limit if limit else (0.0 if differs.size == 0 else math.inf))
            if differs.size > limit:
                first = ', '.join(f'{_index(int(i), e.shape)} {int(e.reshape(-1)[i])}→{int(a.reshape(-1)[i])}' for i in differs[:5])
                problems.append(f'{name}: {differs.size} of {e.size} elements differ, allowed {limit} ({label}); first: {first}')
    return problems


# ---------------------------------------------------------------------------------------------------
# directories

def _listing(d):
    return sorted(f for f in os.listdir(d) if f.endswith('.safetensors'))


def _load(path):
    try:
        return st_load(path)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, struct.error) as e:
        raise CompareError(f'cannot read {path} as safetensors: {type(e).__name__}: {e}') from e


def compare_dir(committed_dir, fresh_dir, compare_one, stats, out):
    """Every *.safetensors in either directory must be in both and match; prints problems, returns their count."""
    committed, fresh = _listing(committed_dir), _listing(fresh_dir)
    bad = 0
    for f in sorted(set(fresh) - set(committed)):
        print(f'new file (not committed): {os.path.join(committed_dir, f)}', file=out)
        bad += 1
    for f in sorted(set(committed) - set(fresh)):
        print(f'committed file no longer generated: {os.path.join(committed_dir, f)}', file=out)
        bad += 1
    for f in sorted(set(committed) & set(fresh)):
        path = os.path.join(committed_dir, f)
        with open(path, 'rb') as fh:
            cb = fh.read()
        with open(os.path.join(fresh_dir, f), 'rb') as fh:
            fb = fh.read()
        stats.where = f
        try:
            loaded = [_load(p) for p in (path, os.path.join(fresh_dir, f))]
            problems = compare_one(f, loaded[0], loaded[1], stats)
        except CompareError as e:
            problems = [str(e)]
        if problems:
            print(f'differs: {path}', file=out)
            for p in problems:
                print(f'  {p}', file=out)
            stats.files['different'] += 1
            bad += 1
        else:
            stats.files['identical' if cb == fb else 'within tolerance'] += 1
    return bad


def compare_case(fname, committed, fresh, tols, stats):
    (ct, cm), (ft, fm) = committed, fresh
    kind = cm.get('kind')
    if kind not in CASE_KINDS:
        return [f'unknown case kind {kind!r} (known: {", ".join(CASE_KINDS)}); add it to parity/compare_fixtures.py']
    out = ct.get('expected.out')
    out_peak = float(np.abs(out[np.isfinite(out)]).max()) if out is not None and out.dtype.kind == 'f' and np.isfinite(out).any() else 0.0
    problems = compare_case_metadata(dict(cm), dict(fm), tols, stats, out_peak)
    scale_refs = json.loads(cm.get('spec') or '{}').get('scaleRef') or {}
    return problems + compare_tensors(fname, ct, ft, lambda n, dt: case_rule(kind, n, dt, tols, scale_refs), stats)


def compare_whole_run(fname, committed, fresh, tols, stats):
    (ct, cm), (ft, fm) = committed, fresh
    if fname == 'start.safetensors':
        return _exact_metadata(cm, fm) + compare_tensors(fname, ct, ft, lambda n, dt: EXACT, stats)
    m = re.fullmatch(r'(.+)\.(final|expected)\.safetensors', fname)
    if m is None:
        return [f'no comparison rule for whole-run file {fname}; add one in parity/compare_fixtures.py']
    model, part = m.groups()
    bounds = tols['wholeRun'].get(model)
    if bounds is None:
        return [f'no "wholeRun.{model}" bounds in the tolerances (models there: {", ".join(sorted(tols["wholeRun"]))})']
    if part == 'final':
        rule = ('close', f'wholeRun.{model}.weights', bounds['weights'], 0.0, 0.0, 0.0)
        return _exact_metadata(cm, fm) + compare_tensors(fname, ct, ft, lambda n, dt: None if np.issubdtype(dt, np.integer) else rule, stats)

    def expected_rule(name, dtype):
        if name == 'losses':
            return ('close', f'wholeRun.{model}.lossRtol', 0.0, bounds['lossRtol'], 0.0, 0.0)
        if name == 'test_pred':
            return ('differing', f'wholeRun.{model}.predictionsDiffering', bounds['predictionsDiffering'])
        return None
    problems = _exact_metadata(cm, fm, skip=('test_acc', 'test_correct'))
    problems += _compare_accuracy(model, cm, fm, bounds['accuracy'], stats)
    return problems + compare_tensors(fname, ct, ft, expected_rule, stats)


def _exact_metadata(committed, fresh, skip=()):
    problems = []
    for k in sorted(set(committed) | set(fresh)):
        if k in skip:
            continue
        if k not in fresh or k not in committed or committed[k] != fresh[k]:
            problems.append(f'metadata "{k}" changed: committed {committed.get(k)!r}, fresh {fresh.get(k)!r}')
    return problems


def _compare_accuracy(model, committed, fresh, bound, stats):
    """test_correct and test_acc: within `bound` (a fraction of test_total) of the committed ones."""
    try:
        total = int(committed['test_total'])
        cc, fc = int(committed['test_correct']), int(fresh['test_correct'])
        ca, fa = float(committed['test_acc']), float(fresh['test_acc'])
    except (KeyError, ValueError) as e:
        return [f'metadata test_total/test_correct/test_acc missing or not numbers ({e}): committed {committed}, fresh {fresh}']
    problems = []
    stats.note(f'wholeRun.{model}.accuracy', 'test_correct', abs(fc - cc) / (bound * total) if bound else (0.0 if fc == cc else math.inf))
    if abs(fc - cc) > bound * total:
        problems.append(f'metadata test_correct: committed {cc}, fresh {fc} of {total}; allowed ±{bound * total:g} (accuracy {bound:g})')
    if abs(fa - ca) > bound + 1e-12:  # 1e-12: the decimal strings of two fractions of test_total
        problems.append(f'metadata test_acc: committed {ca}, fresh {fa}; allowed ±{bound:g}')
    return problems


def main(argv=None, out=sys.stdout):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.error = lambda msg: (print(f'compare_fixtures: {msg}', file=sys.stderr), sys.exit(1))  # 2 means "no torch" to CI
    ap.add_argument('--tolerances', required=True, help='parity/tolerances.json')
    ap.add_argument('--cases', nargs=2, metavar=('COMMITTED', 'FRESH'), help='generate.py output directories')
    ap.add_argument('--whole-run', nargs=2, metavar=('COMMITTED', 'FRESH'), help='whole_run.py fixtures directories')
    args = ap.parse_args(argv)
    if not args.cases and not args.whole_run:
        ap.error('give --cases and/or --whole-run')
    try:
        tols = load_tolerances(args.tolerances)
    except CompareError as e:
        print(f'compare_fixtures: {e}', file=out)
        return 1
    bad = 0
    stats = Stats()
    for pair, fn in ((args.cases, compare_case), (args.whole_run, compare_whole_run)):
        if pair:
            for d in pair:
                if not os.path.isdir(d):
                    print(f'compare_fixtures: {d} is not a directory', file=out)
                    return 1
            bad += compare_dir(pair[0], pair[1], lambda f, c, fr, s, fn=fn: fn(f, c, fr, tols, s), stats, out)
    n = stats.files
    print(f'compare_fixtures: {n["identical"]} files identical, {n["within tolerance"]} within tolerance, '
          f'{bad} different (or added/removed)', file=out)
    for label in sorted(stats.worst):
        ratio, where = stats.worst[label]
        print(f'  {label:<48} worst error/allowed {ratio:.3g}  ({where})', file=out)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
