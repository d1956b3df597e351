#!/usr/bin/python3
"""Compares a fresh regeneration of the parity fixtures with the committed ones (check-regenerate.sh).

PyTorch's float32 results differ in the last bits from one CPU to another (OpenBLAS and torch pick their
kernels by CPU), so what PyTorch computes is compared within the tolerances of parity/tolerances.json, the
ones the TypeScript parity tests use; everything else must be the same bytes:

  exact           inputs (``input.*``), initial parameters (``param.*``), ``grad_out``, given optimiser
                  gradients (``grad.s<k>.<i>``), the whole-run start (weights and ``order``), tensor names,
                  dtypes, shapes, every metadata string, integer results (argmax, eq)
  "value"         forward outputs (``expected.out``), optimiser parameters from given gradients
                  (``expected.s<k>.<i>``), the statistics of torch's own random sample in a ``stats``
                  case's spec (``torchSample``: torch's vectorised random transforms are chosen by CPU)
  "gradient"      backward results (``expected.grad.*``) and what follows from them: losses and
                  parameters of ``train`` cases (``expected.s<k>.loss``, ``expected.s<k>.param.*``)
  "wholeRun"      per model: final weights (absolute bound), per-batch losses (relative bound), the test
                  predictions (how many differ) and accuracy (metadata ``test_correct``/``test_acc``)

An element passes when |fresh - committed| <= rtol * |committed| + scale * max|committed| (+ an absolute
bound for whole-run weights), max over the tensor's finite elements; +-inf must match exactly and NaN must
meet NaN. A tensor without a rule is a failure, never a silent pass.

Usage: compare_fixtures.py [--tolerances FILE] [--cases COMMITTED FRESH] [--whole-run COMMITTED FRESH]
Exit 0 when everything is within tolerance, 1 otherwise (each problem printed: file, tensor, worst element,
both values, the allowed difference).
"""

import argparse
import json
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_np import st_load  # noqa: E402

DEFAULT_TOLERANCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tolerances.json')
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WHOLE_RUN_KEYS = ('weights', 'lossRtol', 'predictionsDiffering', 'accuracy')


class ConfigError(Exception):
    """tolerances.json lacks what the comparison needs."""


class Tolerance:
    """|fresh - committed| <= rtol * |committed| + scale * max|committed| + atol, element-wise."""

    def __init__(self, name, rtol=0.0, scale=0.0, atol=0.0):
        self.name, self.rtol, self.scale, self.atol = name, rtol, scale, atol

    def describe(self):
        parts = [f'{k} {v:g}' for k, v in (('rtol', self.rtol), ('scale', self.scale), ('atol', self.atol)) if v]
        return f'{self.name} tolerance ({", ".join(parts) or "exact"})'


def _number(section, key, where):
    v = section.get(key) if isinstance(section, dict) else None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        raise ConfigError(f'{where}: "{key}" must be a non-negative number, found {v!r}')
    return float(v)


def load_tolerances(path):
    """The "value", "gradient" and "wholeRun" sections of tolerances.json, validated."""
    with open(path, encoding='utf-8') as fh:
        raw = json.load(fh)
    out = {}
    for kind in ('value', 'gradient'):
        out[kind] = Tolerance(kind, rtol=_number(raw.get(kind), 'rtol', f'{path} "{kind}"'),
                              scale=_number(raw.get(kind), 'scale', f'{path} "{kind}"'))
    whole = raw.get('wholeRun')
    if not isinstance(whole, dict) or not whole:
        raise ConfigError(f'{path}: no "wholeRun" section (per model: {", ".join(WHOLE_RUN_KEYS)})')
    out['wholeRun'] = {m: {k: _number(b, k, f'{path} "wholeRun"."{m}"') for k in WHOLE_RUN_KEYS} for m, b in whole.items()}
    return out


# ---------------------------------------------------------------------------------------------------
# element-wise comparison

