/**
 * @module sender/tamper
 * Makes a signed line fail verification while keeping it parseable, the way
 * a line altered in transit or at rest would look: one digit of the signed
 * part changes (d → d+1, 9 → 8, so a JSON number never gains a leading zero
 * and no CEF delimiter appears). The `sig` itself is left intact, so the
 * receiver sees a well-formed signature that does not verify (`invalid`),
 * not a `malformed` one.
 */

const CEF_SIG = ' sig=';
const JSON_SIG = '"sig":"';

/** The line with one byte of its signed part changed; the line itself when it has no digit to change. */
export function tamperLine(line: string): string {
  const [sigStart, sigEnd] = sigSpan(line);
  for (let i = line.length - 1; i >= 0; i--) {
    if (i >= sigStart && i < sigEnd) continue;
    const c = line.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      const replacement = c === 0x39 ? '8' : String.fromCharCode(c + 1);
      return line.slice(0, i) + replacement + line.slice(i + 1);
    }
  }
  return line;
}

/** Character span `[start, end)` of the sig member/extension to leave alone; empty when none. */
function sigSpan(line: string): [number, number] {
  const json = line.lastIndexOf(JSON_SIG);
  if (json !== -1) {
    const close = line.indexOf('"', json + JSON_SIG.length);
    return [json, close === -1 ? line.length : close + 1];
  }
  const cef = line.lastIndexOf(CEF_SIG);
  if (cef !== -1) {
    // Konnect puts `sig` last (SPEC 3); its value runs to the next space or the end.
    const space = line.indexOf(' ', cef + CEF_SIG.length);
    return [cef, space === -1 ? line.length : space];
  }
  return [0, 0];
}

/** Which of `count` lines to tamper with: `n` indexes spread evenly, first one at 0. */
export function tamperIndexes(count: number, n: number): number[] {
  const indexes: number[] = [];
  for (let k = 0; k < Math.min(n, count); k++) indexes.push(Math.floor((k * count) / n));
  return indexes;
}
