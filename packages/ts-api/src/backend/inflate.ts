/**
 * The core's gzip decoder (crates/softmax-core/src/inflate): its state, window and input piece live in
 * the wasm memory, and each call decompresses straight into a Storage the caller names — where the
 * data will live — so that no buffer of decompressed data is allocated outside it.
 */
import * as abi from './generated/index.js';
import { allocStorage, type Storage } from './memory.js';

/** Words of the decoder's state (inflate::STATE_WORDS; inflate_init refuses another size). */
const STATE_WORDS = 2996;
/** Bytes of its window (inflate::WINDOW_BYTES): the farthest a DEFLATE distance reaches. */
const WINDOW_BYTES = 32768;

/** The outcomes of a call, as the core numbers them (state word 0). */
export const InflateStatus = { NEED_INPUT: 0, DONE: 1, OUTPUT_FULL: 2 } as const;

const ERRORS: Record<number, string> = {
  16: 'bad gzip header: not gzip, not DEFLATE (method 8) or reserved flags set',
  17: 'the gzip header checksum (FHCRC) does not match',
  18: 'a DEFLATE block of invalid type 3',
  19: "a stored block's length check (NLEN) does not match its length",
  20: "a dynamic block's code lengths do not make valid Huffman codes",
  21: 'an invalid Huffman code or a literal/length or distance symbol out of range',
  22: 'a distance reaching back before the start of the data',
  23: 'CRC-32 mismatch: the decompressed data is not what was compressed',
  24: "length mismatch: the decompressed size is not the trailer's ISIZE",
  25: 'unexpected end of data (truncated)',
};

/** What an error status means, in words. */
export function inflateErrorMessage(status: number): string {
  return ERRORS[status] ?? `unknown decoder status ${status}`;
}

/** The outcome of one feed: InflateStatus or an error (≥ 16), and the bytes taken and written. */
export interface InflateStep {
  status: number;
  inUsed: number;
  outUsed: number;
}

/** One gzip stream being decoded. `input` is where the caller puts each compressed piece. Dispose when done. */
export class GzipDecoder {
  readonly input: Storage;
  readonly #state: Storage;
  readonly #window: Storage;

  constructor(inputBytes: number) {
    const made: Storage[] = [];
    try {
      this.#state = allocStorage('int32', STATE_WORDS);
      made.push(this.#state);
      this.#window = allocStorage('uint8', WINDOW_BYTES);
      made.push(this.#window);
      this.input = allocStorage('uint8', inputBytes);
      made.push(this.input);
      abi.inflate_init(this.#state, STATE_WORDS);
    } catch (e) {
      for (const s of made) s.dispose();
      throw e;
    }
  }

  /**
   * Decodes `input[inStart..inLen]` into `out[outStart..outEnd]`; `last` when no input follows. The
   * output written is `out.u8().subarray(outStart, outStart + outUsed)`.
   */
  feed(inLen: number, inStart: number, out: Storage, outStart: number, outEnd: number, last: boolean): InflateStep {
    abi.inflate_feed(this.#state, STATE_WORDS, this.#window, WINDOW_BYTES, this.input, inLen, inStart, out, outEnd, outStart, last);
    const words = this.#state.i32();
    return { status: words[0], inUsed: words[1], outUsed: words[2] };
  }

  dispose(): void {
    this.#state.dispose();
    this.#window.dispose();
    this.input.dispose();
  }
}
