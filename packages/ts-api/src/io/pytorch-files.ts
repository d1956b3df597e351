// Recognising what torch.save writes — a zip archive (PyTorch ≥ 1.6) or a legacy pickle — so that
// loading one says what it is and how to make a safetensors file instead of a puzzling header error.

/** 'zip' or 'pickle' when `bytes` start like torch.save's output and cannot be a safetensors file. */
export function torchSaveFormat(bytes: Uint8Array): 'zip' | 'pickle' | null {
  // A safetensors file whose header length happens to start with these bytes is still read as one.
  if (bytes.length >= 9) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getBigUint64(0, true) <= BigInt(bytes.length - 9) && bytes[8] === 0x7b) return null;
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  // Pickle protocols 2 to 5 begin with PROTO (0x80) and the protocol number; torch.save uses 2.
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  return null;
}

/** What to tell the user who loads a torch.save file. */
export function torchSaveMessage(format: 'zip' | 'pickle'): string {
  const what = format === 'zip'
    ? 'a zip archive, the PyTorch pickle format that torch.save writes'
    : 'a legacy PyTorch pickle (torch.save with _use_new_zipfile_serialization=False)';
  return `this is ${what}; softmax-nn reads safetensors files, not pickles. ` +
    `Write one from Python with \`from safetensors.torch import save_file; ` +
    `save_file(model.state_dict(), 'model.safetensors')\` (the safetensors package: pip install safetensors); ` +
    `a tensor x goes in a dict: save_file({'x': x}, 'x.safetensors')`;
}
