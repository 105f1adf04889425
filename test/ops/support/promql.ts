/**
 * Reading the operations kit the way the tests need it, without a YAML
 * dependency: the alert rules of ops/prometheus/alerts.yml (its own plain
 * layout; `promtool check rules` counts the rules to keep this reader
 * honest), the metric names a PromQL expression uses, and the names a
 * Prometheus text exposition declares.
 */

export interface AlertRuleText {
  readonly alert: string;
  readonly expr: string;
  /** The rule's lines, for checks of its labels and annotations. */
  readonly block: string;
}

const ALERT_LINE = /^(\s*)- (?:alert|record):\s*(\S+)\s*$/;

/** The alerting rules of a rule file written as alerts.yml is (`- alert:` items, `expr:` inline or as a block). */
export function readAlertRules(yaml: string): AlertRuleText[] {
  const lines = yaml.split('\n');
  const rules: AlertRuleText[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = ALERT_LINE.exec(lines[i] as string);
    if (head === null || !(lines[i] as string).includes('- alert:')) continue;
    const indent = (head[1] as string).length;
    let end = i + 1;
    while (end < lines.length) {
      const line = lines[end] as string;
      if (ALERT_LINE.test(line)) break;
      if (line.trim() !== '' && !line.trimStart().startsWith('#') && line.length - line.trimStart().length <= indent) break;
      end++;
    }
    const block = lines.slice(i, end);
    rules.push({ alert: head[2] as string, expr: exprOf(block), block: block.join('\n') });
  }
  return rules;
}

function exprOf(block: readonly string[]): string {
  const at = block.findIndex((line) => /^\s*expr:/.test(line));
  if (at === -1) return '';
  const line = block[at] as string;
  const value = line.slice(line.indexOf('expr:') + 'expr:'.length).trim();
  if (!/^[|>][-+]?$/.test(value)) return unquote(value);
  const keyIndent = line.length - line.trimStart().length;
  const body: string[] = [];
  for (const next of block.slice(at + 1)) {
    if (next.trim() !== '' && next.length - next.trimStart().length <= keyIndent) break;
    body.push(next.trim());
  }
  return body.join('\n').trim();
}

function unquote(value: string): string {
  if (value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replaceAll("''", "'");
  if (value.startsWith('"') && value.endsWith('"')) return JSON.parse(value) as string;
  return value;
}

/** Words of PromQL that are not metric names: aggregations, binary and set operators, modifiers. */
const KEYWORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'atan2', 'offset', 'bool', 'inf', 'nan',
]);

/**
 * Metric names an expression selects. Strings, label matchers, ranges and
 * grouping label lists are removed first; then a name is any identifier
 * that is not a keyword, not a function call and not a Grafana variable.
 * Grafana's `label_values(<selector>, label)` is read as its selector.
 */
export function metricNamesOf(expression: string): string[] {
  const labelValues = /^\s*label_values\(([\s\S]*),\s*\w+\s*\)\s*$/.exec(expression);
  let text = labelValues === null ? expression : (labelValues[1] as string);
  text = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ');
  text = text.replace(/\{[^{}]*\}/g, ' ');
  text = text.replace(/\[[^\]]*\]/g, ' ');
  text = text.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const token of text.matchAll(/\$\{?\w+\}?|\d[\w.]*|[A-Za-z_:][\w:]*/g)) {
    const word = token[0];
    if (word.startsWith('$') || /^\d/.test(word) || KEYWORDS.has(word)) continue;
    const after = text.slice((token.index ?? 0) + word.length).trimStart();
    if (after.startsWith('(')) continue;
    names.add(word);
  }
  return [...names];
}

/** Every series name a text exposition can hold: its `# TYPE` families (histograms and summaries with their suffixes) and its samples. */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type !== null) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
      continue;
    }
    const sample = /^([A-Za-z_:][\w:]*)[{ ]/.exec(line);
    if (sample !== null) names.add(sample[1] as string);
  }
  return names;
}

/** Metrics Prometheus makes itself for every target; no exporter exposes them. */
export const SCRAPE_SERIES: ReadonlySet<string> = new Set(['up']);

/** GitHub's anchor for a Markdown heading (lower case, punctuation dropped, spaces to dashes). */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}
