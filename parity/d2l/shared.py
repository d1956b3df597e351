"""Random draws a d2l mirror shares with its TypeScript port, so that the port can print PyTorch's numbers.

With D2L_RECORD=<file> set, shared(name, value) records the value of a tensor (or every state_dict entry
of a module) under '<call number>.<name>', and recording_sampler() the order of every pass of a shuffling
DataLoader; the file (safetensors) is written when the mirror exits. The port calls the same shared() in
the same places (examples/d2l/shared.ts) and, with D2L_REPLAY=<file>, takes these values instead of its own
draws. Without D2L_RECORD nothing is recorded: the mirror is the book's code.
"""
import atexit
import os
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from safetensors_np import st_save  # noqa: E402

RECORD = os.environ.get('D2L_RECORD')
_tensors = {}
_orders = {}
_calls = [0]


def _key(name):
    key = f'{_calls[0]}.{name}'
    _calls[0] += 1
    return key


def _array(t):
    a = t.detach().cpu().numpy().copy()
    # Raised here, not when the file is written at exit, where an error would leave the exit status 0.
    if a.dtype.kind == 'f' and a.dtype != 'float32':
        raise TypeError(f'shared: {a.dtype} values are not recorded (the ports\' tensors are float32); share a float32 copy')
    return a.astype('int32') if a.dtype.kind == 'i' else a


def shared(name, value):
    """Records `value` (a tensor or a module's state_dict) and returns it unchanged."""
    key = _key(name)
    if RECORD is not None:
        if isinstance(value, torch.nn.Module):
            for k, t in value.state_dict().items():
                _tensors[f'{key}.{k}'] = _array(t)
        else:
            _tensors[key] = _array(value)
    return value


class RecordingSampler(torch.utils.data.RandomSampler):
    """RandomSampler that keeps each pass's permutation under '<call number>.<name>' (one row per pass)."""

    def __init__(self, data_source, key):
        super().__init__(data_source)
        self.key = key

    def __iter__(self):
        order = list(super().__iter__())
        _orders.setdefault(self.key, []).append(order)
        return iter(order)


def recording_sampler(name, dataset):
    """The sampler a shuffling DataLoader uses: torch's RandomSampler, recorded when D2L_RECORD is set."""
    key = _key(name)
    return RecordingSampler(dataset, key) if RECORD is not None else torch.utils.data.RandomSampler(dataset)


@atexit.register
def _write():
    if RECORD is None or not (_tensors or _orders):
        return  # a mirror that drew nothing (one importing d2l_torch only for its classes) writes no file
    import numpy as np
    out = dict(_tensors)
    for key, passes in _orders.items():
        out[key] = np.array(passes, dtype=np.int32)
    st_save(RECORD, out, {'calls': str(_calls[0])})
