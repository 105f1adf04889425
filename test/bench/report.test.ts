import { describe, expect, it } from 'vitest';
import { renderReport, replaceBlock } from '../../bench/report.js';

const receiver = {
  bench: 'receiver',
  machine: { nproc: 2, cpuModel: 'Test CPU', node: 'v20.0.0', commit: 'abc1234', loadavgBefore: [1, 2, 3], loadavgAfter: [1, 1, 1] },
  targets: { ceilingRatio: { value: 0.5, target: '>= 0.8', met: false }, only200UnderLoad: { value: { 200: 10 }, target: 'only 200', met: true } },
  phases: [
    {
      name: 'peak',
      linesPerSec: 5000,
      requestsPerSec: 50,
      ceilingLinesPerSec: 10000,
      ceilingRatio: 0.5,
      receiverCpuMicrosPerLine: 260,
      receiverCpuMicrosPerLineByThread: { main: 110, threads: 150 },
      ceilingCpuMicrosPerLine: 130,
      cpuRatio: 0.5,
      latencyMs: { p50: 12.34, p99: 45.6 },
      groupCommit: { batchesPerTransaction: 2.5 },
      peakRssMb: 120,
      statusCodes: { 200: 10 },
    },
  ],
};

describe('bench report', () => {
  it('renders the receiver phases and targets as markdown tables', () => {
    const text = renderReport([receiver]);
    expect(text).toContain('| peak | 5,000 | 50.0 | 10,000 | 50% | 260 (110 + 150) | 130 | 50% | 12.3 | 45.6 | 2.50 | 120 | 200×10 |');
    expect(text).toContain('| ceilingRatio | >= 0.8 | 0.5 | **not met** |');
    expect(text).toContain('| only200UnderLoad | only 200 | {"200":10} | met |');
  });

  it.each([
    ['tokenizer', { bench: 'tokenizer', lines: 10, results: [{ name: 'tokenizeCef', linesPerSec: 1e6, wallLinesPerSec: 9e5 }], goals: { tokenizeOnly: { target: 1e6, measured: 1e6, met: true } } }, '| `tokenizeCef` | 1,000,000 | 900,000 | - |'],
    ['verify', { bench: 'verify', lines: 10, target: 0.85, linesPerSec: { ceiling: 100, core: 90 }, cpuMicrosPerLine: { ceiling: 10, core: 11 }, ratios: { core: 0.9 }, cpuRatios: { core: 0.91 }, pass: { core: true } }, '| core | 90 | 0.90 | 11 | 0.91 |'],
  ])('renders the %s result', (_name, result, row) => {
    expect(renderReport([result])).toContain(row);
  });

  it('replaces only the marked block', () => {
    const file = 'intro\n<!-- bench-report:start -->\nold\n<!-- bench-report:end -->\noutro\n';
    expect(replaceBlock(file, 'new\n')).toBe('intro\n<!-- bench-report:start -->\nnew\n<!-- bench-report:end -->\noutro\n');
    expect(() => replaceBlock('no markers', 'x')).toThrow(/bench-report/);
  });
});

describe('several receiver runs', () => {
  it('details the last run and lists every run', () => {
    const second = { ...receiver, machine: { ...receiver.machine, commit: 'def5678' } };
    const text = renderReport([receiver, second]);
    expect(text).toContain('Commit def5678');
    expect(text).toContain('| 1 | abc1234 | 1 2 3 | 5,000 | 50% | 50% | - | - | met |');
    expect(text).toContain('| 2 | def5678 |');
  });
});
