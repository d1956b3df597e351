/**
 * Loads Node built-in modules at run time only.
 *
 * The specifier is passed through a variable (and marked `@vite-ignore`) so that a browser bundler
 * neither resolves nor bundles the module: code that only calls these on the Node path can live in
 * files a browser bundle also imports.
 */

import { isNode } from '../runtime.js';

interface NodeModules {
  'node:fs/promises': typeof import('node:fs/promises');
  'node:path': typeof import('node:path');
  'node:os': typeof import('node:os');
  'node:zlib': typeof import('node:zlib');
}

/** True when running under Node.js (or a runtime that provides its built-in modules, like Bun/Deno). */
export function isNodeRuntime(): boolean {
  return isNode;
}

/** Dynamically imports a Node built-in module; throws a clear error outside Node. */
export async function importNode<K extends keyof NodeModules>(specifier: K): Promise<NodeModules[K]> {
  if (!isNodeRuntime()) {
    throw new Error(`${specifier} is only available in Node.js; this code path needs a file system`);
  }
  const name: string = specifier;
  return (await import(/* @vite-ignore */ name)) as NodeModules[K];
}
