// A Vite plugin that serves the Fashion-MNIST files found on this machine at /fashion-mnist/<file>
// (dev server and `vite preview`), plus /fashion-mnist/index.json saying which were found.
// Looked for in softmax-nn's cache folder, then Debian's dataset-fashion-mnist folder.

import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Connect, Plugin } from 'vite';

export const FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
] as const;

export const ROUTE = '/fashion-mnist';

/** The folders searched, in order: $XDG_CACHE_HOME (or ~/.cache)/softmax-nn/fashion-mnist, /usr/share/datasets/fashion-mnist. */
export function searchDirs(): string[] {
  const xdg = process.env.XDG_CACHE_HOME;
  const cache = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return [join(cache, 'softmax-nn', 'fashion-mnist'), '/usr/share/datasets/fashion-mnist'];
}

function find(file: string, dirs: readonly string[]): { path: string; size: number } | null {
  for (const dir of dirs) {
    const path = join(dir, file);
    try {
      const st = statSync(path);
      if (st.isFile()) return { path, size: st.size };
    } catch {
      // not here
    }
  }
  return null;
}

export interface FashionMnistPluginOptions {
  /** Folders to search instead of the defaults. */
  dirs?: string[];
}

export function fashionMnistPlugin(options: FashionMnistPluginOptions = {}): Plugin {
  const dirs = options.dirs ?? searchDirs();
  const handler: Connect.NextHandleFunction = (req: IncomingMessage, res: ServerResponse, next) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '');
    if (name === 'index.json') {
      const files = Object.fromEntries(FILES.map((f) => [f, find(f, dirs) !== null]));
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      res.end(JSON.stringify({ files, complete: Object.values(files).every(Boolean), searched: dirs }));
      return;
    }
    if (!(FILES as readonly string[]).includes(name)) return next();
    const found = find(name, dirs);
    if (found === null) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`${name} not found in ${dirs.join(', ')}`);
      return;
    }
    // The .gz bytes as they are (no Content-Encoding: the page decompresses and verifies them).
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('Content-Length', String(found.size));
    res.setHeader('Cache-Control', 'max-age=3600');
    createReadStream(found.path).on('error', next).pipe(res);
  };
  return {
    name: 'softmax-demo:fashion-mnist',
    configureServer(server) {
      server.middlewares.use(ROUTE, handler);
    },
    configurePreviewServer(server) {
      server.middlewares.use(ROUTE, handler);
    },
  };
}
