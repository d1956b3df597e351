// Interop with an independent safetensors reader/writer in Python (json + numpy only), both ways.
// Skipped, with the reason printed, only when /usr/bin/python3 or numpy is missing (CI installs
// python3-numpy).

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, manualSeed, nn, randn, tensor, type Tensor } from '../../src/index.js';

const PYTHON = '/usr/bin/python3';

function pythonSkipReason(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not available (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no numpy (${r.stderr.trim().split('\n').pop() ?? ''})`;
  return null;
}
const skipReason = pythonSkipReason();
if (skipReason !== null) console.log(`[io/python.test] skipping the Python interop tests: ${skipReason}`);

// A reader and a writer written from the format description, sharing no code with src/io.
const SCRIPT = String.raw`
import json, struct, sys
import numpy as np

NP = {'F32': '<f4', 'I32': '<i4', 'F64': '<f8', 'I64': '<i8', 'F16': '<f2', 'BOOL': '?'}
RANK = {'BOOL': 0, 'F16': 7, 'I32': 9, 'F32': 11, 'F64': 12, 'I64': 13}  # the reference's Dtype order

def read(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    assert (8 + n) % 8 == 0, 'data is not 8-byte aligned'
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    data = raw[8 + n:]
    meta = header.pop('__metadata__', {})
    out, spans = {}, []
    for name, info in header.items():
        b, e = info['data_offsets']
        spans.append((b, e))
        arr = np.frombuffer(data[b:e], dtype=NP[info['dtype']]).reshape(info['shape'])
        out[name] = {'dtype': info['dtype'], 'shape': list(arr.shape), 'values': arr.reshape(-1).tolist()}
    pos = 0
    for b, e in sorted(spans):
        assert b == pos, 'gap or overlap'
        pos = e
    assert pos == len(data), 'trailing bytes'
    return {'metadata': meta, 'tensors': out, 'header_order': list(header.keys())}

def write(path, spec, metadata, layout):
    arrays = {k: np.array(v['values'], dtype=NP[v['dtype']]).reshape(v['shape']) for k, v in spec.items()}
    names = sorted(spec, key=lambda k: (-RANK[spec[k]['dtype']], k))
    if layout == 'reversed':
        names = names[::-1]
    header, offset, blobs = {}, 0, []
    if metadata is not None:
        header['__metadata__'] = metadata
    entries = []
    for k in names:
        blob = arrays[k].tobytes()
        entries.append((k, {'dtype': spec[k]['dtype'], 'shape': list(arrays[k].shape), 'data_offsets': [offset, offset + len(blob)]}))
        offset += len(blob)
        blobs.append(blob)
    if layout == 'reversed':
        entries = entries[::-1]
    header.update(entries)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))

cmd = sys.argv[1]
if cmd == 'read':
    print(json.dumps(read(sys.argv[2])))
else:
    args = json.load(open(sys.argv[3]))
    write(sys.argv[2], args['spec'], args.get('metadata'), args.get('layout', 'reference'))
`;

interface PyTensor { dtype: string; shape: number[]; values: number[] }
interface PyRead { metadata: Record<string, string>; tensors: Record<string, PyTensor>; header_order: string[] }

describe.skipIf(skipReason !== null)('Python (json + numpy) interop', () => {
  let dir: string;
  let script: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softmax-io-py-'));
    script = join(dir, 'st.py');
    await writeFile(script, SCRIPT);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function python(...args: string[]): string {
    const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`python ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  async function pyWrite(path: string, spec: Record<string, PyTensor>, metadata?: Record<string, string>, layout = 'reference'): Promise<void> {
    const argsPath = `${path}.json`;
    await writeFile(argsPath, JSON.stringify({ spec, metadata, layout }));
    python('write', path, argsPath);
  }

  function specOf(tensors: Record<string, Tensor>): Record<string, PyTensor> {
    const out: Record<string, PyTensor> = {};
    for (const [k, t] of Object.entries(tensors)) {
      out[k] = { dtype: t.dtype === 'float32' ? 'F32' : t.dtype === 'int32' ? 'I32' : 'BOOL', shape: [...t.shape], values: Array.from(t.toArray()) };
    }
    return out;
  }

  it('Python reads what we save: a state dict, int32, scalars, empty tensors, metadata', async () => {
    manualSeed(7);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    const tensors = {
      ...net.stateDict(),
      labels: tensor([3, -1, 2147483647], { dtype: 'int32' }),
      scalar: tensor(0.1),
      empty: tensor(new Float32Array(0), { shape: [2, 0] }),
      'ünïcode.name': randn([3]),
    };
    const path = join(dir, 'ours.safetensors');
    await io.save(path, tensors, { format: 'pt', note: 'héllo "world"' });
    const read = JSON.parse(python('read', path)) as PyRead;
    // io.save adds what was saved (a dict) and its keys' order to the caller's metadata.
    expect(read.metadata).toEqual({
      format: 'pt', note: 'héllo "world"',
      'softmax-nn.form': 'dict', 'softmax-nn.keys': '["1.weight","1.bias","labels","scalar","empty","ünïcode.name"]',
    });
    expect(read.tensors).toEqual(specOf(tensors));
    // Reference layout: float32 by name, then int32.
    expect(read.header_order).toEqual(['1.bias', '1.weight', 'empty', 'scalar', 'ünïcode.name', 'labels']);
  });

  it('Python reads a saved tensor and a saved list as dicts: "tensor", and "0", "1", …', async () => {
    const one = join(dir, 'x-file');
    await io.save(one, tensor([0, 1, 2, 3], { dtype: 'int32' }));
    const readOne = JSON.parse(python('read', one)) as PyRead;
    expect(readOne.tensors).toEqual({ tensor: { dtype: 'I32', shape: [4], values: [0, 1, 2, 3] } });
    expect(readOne.metadata).toEqual({ 'softmax-nn.form': 'tensor' });
    const list = join(dir, 'x-files');
    await io.save(list, [tensor([0, 1], { dtype: 'int32' }), tensor([0.5])]);
    const readList = JSON.parse(python('read', list)) as PyRead;
    expect(readList.tensors).toEqual({ 0: { dtype: 'I32', shape: [2], values: [0, 1] }, 1: { dtype: 'F32', shape: [1], values: [0.5] } });
    expect(readList.metadata).toEqual({ 'softmax-nn.form': 'list' });
  });

  it('an independent writer following the reference layout produces the same bytes as ours', async () => {
    manualSeed(8);
    const tensors = { 'b.weight': randn([4, 3]), 'a.bias': randn([4]), steps: tensor([5, 6], { dtype: 'int32' }), s: tensor(2.5) };
    const path = join(dir, 'theirs.safetensors');
    await pyWrite(path, specOf(tensors), { format: 'pt' });
    expect(new Uint8Array(await readFile(path))).toEqual(io.serialize(tensors, { format: 'pt' }));
    const plain = join(dir, 'theirs-nometa.safetensors');
    await pyWrite(plain, specOf(tensors));
    expect(new Uint8Array(await readFile(plain))).toEqual(io.serialize(tensors));
  });

  it('BOOL both ways: an independent writer gives our bytes, and each side reads the other', async () => {
    manualSeed(11);
    const tensors = { w: randn([2]), mask: tensor([[true, false, true]]), steps: tensor([5], { dtype: 'int32' }), none: tensor([], { dtype: 'bool' }) };
    const path = join(dir, 'bool.safetensors');
    await pyWrite(path, specOf(tensors), { format: 'pt' });
    expect(new Uint8Array(await readFile(path))).toEqual(io.serialize(tensors, { format: 'pt' }));
    const back = await io.loadFile(path);
    expect(back.tensors.mask.dtype).toBe('bool');
    expect(back.tensors.mask.tolist()).toEqual([[true, false, true]]);
    const ours = join(dir, 'bool-ours.safetensors');
    await io.save(ours, tensors);
    const read = JSON.parse(python('read', ours)) as { tensors: Record<string, { dtype: string; shape: number[]; values: unknown[] }> };
    expect(read.tensors.mask).toEqual({ dtype: 'BOOL', shape: [1, 3], values: [true, false, true] });
    expect(read.tensors.none).toEqual({ dtype: 'BOOL', shape: [0], values: [] });
  });

  it('we read what Python writes, in another layout and with F64/I64/F16 converted', async () => {
    const spec: Record<string, PyTensor> = {
      w: { dtype: 'F32', shape: [2, 2], values: [1.5, -2, 0.25, 1e-30] },
      d: { dtype: 'F64', shape: [3], values: [0.1, -1e-3, 123456789.123] },
      n: { dtype: 'I64', shape: [2, 1], values: [-2147483648, 7] },
      h: { dtype: 'F16', shape: [3], values: [0.5, -3, 65504] },
      i: { dtype: 'I32', shape: [], values: [42] },
    };
    const path = join(dir, 'mixed.safetensors');
    await pyWrite(path, spec, { source: 'numpy' }, 'reversed');
    const { tensors, metadata } = await io.loadFile(path);
    expect(metadata).toEqual({ source: 'numpy' });
    expect(tensors.w.dtype).toBe('float32');
    expect(Array.from(tensors.w.toArray())).toEqual(spec.w.values.map(Math.fround));
    expect(tensors.d.dtype).toBe('float32');
    expect(Array.from(tensors.d.toArray())).toEqual(spec.d.values.map(Math.fround));
    expect(tensors.n.dtype).toBe('int32');
    expect(tensors.n.shape).toEqual([2, 1]);
    expect(Array.from(tensors.n.toArray())).toEqual([-2147483648, 7]);
    expect(Array.from(tensors.h.toArray())).toEqual([0.5, -3, 65504]);
    expect(tensors.i.shape).toEqual([]);
    expect(tensors.i.item()).toBe(42);
    for (const t of Object.values(tensors)) t.dispose();
  });

  it('a model saved by Python loads into a Module exactly', async () => {
    manualSeed(9);
    const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    const spec = specOf(net.stateDict());
    const path = join(dir, 'py-model.safetensors');
    await pyWrite(path, spec, { format: 'pt' });
    manualSeed(10);
    const other = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
    other.loadStateDict(await io.load(path));
    expect(specOf(other.stateDict())).toEqual(spec);
  });
});