def _fmt(x):
    """A value readably and unambiguously for float32 (9 significant digits) or an integer."""
    if isinstance(x, (np.integer, int)):
        return str(int(x))
    return f'{float(x):.9g}'


def _index(flat, shape):
    return '[' + ', '.join(str(i) for i in np.unravel_index(flat, shape)) + ']' if shape else '[]'


class Report:
    """Collects problems and, per tolerance, the worst error/allowed ratio seen (for the summary)."""

    def __init__(self):
        self.problems = []
        self.worst = {}  # tolerance name -> (ratio, where)
        self.notes = []

    def fail(self, where, message):
        self.problems.append(f'{where}: {message}')

    def note_ratio(self, tol_name, ratio, where):
        if tol_name not in self.worst or ratio > self.worst[tol_name][0]:
            self.worst[tol_name] = (ratio, where)


def compare_float(report, where, committed, fresh, tol):
    """Within `tol`; ±inf must match exactly and NaN must meet NaN."""
    e = committed.astype(np.float64).reshape(-1)
    a = fresh.astype(np.float64).reshape(-1)
    finite = np.isfinite(e) & np.isfinite(a)
    same_special = (e == a) | (np.isnan(e) & np.isnan(a))
    scale_ref = float(np.max(np.abs(e[np.isfinite(e)]))) if np.isfinite(e).any() else 0.0
    allowed = tol.rtol * np.abs(e) + tol.scale * scale_ref + tol.atol
    with np.errstate(divide='ignore', invalid='ignore'):
        diff = np.where(finite, np.abs(a - e), 0.0)
        ratio = np.where(allowed > 0, diff / allowed, np.where(diff > 0, np.inf, 0.0))
    ratio = np.where(finite, ratio, np.where(same_special, 0.0, np.inf))
    bad = int(np.count_nonzero(ratio > 1))
    worst = int(np.argmax(ratio)) if ratio.size else 0
    worst_ratio = float(ratio[worst]) if ratio.size else 0.0
    report.note_ratio(tol.name, worst_ratio, f'{where} {_index(worst, committed.shape)}')
    if bad:
        allowed_s = _fmt(allowed[worst]) if finite[worst] else '0 (±inf and NaN must match exactly)'
        report.fail(where, f'{bad} of {e.size} elements outside the {tol.describe()}, max|committed| {_fmt(scale_ref)}; '
                           f'worst at {_index(worst, committed.shape)}: committed {_fmt(e[worst])}, regenerated {_fmt(a[worst])}, '
                           f'difference {_fmt(a[worst] - e[worst])}, allowed {allowed_s}')
    return worst_ratio


def compare_exact(report, where, committed, fresh, what='must be identical'):
    """Bit for bit; reports the element with the largest difference (the first one among equals)."""
    if committed.tobytes() == fresh.tobytes():
        return
    c = committed.reshape(-1)
    f = fresh.reshape(-1)
    bits = np.dtype(f'<u{committed.dtype.itemsize}')
    differs = c.view(bits) != f.view(bits)
    idx = np.flatnonzero(differs)
    with np.errstate(invalid='ignore'):
        d = np.abs(c[idx].astype(np.float64) - f[idx].astype(np.float64))
    d = np.where(np.isnan(d), np.inf, d)
    worst = int(idx[int(np.argmax(d))])
    report.fail(where, f'{idx.size} of {c.size} elements differ ({what}); worst at {_index(worst, committed.shape)}: '
                       f'committed {_fmt(c[worst])}, regenerated {_fmt(f[worst])}, allowed difference 0')


# ---------------------------------------------------------------------------------------------------
# which rule applies to which tensor

EXACT_PREFIXES = ('input.', 'param.', 'grad.s')


