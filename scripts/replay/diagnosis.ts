/**
 * The run's counters per flow-log format, summed over every invocation from
 * the handler's summary log lines, and read by the core's
 * `likelyCause(counters, format)` (shared/firehose/diagnose.ts), so that the
 * replay summary and the function's log name the same cause.
 */
import type {
  DiagnosisInput,
  UnexpectedValueCount,
} from '../../shared/firehose/diagnose.ts';
import { likelyCause } from '../../shared/firehose/diagnose.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';

/** Counters of one format, summed over the run. */
class FormatDiagnosis {
  readonly format: FlowLogFormat;
  records = 0;
  lines = 0;
  readonly malformed: Record<string, number> = {};
  readonly unexpectedValues: Record<string, UnexpectedValueCount> = {};
  readonly malformedFieldCounts: Record<string, number> = {};

  constructor(format: FlowLogFormat) {
    this.format = format;
  }

  /** Adds one invocation's summary-line counters (unknown shapes ignored). */
  add(counters: Record<string, unknown> | undefined): void {
    if (counters === undefined) return;
    this.records += numberOf(counters.records);
    this.lines += numberOf(counters.lines);
    addCounts(this.malformed, counters.malformed);
    addCounts(this.malformedFieldCounts, counters.malformedFieldCounts);
    const values = counters.unexpectedValues;
    if (typeof values !== 'object' || values === null) return;
    for (const [field, value] of Object.entries(values)) {
      const count = value as Partial<UnexpectedValueCount>;
      if (typeof count?.lines !== 'number') continue;
      const known = this.unexpectedValues[field];
      if (known !== undefined) known.lines += count.lines;
      else {
        this.unexpectedValues[field] = {
          lines: count.lines,
          sample: String(count.sample ?? ''),
          recordId: String(count.recordId ?? ''),
        };
      }
    }
  }

  /** The cause of this format's failures, when one reason dominates. */
  failureCause(reason: string): string | undefined {
    let top: string | undefined;
    for (const [name, n] of Object.entries(this.malformed)) {
      if (top === undefined || n > (this.malformed[top] ?? 0)) top = name;
    }
    if (top !== reason) return undefined;
    return likelyCause({ ...this.input(), unexpectedValues: {} }, this.format);
  }

  /** The cause of values outside their field's documented set, if most are. */
  valueCause(): string | undefined {
    return likelyCause({ ...this.input(), malformed: {} }, this.format);
  }

  private input(): DiagnosisInput {
    return {
      records: this.records,
      lines: this.lines,
      malformed: this.malformed,
      unexpectedValues: this.unexpectedValues,
      malformedFieldCounts: this.malformedFieldCounts,
    };
  }
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function addCounts(into: Record<string, number>, counts: unknown): void {
  if (typeof counts !== 'object' || counts === null) return;
  for (const [key, n] of Object.entries(counts)) {
    if (typeof n === 'number') into[key] = (into[key] ?? 0) + n;
  }
}

export { FormatDiagnosis };
