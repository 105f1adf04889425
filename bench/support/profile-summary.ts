/**
 * @module bench/support/profile-summary
 * Summarizes a `node --cpu-prof` profile: self time by function and by
 * package/source area, so that a bench result can say where the receiver's
 * CPU goes. Usage: `tsx bench/support/profile-summary.ts FILE.cpuprofile [top]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byFunction: readonly { readonly name: string; readonly ms: number; readonly share: number }[];
  readonly byArea: readonly { readonly area: string; readonly ms: number; readonly share: number }[];
}

/** `src/verify`, `node_modules/hono`, `node:internal/...`, `(garbage collector)`, ... */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm !== null) return `node_modules/${nm[1]}`;
  const src = /\/(src|dist)\/([^/]+)(\/|\.js|\.ts)/.exec(url);
  if (src !== null) return `src/${src[2]?.replace(/\.(js|ts)$/, '')}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 3).join('/');
  return url;
}

export function summarizeProfile(profile: Profile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (node === undefined) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').slice(-2).join('/');
    const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const a = areaOf(url, functionName);
    area.set(a, (area.get(a) ?? 0) + us);
  }
  const rows = <K extends string>(m: Map<string, number>, k: K): ({ ms: number; share: number } & Record<K, string>)[] =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, top)
      .map(([name, us]) => ({ [k]: name, ms: Math.round(us / 1000), share: Math.round((us / total) * 1000) / 1000 }) as { ms: number; share: number } & Record<K, string>);
  return { totalMs: Math.round(total / 1000), byFunction: rows(fn, 'name'), byArea: rows(area, 'area') };
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: tsx bench/support/profile-summary.ts FILE.cpuprofile [top]');
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(process.argv[3] ?? 25));
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}
