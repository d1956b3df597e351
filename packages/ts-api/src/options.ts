// The one check of every options object: in plain JavaScript a misspelt or snake_case key
// (`weight_decay`) would otherwise be ignored without a word.

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** `weight_decay` → `weightDecay`. */
function camelCase(key: string): string {
  return key.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Throws unless `options` is undefined or a plain object whose keys are all in `known`. `where` names
 * the caller in the message (e.g. 'SGD', 'DataLoader'); a snake_case key gets its camelCase spelling
 * suggested when that is a known key.
 */
export function checkOptions(where: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${where}: expected an options object, got ${describe(options)}`);
  }
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const named = unknown.map((key) => {
    const camel = camelCase(key);
    return camel !== key && known.includes(camel) ? `'${key}' (did you mean ${camel}?)` : `'${key}'`;
  });
  const list = known.length === 0 ? 'it has no options' : `known options: ${known.join(', ')}`;
  throw new Error(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${named.join(', ')}; ${list}`);
}
