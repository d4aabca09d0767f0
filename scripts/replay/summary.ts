/**
 * The replay's counters, the top rejected flows, and the table printed at
 * the end.
 */
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { fieldIndex } from '../../shared/flowlog/format.ts';
import { fieldCount, likelyCause } from './cause.ts';
import type { FormatDiagnosis } from './diagnosis.ts';
import { fieldAt } from './records.ts';

/** Most distinct rejected flows kept; beyond it, rare ones are forgotten. */
const MAX_TRACKED_FLOWS = 100_000;

/** How many rejected flows the summary lists. */
const TOP_FLOWS = 10;

/** IANA protocol numbers the summary names. */
const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '47': 'gre',
  '50': 'esp',
  '58': 'icmpv6',
};

/** Counts REJECT lines by srcaddr→dstaddr:dstport/protocol. */
class RejectCounter {
  private readonly counts = new Map<string, number>();
  /** True once rare flows were forgotten: counts are then lower bounds. */
  approximate = false;

  add(flow: string): void {
    this.counts.set(flow, (this.counts.get(flow) ?? 0) + 1);
    if (this.counts.size > MAX_TRACKED_FLOWS) this.prune();
  }

  /** The `n` most rejected flows, most first, ties by name. */
  top(n: number): Array<[string, number]> {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n);
  }

  private prune(): void {
    this.approximate = true;
    for (let floor = 1; this.counts.size > MAX_TRACKED_FLOWS / 2; floor++) {
      for (const [flow, count] of this.counts) {
        if (count <= floor) this.counts.delete(flow);
      }
    }
  }
}

/** Reads the fields of rejected flows of one format. */
class RejectTracker {
  private readonly action: number;
  private readonly fields: readonly number[];
  private readonly counter: RejectCounter;

  constructor(format: FlowLogFormat, counter: RejectCounter) {
    this.action = fieldIndex(format, 'action');
    this.fields = ['srcaddr', 'dstaddr', 'dstport', 'protocol'].map((name) =>
      fieldIndex(format, name)
    );
    this.counter = counter;
  }

  /** Counts `line` when its action is REJECT. O(line length). */
  observe(line: string): void {
    if (this.action < 0 || !line.includes('REJECT')) return;
    if (fieldAt(line, this.action) !== 'REJECT') return;
    const [src, dst, port, protocol] = this.fields.map((index) =>
      index < 0 ? '-' : (fieldAt(line, index) ?? '-')
    );
    const name = PROTOCOL_NAMES[protocol!] ?? protocol;
    this.counter.add(`${src}→${dst}:${port}/${name}`);
  }
}

/** Failed records of one reason: how many, and the first one. */
interface FailureReason {
  count: number;
  /** Where the first one came from (`file:line`, `file records[i]`). */
  first: string;
  /** Its text (or the handler's error message), possibly cut. */
  excerpt: string;
  /** The format it was read with. */
  format: FlowLogFormat;
}

/** Failed records by reason, in order of first appearance. */
class FailureReasons {
  readonly byReason = new Map<string, FailureReason>();

  /** Counts `count` failures of `reason`; the first one seen is kept. */
  add(
    reason: string,
    count: number,
    first: Omit<FailureReason, 'count'>
  ): void {
    const known = this.byReason.get(reason);
    if (known !== undefined) known.count += count;
    else this.byReason.set(reason, { count, ...first });
  }
}

/** Everything the summary reports. */
interface ReplayStats {
  inputs: number;
  batches: number;
  records: number;
  ok: number;
  dropped: number;
  failed: number;
  /** Batches whose invocation threw. */
  functionErrors: number;
  /** Flow-log lines read from text inputs (headers and blanks excluded). */
  lines: number;
  /** Flow-log text read, bytes (each line plus its newline). */
  bytesIn: number;
  /** Ok data delivered, bytes before compression. */
  bytesOut: number;
  objects: number;
  errorObjects: number;
  /** Bytes written to disk, after compression. */
  bytesWritten: number;
  readonly rejects: RejectCounter;
  readonly reasons: FailureReasons;
  /** Header lines read (each sets or switches the format). */
  headers: number;
  /** Lines read, by FLOW_LOG_FORMAT text. */
  readonly linesByFormat: Map<string, { lines: number }>;
  /** The function's counters summed per FLOW_LOG_FORMAT text. */
  readonly diagnoses: Map<string, FormatDiagnosis>;
}

/** Zeroed counters. */
function newStats(): ReplayStats {
  return {
    inputs: 0,
    batches: 0,
    records: 0,
    ok: 0,
    dropped: 0,
    failed: 0,
    functionErrors: 0,
    lines: 0,
    bytesIn: 0,
    bytesOut: 0,
    objects: 0,
    errorObjects: 0,
    bytesWritten: 0,
    rejects: new RejectCounter(),
    reasons: new FailureReasons(),
    headers: 0,
    linesByFormat: new Map(),
    diagnoses: new Map(),
  };
}

/** `1.23 MB` (10^6 bytes), `456 B`. */
function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

function row(label: string, value: string | number): string {
  const text =
    typeof value === 'number' ? value.toLocaleString('en-US') : value;
  return `  ${label.padEnd(20)}${text}`;
}

