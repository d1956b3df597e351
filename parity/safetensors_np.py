"""safetensors with json + numpy (torch 1.13 has no safetensors module), shared by the parity scripts.

Format: 8-byte little-endian header length, a JSON header (sorted keys, padded with spaces to a multiple
of 8 bytes as the reference implementation does), then the raw little-endian tensor data in sorted name
order. Deterministic: the same tensors and metadata always give the same bytes.
"""

import json
import os
import struct

import numpy as np

_DT = {np.dtype('float32'): 'F32', np.dtype('int32'): 'I32', np.dtype('bool'): 'BOOL'}
_NP = {'F32': np.dtype('<f4'), 'I32': np.dtype('<i4'), 'I64': np.dtype('<i8'), 'U8': np.dtype('u1'), 'BOOL': np.dtype('bool'),
       'F64': np.dtype('<f8')}


def st_serialize(tensors, metadata):
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.array(tensors[name], order="C", copy=True)  # (ascontiguousarray would turn 0-d into 1-d)
        if a.dtype not in _DT:
            raise TypeError(f'{name}: unsupported dtype {a.dtype}')
        b = a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {'dtype': _DT[a.dtype], 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    for k, v in metadata.items():
        if not isinstance(v, str):
            raise TypeError(f'metadata {k} must be a string')
    header['__metadata__'] = metadata
    h = json.dumps(header, sort_keys=True, separators=(',', ':'), allow_nan=False).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)  # align the data to 8 bytes, as the reference implementation does
    return struct.pack('<Q', len(h)) + h + b''.join(blobs)


def st_deserialize(data):
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', None) or {}
    out = {}
    for name, info in header.items():
        if info['dtype'] not in _NP:
            raise TypeError(f'{name}: unsupported dtype {info["dtype"]}')
        b, e = info['data_offsets']
        out[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype=_NP[info['dtype']]).reshape(info['shape'])
    return out, meta


def st_save(path, tensors, metadata=None):
    """Writes the file atomically (a temporary file in the same folder, renamed over `path`)."""
    data = st_serialize(tensors, metadata or {})
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'wb') as fh:
        fh.write(data)
    os.replace(tmp, path)
    return len(data)


def st_load(path):
    with open(path, 'rb') as fh:
        return st_deserialize(fh.read())