def case_rule(kind, name):
    """'exact', 'value' or 'gradient' for a tensor of a case file, as the TypeScript side compares it."""
    if name == 'grad_out' or name.startswith(EXACT_PREFIXES):
        return 'exact'
    if kind in ('fn', 'module'):
        if name == 'expected.out':
            return 'value'
        if name.startswith('expected.grad.'):
            return 'gradient'
    if kind == 'optim' and re.fullmatch(r'expected\.s\d+\.\d+', name):
        return 'value'
    if kind == 'train' and re.fullmatch(r'expected\.s\d+\.(loss|param\..+)', name):
        return 'gradient'
    return None


def _header_checks(report, where, committed, fresh):
    """Tensor names, dtypes and shapes; returns the names present in both with the same dtype and shape."""
    for name in sorted(set(fresh) - set(committed)):
        report.fail(where, f'new tensor {name} (not in the committed file)')
    for name in sorted(set(committed) - set(fresh)):
        report.fail(where, f'tensor {name} is no longer generated')
    names = []
    for name in sorted(set(committed) & set(fresh)):
        c, f = committed[name], fresh[name]
        if c.dtype != f.dtype:
            report.fail(f'{where} {name}', f'dtype: committed {c.dtype}, regenerated {f.dtype}')
        elif c.shape != f.shape:
            report.fail(f'{where} {name}', f'shape: committed {list(c.shape)}, regenerated {list(f.shape)}')
        else:
            names.append(name)
    return names


def _string_diff(a, b):
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    lo = max(0, i - 40)
    return f'differ at character {i}: committed …{a[lo:i + 40]!r}…, regenerated …{b[lo:i + 40]!r}…'


def compare_metadata(report, where, committed, fresh, skip=()):
    """Every metadata string must be identical, except the keys in `skip` (compared by their own rule)."""
    for key in sorted(set(committed) | set(fresh)):
        if key in skip:
            continue
        if key not in fresh:
            report.fail(where, f'metadata "{key}" is no longer written')
        elif key not in committed:
            report.fail(where, f'new metadata "{key}" = {fresh[key]!r}')
        elif committed[key] != fresh[key]:
            report.fail(where, f'metadata "{key}" {_string_diff(committed[key], fresh[key])}')


STATS_SAMPLE_KEYS = ('mean', 'std', 'min', 'max')


def _canonical(obj):
    return json.dumps(obj, sort_keys=True, allow_nan=False)


def compare_case_metadata(report, where, committed, fresh, tols):
    """A stats case's spec.torchSample (torch's own sample statistics) within the value tolerance; all else exact."""
    if committed.get('kind') != 'stats' or fresh.get('kind') != 'stats' or 'spec' not in committed or 'spec' not in fresh:
        compare_metadata(report, where, committed, fresh)
        return
    compare_metadata(report, where, committed, fresh, skip=('spec',))
    try:
        cs, fs = json.loads(committed['spec']), json.loads(fresh['spec'])
    except ValueError as err:
        report.fail(where, f'metadata "spec" is not JSON ({err})')
        return
    # the rest of the spec byte for byte: generate.py writes it as json.dumps(sort_keys=True)
    canonical = _canonical(cs) == committed['spec'] and _canonical(fs) == fresh['spec']
    c_sample, f_sample = cs.pop('torchSample', None), fs.pop('torchSample', None)
    readable = all(isinstance(s, dict) and set(s) == set(STATS_SAMPLE_KEYS)
                   and all(isinstance(v, (int, float)) for v in s.values()) for s in (c_sample, f_sample))
    if not canonical or not readable or _canonical(cs) != _canonical(fs):
        compare_metadata(report, where, {'spec': committed['spec']}, {'spec': fresh['spec']})
        return
    c_vals = np.array([c_sample[k] for k in STATS_SAMPLE_KEYS], np.float64)
    f_vals = np.array([f_sample[k] for k in STATS_SAMPLE_KEYS], np.float64)
    compare_float(report, f'{where} spec.torchSample [{", ".join(STATS_SAMPLE_KEYS)}]', c_vals, f_vals, tols['value'])


