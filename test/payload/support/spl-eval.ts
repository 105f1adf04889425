/**
 * A small evaluator for the subset of Splunk's `eval` language the add-on's
 * props.conf uses (and the CIM data models' `validity` expressions), so that
 * a test can compute what Splunk would: field references (bare or
 * 'quoted'), "strings", numbers, `.` concatenation, == = != < <= > >=, AND
 * OR NOT, and case if coalesce lower upper replace match like isnull
 * isnotnull tonumber len null true false. Null propagates as in Splunk: a
 * comparison or a concatenation with null is null, and null is false.
 */
export type SplValue = string | number | boolean | null | readonly string[];
export type SplFields = Readonly<Record<string, string | readonly string[]>>;

type Node =
  | { t: 'lit'; v: SplValue }
  | { t: 'field'; name: string }
  | { t: 'call'; name: string; args: Node[] }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'not'; e: Node };

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|('[^']*')|(\d+(?:\.\d+)?)|(==|!=|<=|>=|[=<>().,+])|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) throw new Error(`cannot read eval at ${at}: ${text.slice(at, at + 20)}`);
    tokens.push((m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]) as string);
  }
  return tokens;
}

export function parseSpl(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const take = (expected?: string): string => {
    const token = tokens[i++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Error(`expected ${expected ?? 'a token'} at ${i - 1} in ${text}`);
    return token;
  };
  const or = (): Node => {
    let l = and();
    while (peek() === 'OR') {
      take();
      l = { t: 'bin', op: 'OR', l, r: and() };
    }
    return l;
  };
  const and = (): Node => {
    let l = not();
    while (peek() === 'AND') {
      take();
      l = { t: 'bin', op: 'AND', l, r: not() };
    }
    return l;
  };
  const not = (): Node => {
    if (peek() === 'NOT') {
      take();
      return { t: 'not', e: not() };
    }
    return comparison();
  };
  const comparison = (): Node => {
    const l = concat();
    const op = peek();
    if (op !== undefined && ['==', '=', '!=', '<', '<=', '>', '>='].includes(op)) {
      take();
      return { t: 'bin', op: op === '=' ? '==' : op, l, r: concat() };
    }
    return l;
  };
  const concat = (): Node => {
    let l = primary();
    while (peek() === '.' || peek() === '+') {
      const op = take();
      l = { t: 'bin', op, l, r: primary() };
    }
    return l;
  };
  const primary = (): Node => {
    const token = take();
    if (token === '(') {
      const e = or();
      take(')');
      return e;
    }
    // Splunk keeps a backslash in a string literal (regexes: "\d", "\2") except before a quote or another backslash.
    if (token.startsWith('"')) return { t: 'lit', v: token.slice(1, -1).replace(/\\(["\\])/g, '$1') };
    if (token.startsWith("'")) return { t: 'field', name: token.slice(1, -1) };
    if (/^\d/.test(token)) return { t: 'lit', v: Number(token) };
    if (peek() === '(') {
      take('(');
      const args: Node[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') take(',');
      }
      take(')');
      return { t: 'call', name: token.toLowerCase(), args };
    }
    return { t: 'field', name: token };
  };
  const node = or();
  if (i !== tokens.length) throw new Error(`unexpected ${tokens[i]} in ${text}`);
  return node;
}

const truthy = (v: SplValue): boolean => v === true;
const scalar = (v: SplValue): string | number | null => (v === null || typeof v === 'boolean' ? null : Array.isArray(v) ? (v[0] ?? null) : (v as string | number));

function compare(op: string, a: SplValue, b: SplValue): SplValue {
  if (a === null || b === null) return null;
  const left = Array.isArray(a) ? a : [a];
  return left.some((x) => {
    const y = scalar(b);
    const nx = Number(x);
    const ny = Number(y);
    const numeric = x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny);
    const [p, q] = numeric ? [nx, ny] : [String(x), String(y)];
    switch (op) {
      case '==': return p === q;
      case '!=': return p !== q;
      case '<': return p < q;
      case '<=': return p <= q;
      case '>': return p > q;
      default: return p >= q;
    }
  });
}

/** Splunk's replace() takes a PCRE and `\1` back references. */
const replacement = (text: string): string => text.replace(/\\(\d)/g, '$$$1');

export function evalSpl(node: Node, fields: SplFields): SplValue {
  const ev = (n: Node): SplValue => evalSpl(n, fields);
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'field':
      return fields[node.name] ?? null;
    case 'not': {
      const v = ev(node.e);
      return v === null ? null : !truthy(v);
    }
    case 'bin': {
      if (node.op === 'AND') return truthy(ev(node.l)) && truthy(ev(node.r));
      if (node.op === 'OR') return truthy(ev(node.l)) || truthy(ev(node.r));
      const l = ev(node.l);
      const r = ev(node.r);
      if (node.op === '.' || node.op === '+') {
        const a = scalar(l);
        const b = scalar(r);
        return a === null || b === null ? null : `${a}${b}`;
      }
      return compare(node.op, l, r);
    }
    case 'call':
      return call(node.name, node.args, ev);
  }
}

function call(name: string, args: Node[], ev: (n: Node) => SplValue): SplValue {
  const arg = (k: number): SplValue => ev(args[k] as Node);
  const text = (k: number): string | null => {
    const v = scalar(arg(k));
    return v === null ? null : String(v);
  };
  switch (name) {
    case 'case':
      for (let k = 0; k + 1 < args.length; k += 2) if (truthy(arg(k))) return arg(k + 1);
      return null;
    case 'if':
      return truthy(arg(0)) ? arg(1) : arg(2);
    case 'coalesce':
      for (let k = 0; k < args.length; k++) {
        const v = arg(k);
        if (v !== null) return v;
      }
      return null;
    case 'lower':
      return text(0)?.toLowerCase() ?? null;
    case 'upper':
      return text(0)?.toUpperCase() ?? null;
    case 'len':
      return text(0)?.length ?? null;
    case 'replace': {
      const s = text(0);
      return s === null ? null : s.replace(new RegExp(text(1) ?? '', 'g'), replacement(text(2) ?? ''));
    }
    case 'match': {
      const s = text(0);
      return s === null ? null : new RegExp(text(1) ?? '').test(s);
    }
    case 'like': {
      const s = text(0);
      const pattern = (text(1) ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
      return s === null ? null : new RegExp(`^${pattern}$`, 's').test(s);
    }
    case 'isnull':
      return arg(0) === null;
    case 'isnotnull':
      return arg(0) !== null;
    case 'tonumber': {
      const s = text(0);
      return s === null || !Number.isFinite(Number(s)) ? null : Number(s);
    }
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw new Error(`eval function ${name}() is not in this evaluator`);
  }
}
