"""Parity cases for nn.Sequential and nn.ModuleList as containers and the Module API around them: add_module (append or
replace by name), append, insert, extend, tied layers, str(net), state-dict keys and module names."""

import numpy as np
import torch

from cases_common import add_case, build_module, module_case, normal, rng_for




def seq(*layers, then=None):
    spec = {'$module': 'nn.Sequential', 'args': list(layers)}
    if then:
        spec['then'] = then
    return spec


def lin(i, o, bias=True):
    return {'$module': 'nn.Linear', 'args': [i, o] if bias else [i, o, {'bias': False}]}


RELU = {'$module': 'nn.ReLU', 'args': []}


def block1():
    return seq(lin(4, 8), RELU, lin(8, 4), RELU)


def block2():
    # d2l 5.2: net.add_module(f'block {i}', block1()) on an empty Sequential
    return seq(then=[['addModule', f'block {i}', block1()] for i in range(4)])


MODELS = {
    'd2l-rgnet': seq(block2(), lin(4, 1)),
    'add-module-replace': seq(lin(4, 8), RELU, lin(8, 3), then=[['addModule', '1', {'$module': 'nn.Sigmoid', 'args': []}],
                                                                  ['addModule', 'head', lin(3, 2)]]),
    'append-insert-extend': seq(lin(4, 6), then=[['append', RELU], ['insert', 1, lin(6, 6, False)], ['insert', -1, {'$module': 'nn.Sigmoid', 'args': []}],
                                                  ['extend', [lin(6, 5), {'$module': 'nn.Softmax', 'args': [1]}]]]),
    'tied': seq(lin(4, 4), RELU, then=[['append', {'$layer': 0}], ['append', lin(4, 2)]]),
    'printing': seq({'$module': 'nn.Flatten', 'args': []}, lin(12, 8), {'$module': 'nn.Dropout', 'args': [0.25]},
                    seq(lin(8, 8, False), {'$module': 'nn.LogSoftmax', 'args': [1]}, {'$module': 'nn.Identity', 'args': []}),
                    {'$module': 'nn.Flatten', 'args': [0, 1]}),
}

def mlist(then=None):
    return {'$module': 'nn.ModuleList', 'args': [], 'then': then or []}


SIGMOID = {'$module': 'nn.Sigmoid', 'args': []}
# ModuleList holds modules for its owner's forward (it has none): names, printing, length.
LISTS = {
    'empty': mlist(),
    'append-insert-extend': mlist([['append', lin(4, 6)], ['extend', [RELU, lin(6, 2)]], ['insert', 1, SIGMOID], ['insert', 3, lin(6, 6, False)]]),
    'in-sequential': seq(lin(3, 3), then=[['addModule', 'blocks', mlist([['append', lin(3, 3, False)], ['append', RELU]])]]),
}
IN_FEATURES = {'d2l-rgnet': 4, 'add-module-replace': 4, 'append-insert-extend': 4, 'tied': 4}


def module_info(ctor):
    """What a module-info case compares: the printed module, its names and its length."""
    m = build_module(ctor)
    return {
        'ctor': ctor,
        'str': str(m),
        'stateDictKeys': list(m.state_dict().keys()),
        'namedParameters': [n for n, _ in m.named_parameters()],
        'namedModules': [n for n, _ in m.named_modules()],
        'namedChildren': [n for n, _ in m.named_children()],
        'length': len(m),
    }


def gen_container():
    for name, ctor in MODELS.items():
        add_case(f'nn.Sequential.container.{name}', 'module-info', 'nn.Sequential', [], module_info(ctor), f'str(net) for {name}', {})
        if name in IN_FEATURES:
            stem = f'nn.Sequential.container-forward.{name}'
            module_case(stem, ctor, {'x': normal(rng_for(stem), (3, IN_FEATURES[name]))})
    for name, ctor in LISTS.items():
        add_case(f'nn.ModuleList.container.{name}', 'module-info', 'nn.ModuleList', [], module_info(ctor), f'str(list) for {name}', {})