def compare_case(report, where, fname, committed_path, fresh_path, tols):
    ct, cm = st_load(committed_path)
    ft, fm = st_load(fresh_path)
    compare_case_metadata(report, where, cm, fm, tols)
    kind = cm.get('kind', '')
    for name in _header_checks(report, where, ct, ft):
        rule = case_rule(kind, name)
        if rule is None:
            report.fail(f'{where} {name}', f'no comparison rule for this tensor of a "{kind}" case (compare_fixtures.case_rule)')
        elif rule == 'exact' or ct[name].dtype.kind != 'f':
            compare_exact(report, f'{where} {name}', ct[name], ft[name],
                          'an input must be identical' if rule == 'exact' else 'an integer result must be identical')
        else:
            compare_float(report, f'{where} {name}', ct[name], ft[name], tols[rule])


# ---------------------------------------------------------------------------------------------------
# whole-run fixtures

def _model_bounds(report, where, tols, model):
    bounds = tols['wholeRun'].get(model)
    if bounds is None:
        report.fail(where, f'no "wholeRun" tolerances for model "{model}" in tolerances.json')
    return bounds


def compare_whole_run_file(report, where, fname, committed_path, fresh_path, tols):
    ct, cm = st_load(committed_path)
    ft, fm = st_load(fresh_path)
    if fname == 'start.safetensors':
        compare_metadata(report, where, cm, fm)
        for name in _header_checks(report, where, ct, ft):
            compare_exact(report, f'{where} {name}', ct[name], ft[name], 'the start of a run must be identical')
        return
    m = re.fullmatch(r'(.+)\.(final|expected)\.safetensors', fname)
    if m is None:
        report.fail(where, 'no comparison rule for this whole-run file (expected start, <model>.final or <model>.expected)')
        return
    model, part = m.groups()
    bounds = _model_bounds(report, where, tols, model)
    if bounds is None:
        return
    if part == 'final':
        compare_metadata(report, where, cm, fm)
        weights = Tolerance(f'whole-run weights ({model})', atol=bounds['weights'])
        for name in _header_checks(report, where, ct, ft):
            if ct[name].dtype.kind != 'f':
                compare_exact(report, f'{where} {name}', ct[name], ft[name])
            else:
                compare_float(report, f'{where} {name}', ct[name], ft[name], weights)
        return
    compare_metadata(report, where, cm, fm, skip=('test_correct', 'test_acc'))
    for name in _header_checks(report, where, ct, ft):
        if name == 'losses':
            compare_float(report, f'{where} losses', ct[name], ft[name], Tolerance(f'whole-run losses ({model})', rtol=bounds['lossRtol']))
        elif name == 'test_pred':
            compare_predictions(report, f'{where} test_pred', ct[name], ft[name], bounds['predictionsDiffering'], model)
        else:
            report.fail(f'{where} {name}', 'no comparison rule for this tensor of a whole-run result')
    compare_accuracy(report, where, cm, fm, bounds['accuracy'], model)


def compare_predictions(report, where, committed, fresh, max_differing, model):
    """Predicted classes go through BLAS: a near-tie may flip; at most `max_differing` may."""
    differ = np.flatnonzero(committed.reshape(-1) != fresh.reshape(-1))
    report.notes.append(f'{model}: {differ.size} of {committed.size} test predictions differ (allowed {max_differing:g})')
    if differ.size > max_differing:
        first = ', '.join(f'[{i}] {committed.reshape(-1)[i]}→{fresh.reshape(-1)[i]}' for i in differ[:5])
        report.fail(where, f'{differ.size} of {committed.size} predicted classes differ, allowed {max_differing:g}; first: {first}')


