#!/usr/bin/python3
"""Self-test of compare_fixtures.py on synthetic fixtures (no torch, no committed fixtures needed).

Within-tolerance float differences must pass; every kind of real change must fail and be named.
Run: /usr/bin/python3 parity/test_compare_fixtures.py   (numpy only)
"""

import contextlib
import copy
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
from safetensors_np import st_save  # noqa: E402

# the numbers of the synthetic tolerance file; expected outcomes below are worked out from them by hand
TOLS = {
    'value': {'rtol': 1e-5, 'scale': 1e-5},
    'gradient': {'rtol': 1e-4, 'scale': 1e-4},
    'wholeRun': {'comment': 'skipped by the reader', 'net': {'weights': 1e-4, 'lossRtol': 1e-4, 'predictionsDiffering': 2, 'accuracy': 0.001}},
}

F = np.float32


def meta(case, kind, spec=None):
    return {'case': case, 'kind': kind, 'op': 'add', 'args': '["$a", "$b"]', 'spec': json.dumps(spec or {}, sort_keys=True),
            'torch': 'torch.add(a, b)', 'seed': '5'}


def fixtures():
    """{dir: {file: (tensors, metadata)}} for a small committed set of every kind that has tensors."""
    out4 = np.array([[1, 2], [4, -8]], F)  # max|E| = 8: allowed at 1.0 is 9e-5 (value), 9e-4 (gradient)
    cases = {
        'add.2x2.safetensors': ({'input.a': np.ones((2, 2), F), 'input.b': out4 - 1, 'grad_out': np.full((2, 2), 0.5, F),
                                 'expected.out': out4.copy(), 'expected.grad.a': out4.copy()}, meta('add.2x2', 'fn')),
        'argmax.4.safetensors': ({'input.x': out4.reshape(-1).copy(), 'expected.out': np.array(2, np.int32)}, meta('argmax.4', 'fn')),
        'softmax.neginf.safetensors': ({'input.x': np.array([0, -np.inf, 1], F), 'expected.out': np.array([0.25, -np.inf, 1e30], F)},
                                       meta('softmax.neginf', 'fn')),
        'optim.SGD.lr.safetensors': ({'param.0': np.ones(2, F), 'grad.s1.0': np.full(2, 0.5, F), 'expected.s1.0': np.array([1, -8], F)},
                                     meta('optim.SGD.lr', 'optim')),
        'train.net.sgd.safetensors': ({'input.x': np.ones((1, 2), F), 'input.y': np.zeros(1, np.int32), 'param.0.weight': np.ones((2, 2), F),
                                       'expected.s1.loss': np.array(1.0, F), 'expected.s1.param.0.weight': out4.copy()},
                                      meta('train.net.sgd', 'train')),
        'randn.400x500.safetensors': ({}, meta('randn.400x500', 'stats', {'dist': 'normal', 'mean': 0.0, 'std': 1.0,
                                                                          'torchSample': {'max': 4.52332, 'mean': -0.00112422, 'min': -4.29109, 'std': 1.00367}})),
    }
    whole = {
        'start.safetensors': ({'order': np.arange(10, dtype=np.int32)[::-1].copy(), 'net/1.weight': np.full((2, 3), 0.01, F)}, {'seed': '5'}),
        'net.final.safetensors': ({'1.weight': np.array([[0.5, -0.25, 2]], F), '1.bias': np.array([0.1], F)}, {'model': 'net', 'format': 'pt'}),
        'net.expected.safetensors': ({'losses': np.array([2.0, 1.0, 0.5], F), 'test_pred': np.arange(1000, dtype=np.int32) % 10},
                                     {'model': 'net', 'test_acc': '0.5', 'test_correct': '500', 'test_total': '1000', 'torch': '1.13.0a0'}),
    }
    return {'cases': cases, 'whole-run': whole}


