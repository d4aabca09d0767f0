// How npm run bench prints: one line per case as it finishes, then tables
// in Markdown (the README's "Benchmark" section pastes them).
import type { TargetBase } from './cases.ts';

interface CaseBase {
  readonly name: string;
  readonly records: number;
  /** Fields per line (the format's width). */
  readonly fields: number;
  /** Bytes of event JSON. */
  readonly eventBytes: number;
  readonly target: { readonly base: TargetBase; readonly ratio: number };
}

/** A case that was not timed, and why. */
interface SkippedCase extends CaseBase {
  readonly skipped: string;
  /** base64 data of the first record that failed on its own, if any. */
  readonly firstFailing?: string;
}

/** A timed case: medians in ms, ratios as medians of per-round ratios. */
interface TimedCase extends CaseBase {
  readonly skipped?: undefined;
  readonly responseBytes: number;
  /** Flow-log text bytes (LF included, wrapper excluded). */
  readonly textBytes: number;
  readonly rounds: number;
  /** Timed and warm-up calls of OURS, each checked all-Ok. */
  readonly calls: number;
  /** Records not Ok over all those calls (0 when all-Ok). */
  readonly notOk: number;
  readonly ms: {
    readonly floor: number;
    readonly exact: number;
    readonly naive: number | undefined;
    readonly ours: number;
  };
  /** Process CPU time (user + system, all threads) per call, median. */
  readonly cpuMs: {
    readonly floor: number;
    readonly exact: number;
    readonly naive: number | undefined;
    readonly ours: number;
  };
  /** On wall time: medians of the per-round ratios. */
  readonly ratio: Ratios;
  /** The same on process CPU time. */
  readonly cpuRatio: Ratios;
}

interface Ratios {
  /** OURS / FLOOR. */
  readonly floor: number;
  /** OURS / FLOOR-EXACT. */
  readonly exact: number;
  /** NAIVE / OURS: how many times faster than the blueprint way. */
  readonly naive: number | undefined;
}

type CaseResult = SkippedCase | TimedCase;

/** Result of a memory probe (rss-child.ts). */
interface MemoryResult {
  readonly label: string;
  /** process.version of the probe. */
  readonly node: string;
  readonly eventBytes: number;
  readonly records: number;
  readonly responseBytes: number;
  readonly ok: number;
  readonly dropped: number;
  readonly failed: number;
  /** RSS once the bundle is loaded (its cold start done), MiB. */
  readonly loadedMiB: number;
  /** Peak RSS of the process, MiB. */
  readonly peakMiB: number;
}

/** Target of issue #12 for memory: a 6 MB event adds at most this, MiB. */
const MEMORY_TARGET_MIB = 64;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const MB = 1_048_576;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 1) => n.toFixed(digits);

/** `met`, or `misses by 105%`: how far a ratio is from the case's target. */
function verdict(result: TimedCase, ratios: Ratios): string {
  const { base, ratio } = result.target;
  const got = base === 'FLOOR' ? ratios.floor : ratios.exact;
  const over = got / ratio - 1;
  return over <= 0 ? 'met' : `misses by ${Math.round(over * 100)}%`;
}

function targetText(result: CaseBase): string {
  return `≤${fixed(result.target.ratio, 2)}× ${result.target.base}`;
}

/** OURS' process CPU time per record, ns. */
function perRecordNs(result: TimedCase): number {
  return (result.cpuMs.ours * 1e6) / result.records;
}

/** One line for a finished case. */
function formatCaseLine(result: CaseResult): string {
  const head = `${result.name}: ${int(result.records)} records, event ${fixed(result.eventBytes / MB, 2)} MB`;
  if (result.skipped !== undefined) {
    const sample =
      result.firstFailing === undefined
        ? ''
        : `; first failing record's data: ${Buffer.from(result.firstFailing, 'base64').toString('utf8').trimEnd()}`;
    return `${head}: NOT TIMED, ${result.skipped}${sample}`;
  }
  const { ms, ratio, cpuRatio } = result;
  const naive = ms.naive === undefined ? '' : `, NAIVE ${fixed(ms.naive)} ms`;
  const vsNaive =
    ratio.naive === undefined ? '' : `, NAIVE/OURS ${fixed(ratio.naive, 2)}`;
  const ns = perRecordNs(result);
  return (
    `${head}, response ${fixed(result.responseBytes / MB, 2)} MB | ` +
    `wall: FLOOR ${fixed(ms.floor)} ms, FLOOR-EXACT ${fixed(ms.exact)} ms${naive}, OURS ${fixed(ms.ours)} ms; ` +
    `OURS/FLOOR ${fixed(ratio.floor, 2)}, OURS/FLOOR-EXACT ${fixed(ratio.exact, 2)}${vsNaive} | ` +
    `CPU: OURS ${fixed(result.cpuMs.ours)} ms, OURS/FLOOR ${fixed(cpuRatio.floor, 2)}, OURS/FLOOR-EXACT ${fixed(cpuRatio.exact, 2)}; ` +
    `${int(ns)} ns/record, ${int(ns / result.fields)} ns/field | ` +
    `target ${targetText(result)}: wall ${verdict(result, ratio)}, CPU ${verdict(result, cpuRatio)} | ` +
    `${result.calls} calls, ${result.notOk === 0 ? 'all Ok' : `${result.notOk} records NOT Ok`}`
  );
}

