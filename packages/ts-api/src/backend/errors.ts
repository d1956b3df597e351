/**
 * Status codes of softmax-core's C ABI (crates/softmax-core/src/abi.rs) and the error thrown for them.
 */

/** The status codes every softmax-core export returns (docs/ABI.md). */
export const Status = {
  OK: 0,
  NULL_POINTER: 1,
  OUT_OF_BOUNDS: 2,
  SIZE_OVERFLOW: 3,
  INDEX_OUT_OF_RANGE: 4,
  INVALID_ARGUMENT: 5,
  OUT_OF_MEMORY: 6,
  MISALIGNED: 7,
  ALIASING: 8,
} as const;

export type StatusCode = (typeof Status)[keyof typeof Status];

/** Code used for a WebAssembly trap (a bug in the core, never expected). */
export const TRAP = -1;

const NAMES: Record<number, string> = {
  0: 'OK',
  1: 'NULL_POINTER',
  2: 'OUT_OF_BOUNDS',
  3: 'SIZE_OVERFLOW',
  4: 'INDEX_OUT_OF_RANGE',
  5: 'INVALID_ARGUMENT',
  6: 'OUT_OF_MEMORY',
  7: 'MISALIGNED',
  8: 'ALIASING',
  [-1]: 'TRAP',
};

/** `NULL_POINTER` etc. for a status code. */
export function statusName(code: number): string {
  return NAMES[code] ?? `UNKNOWN_STATUS_${code}`;
}

/**
 * Thrown by every backend wrapper when a kernel refuses its arguments (or when the TypeScript checks
 * refuse them before the call). `kernel` is the wasm export's name (`gemm_f32`, `cross_entropy_f32_ref`…),
 * `code` one of {@link Status} (or -1 for a trap). The message says what was expected and what was given.
 */
export class KernelError extends Error {
  readonly kernel: string;
  readonly code: number;

  constructor(kernel: string, code: number, message: string) {
    super(`${kernel}: ${message}`);
    this.name = 'KernelError';
    this.kernel = kernel;
    this.code = code;
  }

  /** `NULL_POINTER`, `OUT_OF_BOUNDS`… */
  get status(): string {
    return statusName(this.code);
  }
}

/**
 * Message for a non-zero status returned by export `kernel`, given its parameter names (in order) and
 * the export's `status_detail_index()` / `status_detail_value()` (see abi.rs: for pointer and argument
 * errors the index is the parameter's position; for ALIASING the value is the position of the input it
 * overlaps; for INDEX_OUT_OF_RANGE they are the bad element's position and value).
 */
export function describeStatus(
  code: number,
  params: readonly string[],
  detailIndex: number,
  detailValue: number,
  memoryBytes: number,
): string {
  const p = (i: number): string => (params[i] !== undefined ? `'${params[i]}'` : `parameter #${i}`);
  switch (code) {
    case Status.NULL_POINTER:
      return `${p(detailIndex)} is a null pointer (status 1 NULL_POINTER)`;
    case Status.OUT_OF_BOUNDS:
      return `${p(detailIndex)} reaches past the end of wasm memory (${memoryBytes} bytes) (status 2 OUT_OF_BOUNDS)`;
    case Status.SIZE_OVERFLOW:
      return `the size of ${p(detailIndex)} overflows 32-bit addressing: the dimensions are too large (status 3 SIZE_OVERFLOW)`;
    case Status.INDEX_OUT_OF_RANGE:
      return `element ${detailIndex} holds ${detailValue}, which is out of range (status 4 INDEX_OUT_OF_RANGE)`;
    case Status.INVALID_ARGUMENT:
      return `invalid ${p(detailIndex)} (${detailValue}) (status 5 INVALID_ARGUMENT)`;
    case Status.OUT_OF_MEMORY:
      return 'out of wasm memory (status 6 OUT_OF_MEMORY)';
    case Status.MISALIGNED:
      return `${p(detailIndex)} is not 4-byte aligned (address % 4 = ${detailValue}) (status 7 MISALIGNED)`;
    case Status.ALIASING:
      return `output ${p(detailIndex)} overlaps input ${p(detailValue)}; give the output its own buffer (status 8 ALIASING)`;
    default:
      return `failed with unknown status ${code}`;
  }
}
