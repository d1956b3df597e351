// A Vite plugin for the worker bundles: a worker that starts a nested worker with the literal
// `new Worker(new URL('./x.js', import.meta.url))` gets it as an extra entry chunk of its own bundle.
// Vite would bundle the nested worker on its own, with a second copy of every module they share (the
// library: the training worker starts the data-parallel gradient workers); as chunks of one bundle,
// the two load the same files. Vite takes the first entry chunk of a worker's bundle as the worker's
// script, so the nested ones are moved after it.

import type { Plugin } from 'vite';

const NESTED_WORKER = /new\s+Worker\s*\(\s*new\s+URL\s*\(\s*(['"])(\.{1,2}\/[^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g;

export function nestedWorkersAsChunks(): Plugin {
  const refs: string[] = [];
  return {
    name: 'softmax-demo:nested-workers-as-chunks',
    apply: 'build',
    enforce: 'pre',
    async transform(code, id) {
      if (!code.includes('new Worker') || !code.includes('import.meta.url')) return null;
      const matches = [...code.matchAll(NESTED_WORKER)];
      if (matches.length === 0) return null;
      let out = '';
      let last = 0;
      for (const m of matches) {
        const resolved = await this.resolve(m[2], id);
        if (resolved === null) this.error(`cannot resolve the nested worker ${m[2]} started by ${id}`);
        const ref = this.emitFile({ type: 'chunk', id: resolved.id });
        refs.push(ref);
        out += code.slice(last, m.index) + `new Worker(new URL(import.meta.ROLLUP_FILE_URL_${ref})`;
        last = m.index + m[0].length;
      }
      return { code: out + code.slice(last), map: null };
    },
    generateBundle(_options, bundle) {
      for (const ref of refs) {
        const fileName = this.getFileName(ref);
        const chunk = bundle[fileName];
        delete bundle[fileName];
        bundle[fileName] = chunk;
      }
    },
  };
}
