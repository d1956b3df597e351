// Files written by torch.save (committed fixtures made by fixtures/make_torch_files.py with torch 1.13:
// the zip format and the legacy pickle) are named as such, with how to write safetensors instead —
// not reported as a corrupt safetensors header. A safetensors file that happens to start with the
// same bytes still loads.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { io, tensor } from '../../src/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error('expected a rejection');
}

const HOW = "Write one from Python with `from safetensors.torch import save_file; save_file(model.state_dict(), 'model.safetensors')` (the safetensors package: pip install safetensors)";

const FILES = [
  { file: 'linear-zip.pt', magic: [0x50, 0x4b, 0x03, 0x04], kind: 'this is a zip archive, the PyTorch pickle format that torch.save writes; softmax-nn reads safetensors files, not pickles.' },
  { file: 'tensor-zip.pt', magic: [0x50, 0x4b, 0x03, 0x04], kind: 'this is a zip archive, the PyTorch pickle format that torch.save writes;' },
  { file: 'linear-legacy.pt', magic: [0x80, 0x02], kind: 'this is a legacy PyTorch pickle (torch.save with _use_new_zipfile_serialization=False); softmax-nn reads safetensors files, not pickles.' },
  { file: 'list-legacy.pt', magic: [0x80, 0x02], kind: 'this is a legacy PyTorch pickle (torch.save with _use_new_zipfile_serialization=False);' },
] as const;

describe('loading what torch.save wrote says so', () => {
  for (const { file, magic, kind } of FILES) {
    it(file, async () => {
      const path = join(FIXTURES, file);
      const bytes = await readFile(path);
      expect([...bytes.subarray(0, magic.length)]).toEqual(magic);
      for (const e of [await rejection(io.load(path)), await rejection(io.loadFile(path))]) {
        expect(e.message).toContain(`${path}: ${kind}`);
        expect(e.message).toContain(HOW);
        expect(e.message).not.toContain('header length');
      }
      expect(() => io.deserialize(bytes, file)).toThrow(`${file}: ${kind}`);
    });
  }
});

describe('safetensors that start like a pickle still load', () => {
  it('a header of 640 bytes (0x280) makes the file start with 0x80 0x02, as a protocol-2 pickle does', () => {
    const t = tensor([1.5, -2]);
    let bytes = io.serialize({ t });
    for (let pad = 0; bytes[0] !== 0x80 || bytes[1] !== 0x02; pad++) bytes = io.serialize({ t }, { pad: 'x'.repeat(pad) });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true))).toBe(640);
    const { tensors, metadata } = io.deserialize(bytes, 'padded');
    expect(tensors.t.tolist()).toEqual([1.5, -2]);
    expect(metadata.pad.length).toBeGreaterThan(500);
  });

  it('a truncated zip or pickle is named too, a file of other bytes keeps the header error', () => {
    expect(() => io.deserialize(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), 'short.pt')).toThrow('short.pt: this is a zip archive');
    expect(() => io.deserialize(new Uint8Array([0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0]), 'p4.pkl')).toThrow('p4.pkl: this is a legacy PyTorch pickle');
    expect(() => io.deserialize(new Uint8Array([0x80, 0x01, 0, 0, 0, 0, 0, 0, 0x7b]), 'x')).toThrow('x: header length 384 bytes is beyond the end of the file');
  });
});