function rejectedRows(stats: ReplayStats): string[] {
  const top = stats.rejects.top(TOP_FLOWS);
  if (top.length === 0) return ['', 'Top rejected flows: none'];
  const note = stats.rejects.approximate ? ' (approximate)' : '';
  const width = String(top[0]![1]).length;
  return [
    '',
    `Top rejected flows (REJECT lines)${note}`,
    ...top.map(([flow, n]) => `  ${String(n).padStart(width)}  ${flow}`),
  ];
}

/** Longest excerpt of a failing line the summary prints. */
const MAX_EXCERPT_CHARS = 120;

function cut(text: string): string {
  return text.length > MAX_EXCERPT_CHARS
    ? `${text.slice(0, MAX_EXCERPT_CHARS - 1)}…`
    : text;
}

function reasonRows(stats: ReplayStats): string[] {
  const reasons = [...stats.reasons.byReason];
  if (reasons.length === 0) return [];
  const width = Math.max(...reasons.map(([reason]) => reason.length));
  const rows = ['', 'ProcessingFailed records by reason'];
  for (const [reason, failure] of reasons) {
    rows.push(
      `  ${reason.padEnd(width)}  ${failure.count.toLocaleString('en-US')}, first at ${failure.first}`,
      `    ${cut(failure.excerpt)}`,
      `    likely cause: ${causeOf(stats, reason, failure)}`
    );
  }
  return rows;
}

/** The core's diagnosis when the reason dominates its format, else ours. */
function causeOf(
  stats: ReplayStats,
  reason: string,
  failure: FailureReason
): string {
  const diagnosis = stats.diagnoses.get(failure.format.text);
  const core = diagnosis?.failureCause(reason);
  if (core === undefined) {
    return likelyCause(reason, failure.format, failure.excerpt, {
      failed: failure.count,
      lines: stats.linesByFormat.get(failure.format.text)?.lines ?? 0,
    });
  }
  // The scanner stops at the first bad field, so a line of another format
  // often fails as bad_integer: its field count tells the story better.
  const have = fieldCount(failure.excerpt);
  const want = failure.format.fields.length;
  return have === want || core.includes('fields, lines have')
    ? core
    : `${core} (the first such line has ${have} fields, FLOW_LOG_FORMAT ${want})`;
}

/**
 * One stderr warning per format most of whose lines hold values outside a
 * field's documented set or range: the records are Ok, so nothing else
 * would say it.
 */
function valueWarnings(stats: ReplayStats): string[] {
  const warnings: string[] = [];
  for (const diagnosis of stats.diagnoses.values()) {
    if (diagnosis.valueCause() === undefined) continue;
    const fields = diagnosis.format.fields.length;
    warnings.push(
      `replay: warning: most lines of the ${fields}-field format hold values outside their field's documented set or range; see 'Values outside their documented set or range' above`
    );
  }
  return warnings;
}

/** Formats most of whose lines hold values outside their set or range. */
function valueRows(stats: ReplayStats): string[] {
  const rows: string[] = [];
  for (const diagnosis of stats.diagnoses.values()) {
    const cause = diagnosis.valueCause();
    if (cause === undefined) continue;
    const names = diagnosis.format.fields.map((field) => field.name);
    rows.push(
      `  ${names.length}-field format (${names.slice(0, 3).join(' ')} …): ${cause}`
    );
  }
  return rows.length === 0
    ? []
    : ['', 'Values outside their documented set or range', ...rows];
}

/**
 * The end-of-run table: records by result, lines, bytes, throughput, and the
 * top rejected flows.
 *
 * @param elapsedMs - wall time of the whole replay
 */
function formatSummary(stats: ReplayStats, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const mbps = stats.bytesIn / 1e6 / seconds;
  const lps = Math.round(stats.lines / seconds);
  return [
    'Replay summary',
    row('inputs', stats.inputs),
    row('batches', stats.batches),
    row('records in', stats.records),
    row('  Ok', stats.ok),
    row('  Dropped', stats.dropped),
    row('  ProcessingFailed', stats.failed),
    row('function errors', stats.functionErrors),
    row('lines', stats.lines),
    row(
      'formats',
      [...stats.linesByFormat.values()].filter((read) => read.lines > 0).length
    ),
    row('bytes in', formatBytes(stats.bytesIn)),
    row('bytes out', formatBytes(stats.bytesOut)),
    row(
      'objects',
      `${stats.objects} + ${stats.errorObjects} error (${formatBytes(stats.bytesWritten)} on disk)`
    ),
    row('elapsed', `${seconds.toFixed(2)} s`),
    row(
      'throughput',
      `${mbps.toFixed(2)} MB/s, ${lps.toLocaleString('en-US')} lines/s`
    ),
    ...reasonRows(stats),
    ...valueRows(stats),
    ...rejectedRows(stats),
  ].join('\n');
}

export type { FailureReason, ReplayStats };
export {
  FailureReasons,
  formatBytes,
  formatSummary,
  newStats,
  RejectCounter,
  RejectTracker,
  valueWarnings,
};
