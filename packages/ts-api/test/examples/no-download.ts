// Imported first by every test that runs an example in-process: the examples may download
// Fashion-MNIST when they find no copy, a test never may. SOFTMAX_NN_NO_DOWNLOAD=1 makes them pass
// `download: false`, and a fetch that throws makes any download attempt fail loudly.

process.env.SOFTMAX_NN_NO_DOWNLOAD = '1';
globalThis.fetch = (input: unknown) => {
  throw new Error(`a test tried to download ${String(input)}; tests must use the local Fashion-MNIST files`);
};

/** The environment for a child process that runs an example or a README command. */
export function noDownloadEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, SOFTMAX_NN_NO_DOWNLOAD: '1', ...extra };
}
