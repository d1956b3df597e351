// Reads crates/softmax-core/abi.spec (syntax: its header and docs/ABI.md) into families of exports.

const SCALARS = new Set(['usize', 'u32', 'bool', 'f32', 'f64']);
const ELEMS = { f32: 4, i32: 4, u32: 4, u8: 1 };
const CLAUSES = ['ref', 'call', 'try', 'check'];

/** `trans_a` → `transA`. */
export function camel(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** Splits `text` at top-level occurrences of `sep` (outside (), [], {}). */
function splitTop(text, sep) {
  const out = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** Index of the bracket closing the one at `open`. */
function closing(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if ('([{'.includes(text[i])) depth++;
    else if (')]}'.includes(text[i]) && --depth === 0) return i;
  }
  return -1;
}

/** A buffer length: a product of sizes / integers (overflow blamed on `blame`), or a Rust expression. */
function parseLength(text) {
  const m = /^([A-Za-z0-9_]+(?:\s*\*\s*[A-Za-z0-9_]+)*)\s*(?:@(\w+))?$/.exec(text.trim());
  if (m) return { factors: m[1].split('*').map((f) => f.trim()), blame: m[2] ?? null };
  return { expr: text.trim() };
}

function parseParam(text, where) {
  const m = /^(\w+)\s*(?:'(\w+)')?\s*:\s*(.+)$/s.exec(text);
  if (!m) throw new Error(`${where}: cannot read parameter '${text}'`);
  const [, name, tsOverride, kindText] = m;
  const p = { name, ts: tsOverride ?? camel(name) };
  const kind = kindText.trim();
  if (SCALARS.has(kind)) return { ...p, kind };
  const b = /^(in|out|inout)\s+(f32|i32|u32|u8)\s*\[/.exec(kind);
  if (!b) throw new Error(`${where}: unknown kind '${kind}' of parameter ${name}`);
  const open = b[0].length - 1;
  const close = closing(kind, open);
  if (close < 0) throw new Error(`${where}: unclosed '[' in parameter ${name}`);
  let rest = kind.slice(close + 1).trim();
  const scratch = /\bscratch$/.test(rest);
  if (scratch) rest = rest.replace(/\s*\bscratch$/, '');
  let cond = null;
  if (rest.startsWith('if ')) cond = rest.slice(3).trim();
  else if (rest !== '') throw new Error(`${where}: unexpected '${rest}' after parameter ${name}`);
  return {
    ...p,
    kind: 'buffer',
    dir: b[1],
    elem: b[2],
    elemBytes: ELEMS[b[2]],
    length: parseLength(kind.slice(open + 1, close)),
    cond,
    scratch,
  };
}

/** Splits the text after the parameter list into clauses (`steps` takes the rest of the text). */
function parseClauses(text, where) {
  const out = { ref: false, call: null, try: false, checks: [], steps: null };
  const stepsAt = /(^|\s)steps\s/.exec(text);
  let head = text;
  if (stepsAt) {
    head = text.slice(0, stepsAt.index);
    out.steps = splitTop(text.slice(stepsAt.index + stepsAt[0].length), ';').map((s) => {
      if (s.startsWith('check ')) return { check: s.slice(6).trim() };
      if (s.startsWith('let ')) return { let: s.slice(4).trim() };
      return { buffer: s };
    });
  }
  // Split at top-level clause keywords.
  const parts = [];
  let depth = 0;
  let cur = null;
  let i = 0;
  while (i < head.length) {
    const c = head[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    if (depth === 0 && (i === 0 || /\s/.test(head[i - 1]))) {
      const kw = CLAUSES.find((k) => head.startsWith(k, i) && (i + k.length === head.length || /\s/.test(head[i + k.length])));
      if (kw) {
        cur = { kw, text: '' };
        parts.push(cur);
        i += kw.length;
        continue;
      }
    }
    if (cur === null) {
      if (!/\s/.test(c)) throw new Error(`${where}: text before any clause: '${head.slice(i)}'`);
    } else cur.text += c;
    i++;
  }
  for (const p of parts) {
    const t = p.text.replace(/\s+/g, ' ').trim();
    if (p.kw === 'ref') out.ref = true;
    else if (p.kw === 'check') out.checks.push(t);
    else {
      if (out.call !== null) throw new Error(`${where}: more than one call / try`);
      out.call = t.replace(/\s+\./g, '.');
      out.try = p.kw === 'try';
    }
  }
  return out;
}

function parseExport(text, doc, family, where) {
  const open = text.indexOf('(');
  const name = text.slice(0, open).trim();
  if (!/^\w+$/.test(name)) throw new Error(`${where}: bad export name '${name}'`);
  const close = closing(text, open);
  if (close < 0) throw new Error(`${where}: unclosed parameter list of ${name}`);
  const params = splitTop(text.slice(open + 1, close), ',').map((t, i) => ({ ...parseParam(t, `${where} ${name}`), pos: i }));
  const rest = text.slice(close + 1).trim();
  const manual = rest === 'manual';
  const clauses = manual ? { ref: false, call: null, try: false, checks: [], steps: null } : parseClauses(rest, `${where} ${name}`);
  if (!manual && clauses.call === null) throw new Error(`${where}: ${name} has no call / try clause`);
  const e = { name, doc, family, params, manual, ...clauses };
  validate(e, where);
  return e;
}

// Names the generated code uses beside the parameters (Rust: `reference`, `kernel`, `global_rng`, the
// regions `r_*`; TypeScript: `ref`, `kernel`, `opts`, the addresses `ptr*`).
const RESERVED = /^(reference|kernel|global_rng|r_\w*|ref|opts|ptr[A-Z]\w*)$/;

function validate(e, where) {
  const names = new Set(e.params.map((p) => p.name));
  const at = `${where} ${e.name}`;
  for (const p of e.params) {
    if (RESERVED.test(p.name) || RESERVED.test(p.ts)) throw new Error(`${at}: parameter name '${p.name}' is reserved for the generated code`);
  }
  const exprs = [...e.checks, e.call ?? '', ...(e.steps ?? []).map((s) => s.check ?? s.let ?? ''), ...e.params.map((p) => p.length?.expr ?? '')];
  for (const x of exprs) {
    for (const [, n] of x.matchAll(/[@#](\w+)/g)) if (!names.has(n)) throw new Error(`${at}: '${n}' is not a parameter`);
  }
  for (const p of e.params) {
    if (p.kind !== 'buffer') continue;
    for (const f of p.length.factors ?? []) {
      if (!/^\d+$/.test(f) && !names.has(f) && !(e.steps ?? []).some((s) => s.let !== undefined && new RegExp(`\\b${f}\\b`).test(s.let.split('=')[0]))) {
        throw new Error(`${at}: length factor '${f}' of ${p.name} is neither a parameter, an integer nor a 'let' of steps`);
      }
    }
    if (p.length.blame && !names.has(p.length.blame)) throw new Error(`${at}: blamed '${p.length.blame}' is not a parameter`);
  }
  if (e.steps) {
    const listed = e.steps.filter((s) => s.buffer).map((s) => s.buffer);
    const bufs = e.params.filter((p) => p.kind === 'buffer').map((p) => p.name);
    if (listed.slice().sort().join() !== bufs.slice().sort().join()) throw new Error(`${at}: steps must name every buffer once (${bufs.join(', ')})`);
    if (e.checks.length > 0) throw new Error(`${at}: with steps, put the checks in steps`);
  }
  if (e.ref && !/\w+::\w+\(/.test(e.call)) throw new Error(`${at}: 'ref' needs a kernel path 'module::function(' in the call`);
}

/** Parses the spec text into [{ name, doc, exports: [...] }]. */
export function parseSpec(text, file) {
  const families = [];
  let doc = [];
  let pending = null; // { text, doc, line }
  const flush = () => {
    if (pending === null) return;
    if (families.length === 0) throw new Error(`${file}:${pending.line}: an export before any 'family' line`);
    const fam = families[families.length - 1];
    fam.exports.push(parseExport(pending.text, pending.doc, fam.name, `${file}:${pending.line}`));
    pending = null;
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    const lineNo = i + 1;
    if (line.trim() === '' || /^\s*#/.test(line)) {
      flush();
      return;
    }
    if (/^\s/.test(line)) {
      if (pending === null) throw new Error(`${file}:${lineNo}: an indented line continues nothing`);
      pending.text += ` ${line.trim()}`;
      return;
    }
    flush();
    const fam = /^family (\w+):\s*(.*)$/.exec(line);
    if (fam) {
      families.push({ name: fam[1], doc: fam[2], exports: [] });
      doc = [];
      return;
    }
    if (line.startsWith('///')) {
      doc.push(line.slice(3).trim());
      return;
    }
    pending = { text: line, doc, line: lineNo };
    doc = [];
  });
  flush();
  const seen = new Set();
  for (const f of families) {
    for (const e of f.exports) {
      if (seen.has(e.name)) throw new Error(`${file}: ${e.name} is declared twice`);
      seen.add(e.name);
    }
  }
  return families;
}
