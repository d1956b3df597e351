#!/usr/bin/python3
"""Self-test of compare_fixtures.py on synthetic fixtures (the committed ones are not needed).

Within-tolerance float differences must pass; each kind of real change must fail, naming the file, the
tensor, the worst element, both values and the allowed difference.

Usage: /usr/bin/python3 parity/test_compare_fixtures.py [-v]      (needs numpy only)
"""

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_fixtures as cf  # noqa: E402
from safetensors_np import st_load, st_save  # noqa: E402

# Round numbers, so each test can state the exact allowed difference; the real file is checked separately.
TOLERANCES = {
    'value': {'rtol': 1e-3, 'scale': 1e-3},
    'gradient': {'rtol': 1e-2, 'scale': 1e-2},
    'wholeRun': {'softmax-regression': {'weights': 1e-4, 'lossRtol': 1e-4, 'predictionsDiffering': 2, 'accuracy': 0.001}},
}


def f32(*values):
    return np.array(values, np.float32)


def case_meta(stem, kind, spec=None):
    return {'case': stem, 'kind': kind, 'op': 'add', 'args': '["$a", "$b"]', 'spec': json.dumps(spec or {}, sort_keys=True),
            'torch': 'torch.add(a, b)', 'seed': '5'}


STATS_SPEC = {'dist': 'normal', 'mean': 0.0, 'std': 1.0, 'shape': [400, 500], 'target': '$t',
              'torchSample': {'mean': 0.00123456, 'std': 1.00012, 'min': -4.61234, 'max': 4.71234}}


def committed_cases():
    """One case per kind that carries tensors, plus a stats case (its spec holds torch's sample statistics)."""
    return {
        'add.3': ({'input.a': f32(1, 2, 3), 'input.b': f32(4, 5, 6), 'grad_out': f32(0.5, -1, 2),
                   'expected.out': f32(100.0, 1e-6, -50.0), 'expected.grad.a': f32(0.5, -1, 2)}, case_meta('add.3', 'fn')),
        'argmax.3': ({'input.x': f32(1, 3, 2), 'expected.out': np.array(1, np.int32)}, case_meta('argmax.3', 'fn')),
        'logSoftmax.neginf': ({'input.x': f32(-np.inf, 1, 2), 'grad_out': f32(1, 1, 1),
                               'expected.out': f32(-np.inf, -1.3132616, -0.31326166),
                               'expected.grad.x': f32(np.nan, 0.5, 0.25)}, case_meta('logSoftmax.neginf', 'fn')),
        'nn.Linear.2x2': ({'input.x': f32(1, 2), 'param.weight': f32(0.5, 0.25), 'grad_out': f32(1, 1),
                           'expected.out': f32(2.0, 3.0), 'expected.grad.param.weight': f32(1.0, 2.0)},
                          case_meta('nn.Linear.2x2', 'module')),
        'optim.SGD.lr': ({'param.0': f32(1, 2), 'grad.s1.0': f32(0.1, 0.2), 'expected.s1.0': f32(0.99, 1.98)},
                         case_meta('optim.SGD.lr', 'optim')),
        'train.sgd': ({'input.x': f32(1, 2), 'input.y': np.array([0, 1], np.int32), 'param.weight': f32(0.5, 0.25),
                       'expected.s1.loss': np.array(0.7, np.float32), 'expected.s1.param.weight': f32(0.49, 0.26)},
                      case_meta('train.sgd', 'train')),
        'randn.400x500': ({}, case_meta('randn.400x500', 'stats', STATS_SPEC)),
    }


def committed_whole_run():
    order = np.array([3, 0, 2, 1], np.int32)
    pred = np.arange(10, dtype=np.int32) % 3
    meta = {'model': 'softmax-regression', 'test_correct': '7000', 'test_total': '10000', 'test_acc': '0.7', 'torch': '1.13.0a0'}
    return {
        'start': ({'order': order, 'softmax-regression/1.weight': f32(0.01, -0.02)}, {'seed': '5'}),
        'softmax-regression.final': ({'1.weight': f32(0.5, -0.25), '1.bias': f32(0.125)}, {'format': 'pt', 'model': 'softmax-regression'}),
        'softmax-regression.expected': ({'losses': f32(2.3, 1.0, 0.5), 'test_pred': pred}, meta),
    }