function markdownTable(
  header: string[],
  rows: string[][],
  numericLast = false
): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  // Numbers right-aligned; the first and the last (text) column left.
  const rule = header.map((_, i) =>
    i === 0 || (i === header.length - 1 && !numericLast) ? '---' : '---:'
  );
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

/** The timing table of one Node version. */
function timingTable(results: readonly CaseResult[]): string {
  const header = [
    'case',
    'records',
    'event MB',
    'FLOOR ms',
    'OURS ms',
    'OURS/FLOOR',
    'OURS/FLOOR-EXACT',
    'NAIVE/OURS',
    'OURS CPU ms',
    'CPU OURS/FLOOR',
    'CPU OURS/FLOOR-EXACT',
    'CPU ns/record',
    'CPU ns/field',
    'target: wall; CPU',
  ];
  const rows = results.map((r) => {
    const head = [r.name, int(r.records), fixed(r.eventBytes / MB, 2)];
    if (r.skipped !== undefined) {
      return [...head, ...header.slice(3, -1).map(() => '–'), r.skipped];
    }
    const ns = perRecordNs(r);
    return [
      ...head,
      fixed(r.ms.floor),
      fixed(r.ms.ours),
      fixed(r.ratio.floor, 2),
      fixed(r.ratio.exact, 2),
      r.ratio.naive === undefined ? '–' : fixed(r.ratio.naive, 2),
      fixed(r.cpuMs.ours),
      fixed(r.cpuRatio.floor, 2),
      fixed(r.cpuRatio.exact, 2),
      int(ns),
      int(ns / r.fields),
      `${targetText(r)}: ${verdict(r, r.ratio)}; ${verdict(r, r.cpuRatio)}`,
    ];
  });
  return markdownTable(header, rows);
}

/** One line for a finished memory probe. */
function formatMemoryLine(result: MemoryResult): string {
  const added = result.peakMiB - result.loadedMiB;
  return (
    `memory ${result.label} on Node ${result.node}: event ${fixed(result.eventBytes / MB, 2)} MB, ${int(result.records)} records -> ` +
    `response ${fixed(result.responseBytes / MB, 2)} MB (Ok ${result.ok}, re-ingested ${result.dropped}, ProcessingFailed ${result.failed}); ` +
    `RSS loaded ${fixed(result.loadedMiB)} MiB, peak ${fixed(result.peakMiB)} MiB, added ${fixed(added)} MiB`
  );
}

/** The memory table of one Node version. */
function memoryTable(results: readonly MemoryResult[]): string {
  const header = [
    'event',
    'records',
    'event MB',
    'response MB',
    'Ok / re-ingested',
    'RSS loaded MiB',
    'peak MiB',
    'added MiB',
  ];
  const rows = results.map((r) => [
    r.label,
    int(r.records),
    fixed(r.eventBytes / MB, 2),
    fixed(r.responseBytes / MB, 2),
    `${int(r.ok)} / ${int(r.dropped)}${r.failed > 0 ? ` (${r.failed} failed)` : ''}`,
    fixed(r.loadedMiB),
    fixed(r.peakMiB),
    fixed(r.peakMiB - r.loadedMiB),
  ]);
  return markdownTable(header, rows, true);
}

export type { CaseResult, MemoryResult, Ratios, SkippedCase, TimedCase };
export {
  formatCaseLine,
  formatMemoryLine,
  MEMORY_TARGET_MIB,
  median,
  memoryTable,
  timingTable,
};