class CompareFixtures(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='compare-fixtures-')
        self.tols_path = os.path.join(self.tmp, 'tolerances.json')
        with open(self.tols_path, 'w') as fh:
            json.dump(TOLS, fh)
        self.committed = fixtures()
        self.fresh = copy.deepcopy(self.committed)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_compare(self, tols_path=None):
        """Writes both sets and runs the comparator; returns (exit code, printed text)."""
        for side, sets in (('committed', self.committed), ('fresh', self.fresh)):
            for d, files in sets.items():
                path = os.path.join(self.tmp, side, d)
                shutil.rmtree(path, ignore_errors=True)
                os.makedirs(path)
                for name, (tensors, m) in files.items():
                    st_save(os.path.join(path, name), tensors, m)
        out = io.StringIO()
        c, f = os.path.join(self.tmp, 'committed'), os.path.join(self.tmp, 'fresh')
        code = cf.main(['--tolerances', tols_path or self.tols_path, '--cases', f'{c}/cases', f'{f}/cases',
                        '--whole-run', f'{c}/whole-run', f'{f}/whole-run'], out=out)
        return code, out.getvalue()

    def tensor(self, d, file, name):
        return self.fresh[d][file][0][name]

    def assert_passes(self):
        code, text = self.run_compare()
        self.assertEqual(code, 0, text)
        self.assertIn('0 different', text)
        return text

    def assert_fails(self, *needles):
        code, text = self.run_compare()
        self.assertEqual(code, 1, text)
        for n in needles:
            self.assertIn(n, text)
        return text

    # --- what passes

    def test_identical_sets_pass(self):
        text = self.assert_passes()
        self.assertIn('9 files identical, 0 within tolerance', text)

    def test_float_differences_within_tolerance_pass(self):
        self.tensor('cases', 'add.2x2.safetensors', 'expected.out')[0, 0] = F(1 + 8e-5)         # value: allowed 9e-5 at 1.0
        self.tensor('cases', 'add.2x2.safetensors', 'expected.grad.a')[0, 0] = F(1 + 8e-4)      # gradient: 9e-4
        self.tensor('cases', 'optim.SGD.lr.safetensors', 'expected.s1.0')[0] = F(1 + 8e-5)      # value
        self.tensor('cases', 'train.net.sgd.safetensors', 'expected.s1.loss')[()] = F(1 + 1.5e-4)  # gradient: 2e-4 for a 0-d tensor
        self.tensor('whole-run', 'net.final.safetensors', '1.weight')[0, 2] = F(2 + 9e-5)       # weights: 1e-4 absolute
        self.tensor('whole-run', 'net.expected.safetensors', 'losses')[0] = F(2 + 1.9e-4)       # lossRtol 1e-4 · 2
        pred = self.tensor('whole-run', 'net.expected.safetensors', 'test_pred')
        pred[[3, 7]] = 0                                                                      # 2 differ, 2 allowed
        self.fresh['whole-run']['net.expected.safetensors'][1].update(test_correct='501', test_acc='0.501')  # 1 of 1000
        sample = json.loads(self.fresh['cases']['randn.400x500.safetensors'][1]['spec'])
        sample['torchSample']['mean'] = -0.00112423  # the last digit, as torch's non-AVX normal_ gives it
        self.fresh['cases']['randn.400x500.safetensors'][1]['spec'] = json.dumps(sample, sort_keys=True)
        text = self.assert_passes()
        self.assertIn('3 files identical, 6 within tolerance', text)

    def test_spec_scale_ref_widens_the_bound_of_its_tensor_only(self):
        # a result that is the small difference of larger terms: spec.scaleRef names the size of those terms
        for d in (self.committed, self.fresh):
            tensors, m = d['cases']['add.2x2.safetensors']
            d['cases']['add.2x2.safetensors'] = (tensors, meta('add.2x2', 'fn', {'scaleRef': {'expected.out': 100.0}}))
        self.tensor('cases', 'add.2x2.safetensors', 'expected.out')[0, 0] = F(1 + 8e-4)   # allowed 1e-5 + 1e-5 · 100
        self.assert_passes()
        self.tensor('cases', 'add.2x2.safetensors', 'expected.grad.a')[0, 0] = F(1 + 1e-3)  # no scaleRef: 1e-4 + 1e-4 · 8
        self.assert_fails('expected.grad.a: 1 of 4', 'gradient tolerance')

    def test_nan_meets_nan_and_inf_meets_inf(self):
        self.committed['cases']['softmax.neginf.safetensors'][0]['expected.out'][0] = np.nan
        self.tensor('cases', 'softmax.neginf.safetensors', 'expected.out')[0] = np.nan
        self.assert_passes()

    # --- what fails: changed values

    def test_value_beyond_tolerance_fails_naming_file_tensor_element_values_and_bound(self):
        self.tensor('cases', 'add.2x2.safetensors', 'expected.out')[0, 0] = F(1 + 1e-4)
        self.assert_fails('differs: ', 'add.2x2.safetensors', 'expected.out: 1 of 4 elements outside the value tolerance',
                          'worst at [0, 0]: committed 1, fresh 1.00010002', 'allowed 9e-05')

    def test_a_gradient_sized_difference_fails_a_value_but_not_a_gradient(self):
        self.tensor('cases', 'add.2x2.safetensors', 'expected.grad.a')[0, 0] = F(1 + 5e-4)
        self.assert_passes()
        self.tensor('cases', 'add.2x2.safetensors', 'expected.out')[0, 0] = F(1 + 5e-4)
        self.assert_fails('expected.out: 1 of 4', 'value tolerance')
        self.fresh = fixtures()
        self.tensor('cases', 'optim.SGD.lr.safetensors', 'expected.s1.0')[0] = F(1 + 5e-4)  # optimiser from given gradients: value
        self.assert_fails('optim.SGD.lr.safetensors', 'expected.s1.0', 'value tolerance')

    def test_gradient_beyond_tolerance_fails(self):
        self.tensor('cases', 'train.net.sgd.safetensors', 'expected.s1.param.0.weight')[1, 1] = F(-8 - 2e-3)  # allowed 8e-4 + 8e-4
        self.assert_fails('train.net.sgd.safetensors', 'expected.s1.param.0.weight', 'gradient tolerance', 'worst at [1, 1]',
                          'committed -8, fresh -8.00199986', 'allowed 0.0016')

    def test_inf_must_match_and_does_not_widen_the_bound(self):
        self.tensor('cases', 'softmax.neginf.safetensors', 'expected.out')[1] = F(-3e38)
        self.assert_fails('softmax.neginf.safetensors', 'expected.out: 1 of 3', 'committed -inf, fresh -3')
        self.fresh = fixtures()
        for d in (self.committed, self.fresh):
            d['cases']['softmax.neginf.safetensors'][0]['expected.out'][2] = F(1)
        self.tensor('cases', 'softmax.neginf.safetensors', 'expected.out')[0] = F(0.25 + 1e-3)
        # the scale is the largest finite |value| (1), not inf: 1e-3 is beyond 1e-5 · 0.25 + 1e-5 · 1
        self.assert_fails('expected.out: 1 of 3', 'worst at [0]: committed 0.25, fresh 0.250999987')

    def test_nan_against_a_number_fails(self):
        self.tensor('cases', 'add.2x2.safetensors', 'expected.grad.a')[1, 0] = np.nan
        self.assert_fails('expected.grad.a: 1 of 4', 'fresh nan')

    # --- what fails: things that must be identical

    def test_changed_inputs_fail_even_by_one_ulp(self):
        for file, name in [('add.2x2.safetensors', 'input.a'), ('add.2x2.safetensors', 'grad_out'), ('optim.SGD.lr.safetensors', 'param.0'),
                           ('optim.SGD.lr.safetensors', 'grad.s1.0'), ('train.net.sgd.safetensors', 'param.0.weight')]:
            with self.subTest(tensor=name):
                self.fresh = fixtures()
                t = self.tensor('cases', file, name)
                t.reshape(-1)[0] = np.nextafter(t.reshape(-1)[0], F(np.inf))
                self.assert_fails(file, f'{name}: must be identical, 1 of {t.size} elements differ; first at')

    def test_negative_zero_in_an_input_is_a_change(self):
        self.committed['cases']['add.2x2.safetensors'][0]['input.b'][0, 0] = F(0.0)
        self.tensor('cases', 'add.2x2.safetensors', 'input.b')[0, 0] = F(-0.0)
        self.assert_fails('input.b: must be identical')

    def test_changed_integer_results_fail(self):
        self.tensor('cases', 'argmax.4.safetensors', 'expected.out')[()] = 3
        self.assert_fails('argmax.4.safetensors', 'expected.out: must be identical', 'committed 2, fresh 3')
        self.fresh = fixtures()
        self.tensor('cases', 'train.net.sgd.safetensors', 'input.y')[0] = 1  # labels
        self.assert_fails('input.y: must be identical')

    def test_whole_run_start_and_order_must_be_identical(self):
        order = self.tensor('whole-run', 'start.safetensors', 'order')
        order[[0, 1]] = order[[1, 0]]
        self.assert_fails('start.safetensors', 'order: must be identical, 2 of 10 elements differ')
        self.fresh = fixtures()
        self.tensor('whole-run', 'start.safetensors', 'net/1.weight')[0, 0] = F(0.01 + 1e-9)
        self.assert_fails('net/1.weight: must be identical')

    def test_new_and_missing_files_fail(self):
        self.fresh['cases']['extra.safetensors'] = ({'input.x': np.ones(1, F)}, meta('extra', 'fn'))
        del self.fresh['whole-run']['net.final.safetensors']
        self.assert_fails('new file (not committed): ', 'cases/extra.safetensors',
                          'committed file no longer generated: ', 'whole-run/net.final.safetensors')

    def test_new_missing_reshaped_or_retyped_tensors_fail(self):
        t = self.fresh['cases']['add.2x2.safetensors'][0]
        t['expected.grad.b'] = np.ones((2, 2), F)
        del t['grad_out']
        t['expected.out'] = t['expected.out'].reshape(4)
        t['input.a'] = t['input.a'].astype(np.int32)
        self.assert_fails('expected.grad.b: new tensor', 'grad_out: no longer written', 'expected.out: committed float32 [2, 2], fresh float32 [4]',
                          'input.a: committed float32 [2, 2], fresh int32 [2, 2]')

    def test_changed_metadata_fails(self):
        for key, value in [('args', '["$a", 2.5]'), ('torch', 'torch.sub(a, b)'), ('seed', '6'), ('kind', 'module'),
                           ('spec', '{"grads": ["a"]}')]:
            with self.subTest(key=key):
                self.fresh = fixtures()
                self.fresh['cases']['add.2x2.safetensors'][1][key] = value
                self.assert_fails('add.2x2.safetensors', f'metadata "{key}" changed', value)
        self.fresh = fixtures()
        self.fresh['cases']['add.2x2.safetensors'][1]['note'] = 'x'
        self.assert_fails('new metadata "note"')
        self.fresh = fixtures()
        self.fresh['whole-run']['net.final.safetensors'][1]['format'] = 'np'
        self.assert_fails('net.final.safetensors', 'metadata "format" changed')
        self.fresh = fixtures()
        self.fresh['whole-run']['net.expected.safetensors'][1]['torch'] = '2.1.0'
        self.assert_fails('metadata "torch" changed')

    @staticmethod
    def resize_case(spec):
        x = np.array([[[[0.0, 1.0], [0.5, 0.25]]]], F)
        return ({'input.x': x, 'expected.out': np.array([[[[0.4375]]]], F)},
                meta('data.transforms.resize.1x1x2x2.to.1x1', 'transform', spec))

    def test_resize_antialias_difference_is_compared_at_the_scale_of_the_pixels(self):
        # torch's max|bilinear - antialiased| moves by an ulp of the pixels with other kernels (measured
        # without AVX2: 5.96e-8 -> 1.19e-7); allowed 1e-5·|committed| + 1e-5·max|expected.out| (0.4375)
        self.committed['cases']['resize.safetensors'] = self.resize_case({'antialiasMaxAbsDiff': 5.960464477539063e-08})
        self.fresh['cases']['resize.safetensors'] = self.resize_case({'antialiasMaxAbsDiff': 1.1920928955078125e-07})
        self.assert_passes()
        self.fresh['cases']['resize.safetensors'] = self.resize_case({'antialiasMaxAbsDiff': 0.0625})
        self.assert_fails('resize.safetensors', 'spec.antialiasMaxAbsDiff outside the value tolerance: committed 5.96046448e-08, '
                          'fresh 0.0625', 'allowed 4.38e-06')
        self.fresh['cases']['resize.safetensors'] = self.resize_case({'antialiasMaxAbsDiff': 5.960464477539063e-08, 'size': 1})
        self.assert_fails('resize.safetensors', 'metadata "spec" changed', '"size": 1')

    def test_stats_spec_changes_beyond_the_sample_statistics_fail(self):
        spec = json.loads(self.fresh['cases']['randn.400x500.safetensors'][1]['spec'])
        spec['std'] = 2.0
        self.fresh['cases']['randn.400x500.safetensors'][1]['spec'] = json.dumps(spec, sort_keys=True)
        self.assert_fails('randn.400x500.safetensors', 'metadata "spec" changed', '"std": 2.0')
        spec = json.loads(self.committed['cases']['randn.400x500.safetensors'][1]['spec'])
        spec['torchSample']['std'] = 1.002  # another random stream, not a last digit: 1.7e-3 > 1e-5 + 4.5e-5
        self.fresh = fixtures()
        self.fresh['cases']['randn.400x500.safetensors'][1]['spec'] = json.dumps(spec, sort_keys=True)
        self.assert_fails('spec.torchSample.std outside the value tolerance: committed 1.00367, fresh 1.002')

    # --- what fails: the whole-run bounds

    def test_whole_run_bounds_fail_beyond_them(self):
        for change, needles in [
            (lambda: self.tensor('whole-run', 'net.final.safetensors', '1.bias').__setitem__(0, F(0.1 + 1.2e-4)),
             ['net.final.safetensors', '1.bias: 1 of 1 elements outside the wholeRun.net.weights tolerance (atol 0.0001)']),
            (lambda: self.tensor('whole-run', 'net.expected.safetensors', 'losses').__setitem__(2, F(0.5 + 6e-5)),
             ['losses: 1 of 3 elements outside the wholeRun.net.lossRtol tolerance (rtol 0.0001)', 'allowed 5e-05']),
            (lambda: self.tensor('whole-run', 'net.expected.safetensors', 'test_pred').__setitem__([1, 2, 3], 0),
             ['test_pred: 3 of 1000 elements differ, allowed 2', '[1] 1→0']),
            (lambda: self.fresh['whole-run']['net.expected.safetensors'][1].update(test_correct='502', test_acc='0.502'),
             ['metadata test_correct: committed 500, fresh 502 of 1000; allowed ±1', 'metadata test_acc: committed 0.5, fresh 0.502']),
        ]:
            with self.subTest(needles[0]):
                self.fresh = fixtures()
                change()
                self.assert_fails(*needles)

    def test_a_model_without_whole_run_bounds_fails(self):
        self.committed['whole-run']['other.final.safetensors'] = self.committed['whole-run']['net.final.safetensors']
        self.fresh['whole-run']['other.final.safetensors'] = self.fresh['whole-run']['net.final.safetensors']
        self.assert_fails('other.final.safetensors', 'no "wholeRun.other" bounds in the tolerances (models there: net)')

    # --- what fails: what the comparator has no rule for

    def test_a_tensor_or_kind_without_a_rule_fails(self):
        for d in (self.committed, self.fresh):
            d['cases']['add.2x2.safetensors'][0]['expected.hessian'] = np.ones(2, F)
        self.assert_fails('add.2x2.safetensors', 'no comparison rule for tensor "expected.hessian"')
        self.committed, self.fresh = fixtures(), fixtures()
        for d in (self.committed, self.fresh):
            d['cases']['add.2x2.safetensors'][1]['kind'] = 'conv'
        self.assert_fails("unknown case kind 'conv'")

    def test_pieces_of_a_list_result_are_values_and_their_grad_outs_inputs(self):
        # split / chunk cases: expected.out.<k> within "value", grad_out.<k> exact
        for d in (self.committed, self.fresh):
            d['cases']['add.2x2.safetensors'][0]['expected.out.1'] = np.ones(2, F)
            d['cases']['add.2x2.safetensors'][0]['grad_out.1'] = np.ones(2, F)
        self.tensor('cases', 'add.2x2.safetensors', 'expected.out.1')[0] = F(1 + 1.5e-5)  # allowed 2e-5 at 1.0
        self.assert_passes()
        self.tensor('cases', 'add.2x2.safetensors', 'expected.out.1')[0] = F(1 + 1e-4)
        self.assert_fails('expected.out.1')
        self.tensor('cases', 'add.2x2.safetensors', 'expected.out.1')[0] = F(1)
        self.tensor('cases', 'add.2x2.safetensors', 'grad_out.1')[0] = np.nextafter(F(1), F(2))
        self.assert_fails('grad_out.1')

    def test_error_cases_compare_their_inputs_and_torchs_message_exactly(self):
        for d in (self.committed, self.fresh):
            d['cases']['error.gather.safetensors'] = ({'input.i': np.array([5], np.int32)}, meta('error.gather', 'error', {'message': 'gather: index 5'}))
        self.assert_passes()
        self.fresh['cases']['error.gather.safetensors'][1]['torch'] = 'changed'
        self.assert_fails('metadata "torch" changed')
        self.fresh['cases']['error.gather.safetensors'][1]['torch'] = 'torch.add(a, b)'
        self.fresh['cases']['error.gather.safetensors'][0]['input.i'][0] = 4
        self.assert_fails('input.i')

    def test_an_unreadable_file_fails_naming_it(self):
        self.run_compare()
        with open(os.path.join(self.tmp, 'fresh', 'cases', 'add.2x2.safetensors'), 'r+b') as fh:
            fh.truncate(12)  # a header length with no header: a half-written file
        out = io.StringIO()
        c, f = os.path.join(self.tmp, 'committed'), os.path.join(self.tmp, 'fresh')
        code = cf.main(['--tolerances', self.tols_path, '--cases', f'{c}/cases', f'{f}/cases'], out=out)
        self.assertEqual(code, 1, out.getvalue())
        self.assertIn('add.2x2.safetensors', out.getvalue())
        self.assertIn('cannot read', out.getvalue())

    # --- the tolerances come from the file

    def test_the_bounds_are_read_from_the_tolerance_file(self):
        self.tensor('cases', 'add.2x2.safetensors', 'expected.out')[0, 0] = F(1 + 5e-4)
        self.assert_fails('value tolerance (rtol 1e-05 + scale 1e-05)')
        wider = copy.deepcopy(TOLS)
        wider['value'] = {'rtol': 1e-4, 'scale': 1e-4}
        path = os.path.join(self.tmp, 'wider.json')
        with open(path, 'w') as fh:
            json.dump(wider, fh)
        code, text = self.run_compare(path)
        self.assertEqual(code, 0, text)

    def test_a_malformed_tolerance_file_fails_with_what_was_expected(self):
        for mutate, needle in [(lambda t: t['value'].pop('scale'), 'value.scale: expected a non-negative finite number, got null'),
                               (lambda t: t['gradient'].update(rtol=-1), 'gradient.rtol: expected a non-negative finite number, got -1'),
                               (lambda t: t['wholeRun']['net'].update(predictionsDiffering=2.5),
                                'wholeRun.net.predictionsDiffering: expected a non-negative integer, got 2.5'),
                               (lambda t: t.pop('wholeRun'), 'expected an object "wholeRun"')]:
            with self.subTest(needle):
                bad = copy.deepcopy(TOLS)
                mutate(bad)
                path = os.path.join(self.tmp, 'bad.json')
                with open(path, 'w') as fh:
                    json.dump(bad, fh)
                code, text = self.run_compare(path)
                self.assertEqual(code, 1, text)
                self.assertIn(needle, text)

    def test_the_committed_tolerance_file_is_well_formed(self):
        tols = cf.load_tolerances(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tolerances.json'))
        self.assertEqual(sorted(tols['wholeRun']), ['mlp', 'softmax-regression'])

    def test_usage_errors_exit_1_not_2(self):
        err = io.StringIO()
        with self.assertRaises(SystemExit) as e, contextlib.redirect_stderr(err):
            cf.main(['--tolerances', self.tols_path], out=io.StringIO())
        self.assertEqual(e.exception.code, 1)
        self.assertIn('give --cases and/or --whole-run', err.getvalue())  # 2 is check-regenerate.sh's "PyTorch is missing"


if __name__ == '__main__':
    unittest.main()