def write(directory, files):
    os.makedirs(directory, exist_ok=True)
    for stem, (tensors, meta) in files.items():
        st_save(os.path.join(directory, stem + '.safetensors'), tensors, meta)


class CompareFixturesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='compare-fixtures-test-')
        self.tol_path = os.path.join(self.tmp, 'tolerances.json')
        with open(self.tol_path, 'w', encoding='utf-8') as fh:
            json.dump(TOLERANCES, fh)
        self.committed = {'cases': committed_cases(), 'whole-run': committed_whole_run()}
        for sub, files in self.committed.items():
            write(os.path.join(self.tmp, 'committed', sub), files)
            write(os.path.join(self.tmp, 'fresh', sub), files)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def start_again(self):
        """Fresh synthetic directories (for a test that checks several changes one at a time)."""
        self.tearDown()
        self.setUp()

    def fresh(self, sub, stem):
        return os.path.join(self.tmp, 'fresh', sub, stem + '.safetensors')

    def change(self, sub, stem, tensor=None, value=None, index=None, meta=None, drop=None):
        """Rewrites one regenerated file: a tensor (or one of its elements), a metadata key, or drops a tensor."""
        tensors, m = st_load(self.fresh(sub, stem))
        tensors = {k: np.array(v) for k, v in tensors.items()}
        if tensor is not None and index is not None:
            tensors[tensor].reshape(-1)[index] = value
        elif tensor is not None:
            tensors[tensor] = value
        if drop is not None:
            del tensors[drop]
        m.update(meta or {})
        st_save(self.fresh(sub, stem), tensors, m)

    def run_compare(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cf.main(['--tolerances', self.tol_path,
                            '--cases', os.path.join(self.tmp, 'committed', 'cases'), os.path.join(self.tmp, 'fresh', 'cases'),
                            '--whole-run', os.path.join(self.tmp, 'committed', 'whole-run'), os.path.join(self.tmp, 'fresh', 'whole-run')])
        return code, out.getvalue()

    def assert_passes(self):
        code, out = self.run_compare()
        self.assertEqual(code, 0, out)
        return out

    def assert_fails(self, *fragments):
        code, out = self.run_compare()
        self.assertEqual(code, 1, out)
        for f in fragments:
            self.assertIn(f, out)
        return out

    # --- what must pass

    def test_identical_regeneration_passes(self):
        out = self.assert_passes()
        self.assertIn('7 cases: 7 identical bytes, 0 within tolerance', out)

    def test_value_within_rtol_plus_scale_passes_and_just_beyond_fails(self):
        # expected.out = [100, 1e-6, -50]: element 1 is allowed 1e-3·1e-6 + 1e-3·100 ≈ 0.1 (the scale term)
        self.change('cases', 'add.3', 'expected.out', np.float32(0.099), index=1)
        out = self.assert_passes()
        self.assertIn('1 within tolerance', out)
        self.change('cases', 'add.3', 'expected.out', np.float32(0.101), index=1)
        self.assert_fails('add.3.safetensors expected.out', '1 of 3 elements outside the value tolerance',
                          'worst at [1]: committed 9.99999997e-07, regenerated 0.101000004', 'allowed 0.100000001')

    def test_rtol_term_scales_with_the_element(self):
        # element 0 (100): allowed 1e-3·100 + 1e-3·100 = 0.2
        self.change('cases', 'add.3', 'expected.out', np.float32(100.19), index=0)
        self.assert_passes()
        self.change('cases', 'add.3', 'expected.out', np.float32(100.21), index=0)
        self.assert_fails('expected.out', 'worst at [0]: committed 100, regenerated 100.209999', 'allowed 0.2')

    def test_gradients_get_the_gradient_tolerance(self):
        # 0.5 ± 0.02: beyond the value tolerance (0.0025), within the gradient one (0.005 + 0.02)
        self.change('cases', 'add.3', 'expected.grad.a', np.float32(0.52), index=0)
        self.assert_passes()
        self.change('cases', 'add.3', 'expected.out', np.float32(-50.2), index=2)  # value: allowed 0.05 + 0.1
        self.assert_fails('expected.out', 'value tolerance')

    def test_module_parameter_gradients_get_the_gradient_tolerance(self):
        self.change('cases', 'nn.Linear.2x2', 'expected.grad.param.weight', np.float32(2.03), index=1)  # allowed 0.04
        self.assert_passes()
        self.change('cases', 'nn.Linear.2x2', 'expected.grad.param.weight', np.float32(2.05), index=1)
        self.assert_fails('expected.grad.param.weight', 'gradient tolerance')

    def test_optimiser_steps_from_given_gradients_get_the_value_tolerance(self):
        self.change('cases', 'optim.SGD.lr', 'expected.s1.0', np.float32(1.983), index=1)  # allowed ~0.00396
        self.assert_passes()
        self.change('cases', 'optim.SGD.lr', 'expected.s1.0', np.float32(1.99), index=1)
        self.assert_fails('optim.SGD.lr.safetensors expected.s1.0', 'value tolerance')

    def test_training_runs_get_the_gradient_tolerance(self):
        self.change('cases', 'train.sgd', 'expected.s1.param.weight', np.float32(0.265), index=1)
        self.change('cases', 'train.sgd', 'expected.s1.loss', np.array(0.71, np.float32))
        self.assert_passes()
        self.change('cases', 'train.sgd', 'expected.s1.loss', np.array(0.72, np.float32))  # allowed 0.014
        self.assert_fails('train.sgd.safetensors expected.s1.loss', 'gradient tolerance', 'allowed 0.0139999998')

    def test_infinities_and_nan_must_match_exactly(self):
        self.assert_passes()  # -inf meets -inf and NaN meets NaN
        self.change('cases', 'logSoftmax.neginf', 'expected.out', np.float32(-1e30), index=0)
        self.assert_fails('logSoftmax.neginf.safetensors expected.out', 'committed -inf, regenerated -1.00000002e+30',
                          'allowed 0 (±inf and NaN must match exactly)')

    def test_nan_must_meet_nan(self):
        self.change('cases', 'logSoftmax.neginf', 'expected.grad.x', np.float32(0.0), index=0)
        self.assert_fails('expected.grad.x', 'committed nan, regenerated 0')

    def test_an_infinity_does_not_widen_the_scale_term(self):
        # max|committed| is taken over the finite elements (2-ish), not +inf
        self.change('cases', 'logSoftmax.neginf', 'expected.out', np.float32(-0.3), index=2)
        self.assert_fails('expected.out', 'max|committed| 1.31326163')

    # --- what must fail

    def test_changed_inputs_fail_even_by_one_ulp(self):
        for tensor, stem in [('input.a', 'add.3'), ('grad_out', 'add.3'), ('param.weight', 'nn.Linear.2x2'),
                             ('param.0', 'optim.SGD.lr'), ('grad.s1.0', 'optim.SGD.lr'), ('input.y', 'train.sgd')]:
            with self.subTest(tensor=tensor):
                self.start_again()
                t, _ = st_load(self.fresh('cases', stem))
                x = np.array(t[tensor])
                flat = x.reshape(-1)
                flat[0] = np.nextafter(flat[0], np.float32(np.inf)) if x.dtype == np.float32 else flat[0] + 1
                self.change('cases', stem, tensor, x)
                self.assert_fails(f'{stem}.safetensors {tensor}', '1 of', 'an input must be identical', 'allowed difference 0')

    def test_integer_results_must_be_equal(self):
        self.change('cases', 'argmax.3', 'expected.out', np.array(2, np.int32))
        self.assert_fails('argmax.3.safetensors expected.out', 'committed 1, regenerated 2', 'allowed difference 0')

    def test_new_and_missing_files_fail(self):
        write(os.path.join(self.tmp, 'fresh', 'cases'), {'abs.5': ({'input.x': f32(1)}, case_meta('abs.5', 'fn'))})
        os.remove(self.fresh('cases', 'train.sgd'))
        self.assert_fails('abs.5.safetensors: new file', 'train.sgd.safetensors: committed file no longer generated')

    def test_new_missing_and_reshaped_tensors_fail(self):
        self.change('cases', 'add.3', 'expected.grad.b', f32(1, 2, 3))
        self.change('cases', 'nn.Linear.2x2', drop='expected.grad.param.weight')
        self.change('cases', 'train.sgd', 'expected.s1.param.weight', np.array([[0.49, 0.26]], np.float32))
        self.change('cases', 'optim.SGD.lr', 'expected.s1.0', np.array([0.99, 1.98], np.float64).astype(np.int32))
        self.assert_fails('new tensor expected.grad.b', 'tensor expected.grad.param.weight is no longer generated',
                          'expected.s1.param.weight: shape: committed [2], regenerated [1, 2]',
                          'expected.s1.0: dtype: committed float32, regenerated int32')

    def test_changed_metadata_fails(self):
        self.change('cases', 'add.3', meta={'args': '["$a", 2.5]'})
        self.change('cases', 'optim.SGD.lr', meta={'note': 'new'})
        self.assert_fails('add.3.safetensors: metadata "args" differ at character 7', 'new metadata "note"')

    def test_a_tensor_without_a_rule_fails(self):
        # in both files, with different values: stats cases carry no tensors, optim cases no loss
        for stem, name in [('randn.400x500', 'expected.out'), ('optim.SGD.lr', 'expected.s1.loss')]:
            tensors, meta = self.committed['cases'][stem]
            write(os.path.join(self.tmp, 'committed', 'cases'), {stem: (dict(tensors, **{name: f32(1)}), meta)})
            write(os.path.join(self.tmp, 'fresh', 'cases'), {stem: (dict(tensors, **{name: f32(1.0000001)}), meta)})
        self.assert_fails('randn.400x500.safetensors expected.out: no comparison rule', 'optim.SGD.lr.safetensors expected.s1.loss: no comparison rule')

    def test_stats_torch_sample_within_value_tolerance_passes_and_a_new_stream_fails(self):
        spec = json.loads(json.dumps(STATS_SPEC))
        spec['torchSample']['max'] = 4.71235  # the last printed digit: within 1e-3·4.7 + 1e-3·4.7
        self.change('cases', 'randn.400x500', meta={'spec': json.dumps(spec, sort_keys=True)})
        self.assert_passes()
        spec['torchSample']['mean'] = -0.0021  # another random stream: the mean moves by ~1/sqrt(n)
        spec['torchSample']['max'] = 4.5
        self.change('cases', 'randn.400x500', meta={'spec': json.dumps(spec, sort_keys=True)})
        self.assert_fails('randn.400x500.safetensors spec.torchSample [mean, std, min, max]', 'worst at [3]: committed 4.71234, regenerated 4.5')

    def test_stats_spec_outside_torch_sample_is_exact(self):
        spec = json.loads(json.dumps(STATS_SPEC))
        spec['std'] = 1.0000001
        self.change('cases', 'randn.400x500', meta={'spec': json.dumps(spec, sort_keys=True)})
        self.assert_fails('randn.400x500.safetensors: metadata "spec" differ')

    # --- whole runs

    def test_whole_run_weights_within_the_absolute_bound(self):
        self.change('whole-run', 'softmax-regression.final', '1.weight', np.float32(0.5 + 9e-5), index=0)
        self.assert_passes()
        self.change('whole-run', 'softmax-regression.final', '1.weight', np.float32(0.5 + 1.2e-4), index=0)
        self.assert_fails('softmax-regression.final.safetensors 1.weight', 'whole-run weights (softmax-regression) tolerance (atol 0.0001)',
                          'committed 0.5, regenerated 0.500119984')

    def test_whole_run_losses_within_loss_rtol(self):
        self.change('whole-run', 'softmax-regression.expected', 'losses', np.float32(2.3 * (1 + 0.9e-4)), index=0)
        self.assert_passes()
        self.change('whole-run', 'softmax-regression.expected', 'losses', np.float32(0.5 * (1 + 1.5e-4)), index=2)
        self.assert_fails('softmax-regression.expected.safetensors losses', 'worst at [2]: committed 0.5, regenerated 0.500074983')

    def test_whole_run_predictions_may_differ_up_to_the_bound(self):
        pred = np.arange(10, dtype=np.int32) % 3
        pred[[1, 4]] = 0
        self.change('whole-run', 'softmax-regression.expected', 'test_pred', pred.copy())
        self.assert_passes()
        pred[7] = 2
        self.change('whole-run', 'softmax-regression.expected', 'test_pred', pred)
        self.assert_fails('test_pred: 3 of 10 predicted classes differ, allowed 2; first: [1] 1→0')

    def test_whole_run_accuracy_within_the_bound(self):
        self.change('whole-run', 'softmax-regression.expected', meta={'test_correct': '7010', 'test_acc': '0.701'})
        self.assert_passes()
        self.change('whole-run', 'softmax-regression.expected', meta={'test_correct': '7011', 'test_acc': '0.7011'})
        self.assert_fails('metadata test_correct: committed 7000, regenerated 7011 of 10000, allowed difference 10',
                          'metadata test_acc: committed 0.7, regenerated 0.7011')

    def test_whole_run_other_metadata_is_exact(self):
        self.change('whole-run', 'softmax-regression.expected', meta={'torch': '2.0.0'})
        self.assert_fails('softmax-regression.expected.safetensors: metadata "torch"')

    def test_whole_run_start_is_exact(self):
        self.change('whole-run', 'start', 'order', np.array([3, 0, 1, 2], np.int32))
        self.assert_fails('start.safetensors order: 2 of 4 elements differ', 'the start of a run must be identical')
        self.start_again()
        self.change('whole-run', 'start', 'softmax-regression/1.weight', np.float32(np.nextafter(np.float32(0.01), np.float32(1))), index=0)
        self.assert_fails('start.safetensors softmax-regression/1.weight: 1 of 2 elements differ')

    def test_whole_run_model_without_bounds_fails(self):
        write(os.path.join(self.tmp, 'committed', 'whole-run'), {'mlp.final': ({'1.weight': f32(1)}, {})})
        write(os.path.join(self.tmp, 'fresh', 'whole-run'), {'mlp.final': ({'1.weight': f32(1.00001)}, {})})
        self.assert_fails('mlp.final.safetensors: no "wholeRun" tolerances for model "mlp"')

    # --- the tolerances file

    def test_missing_tolerance_sections_fail_loudly(self):
        for drop in ['value', 'gradient', 'wholeRun']:
            with self.subTest(drop=drop):
                with open(self.tol_path, 'w', encoding='utf-8') as fh:
                    json.dump({k: v for k, v in TOLERANCES.items() if k != drop}, fh)
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    code, out = self.run_compare()
                self.assertEqual(code, 1, out)
                self.assertIn(f'"{drop}"', err.getvalue())

    def test_the_committed_tolerances_file_has_every_section(self):
        tols = cf.load_tolerances(cf.DEFAULT_TOLERANCES)
        self.assertGreater(tols['value'].rtol, 0)
        self.assertGreater(tols['gradient'].rtol, tols['value'].rtol)
        self.assertEqual(sorted(tols['wholeRun']), ['mlp', 'softmax-regression'])


if __name__ == '__main__':
    unittest.main()
