// Preloaded into the child processes of the README test (NODE_OPTIONS=--import=…): a download
// attempt fails loudly instead of reaching the network — a test never downloads.
globalThis.fetch = (input) => {
  throw new Error(`a test tried to download ${String(input)}; tests must use the local Fashion-MNIST files`);
};