def compare_accuracy(report, where, cm, fm, bound, model):
    """test_correct and test_acc within `bound` (a fraction of test_total, which must be identical)."""
    try:
        total = int(cm['test_total'])
        cc, fc = int(cm['test_correct']), int(fm['test_correct'])
        ca, fa = float(cm['test_acc']), float(fm['test_acc'])
    except (KeyError, ValueError) as err:
        report.fail(where, f'metadata test_total/test_correct/test_acc missing or not a number ({err!r})')
        return
    report.notes.append(f'{model}: test accuracy committed {ca:.4f}, regenerated {fa:.4f} (allowed ±{bound:g})')
    # (the 1e-9 / 1e-12 absorb the binary rounding of bound * total and of the accuracies themselves)
    if abs(fc - cc) > bound * total + 1e-9:
        report.fail(where, f'metadata test_correct: committed {cc}, regenerated {fc} of {total}, allowed difference {bound * total:g}')
    if not abs(fa - ca) <= bound + 1e-12:
        report.fail(where, f'metadata test_acc: committed {cm["test_acc"]}, regenerated {fm["test_acc"]}, allowed difference {bound:g}')


# ---------------------------------------------------------------------------------------------------

def _safetensors(directory):
    return sorted(f for f in os.listdir(directory) if f.endswith('.safetensors'))


def _display(path):
    """A committed file's path relative to the repository (parity/cases/…) when it is inside it."""
    rel = os.path.relpath(os.path.abspath(path), REPO)
    return path if rel.startswith('..') else rel


def compare_dirs(report, committed_dir, fresh_dir, compare_file, tols):
    """Every *.safetensors in either directory must be in both; identical bytes pass without a closer look."""
    committed, fresh = _safetensors(committed_dir), _safetensors(fresh_dir)
    for f in sorted(set(fresh) - set(committed)):
        report.fail(_display(os.path.join(committed_dir, f)), 'new file (generated, not committed)')
    for f in sorted(set(committed) - set(fresh)):
        report.fail(_display(os.path.join(committed_dir, f)), 'committed file no longer generated')
    identical = within = 0
    for f in sorted(set(committed) & set(fresh)):
        cp, fp = os.path.join(committed_dir, f), os.path.join(fresh_dir, f)
        with open(cp, 'rb') as a, open(fp, 'rb') as b:
            if a.read() == b.read():
                identical += 1
                continue
        before = len(report.problems)
        try:
            compare_file(report, _display(cp), f, cp, fp, tols)
        except (ValueError, TypeError, KeyError, OSError) as err:
            report.fail(_display(cp), f'cannot be read and compared: {err!r}')
        within += len(report.problems) == before
    return len(committed), identical, within


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tolerances', default=DEFAULT_TOLERANCES)
    ap.add_argument('--cases', nargs=2, metavar=('COMMITTED', 'FRESH'))
    ap.add_argument('--whole-run', nargs=2, metavar=('COMMITTED', 'FRESH'))
    args = ap.parse_args(argv)
    if not args.cases and not args.whole_run:
        ap.error('nothing to compare: give --cases and/or --whole-run')
    try:
        tols = load_tolerances(args.tolerances)
    except (ConfigError, OSError, ValueError) as err:
        print(f'compare_fixtures: {err}', file=sys.stderr)
        return 1
    report = Report()
    lines = []
    if args.cases:
        n, same, within = compare_dirs(report, *args.cases, compare_case, tols)
        lines.append(f'{n} cases: {same} identical bytes, {within} within tolerance')
    if args.whole_run:
        n, same, within = compare_dirs(report, *args.whole_run, compare_whole_run_file, tols)
        lines.append(f'{n} whole-run fixtures: {same} identical bytes, {within} within tolerance')
    for p in report.problems:
        print(p)
    print(f'compare_fixtures: {"; ".join(lines)}{f"; {len(report.problems)} problems" if report.problems else ""}')
    for name, (ratio, where) in sorted(report.worst.items()):
        print(f'  {name:<36} worst error/allowed {ratio:.3g} ({where})')
    for note in report.notes:
        print(f'  {note}')
    return 1 if report.problems else 0


if __name__ == '__main__':
    sys.exit(main())
