/**
 * The value audit: after a line scans, checks each field that has a closed
 * set of documented values, and each integer field whose documented range
 * is narrower than the scanner's 64 bits (srcport, dstport, protocol,
 * tcp-flags; shared/flowlog/values.ts), and counts the lines whose value is
 * outside it. A line is never failed for it, and its value is written as it
 * is: AWS may add values. The counts say when FLOW_LOG_FORMAT does not match
 * the lines (`log_status: "egress"`), which no scan error can, and show data
 * no flow holds (`srcport: 65536`, `srcaddr: 999.1.1.1`). Address fields
 * (values.ts ADDRESS_FIELDS) are checked with shared/net/ip.ts parseIp:
 * dotted-decimal IPv4 without leading zeros, or RFC 4291 section 2.2 IPv6
 * text.
 *
 * Cost per line: one length compare per documented value of each checked
 * set, a byte compare only when the lengths agree; for a range, one length
 * compare (a port of up to 4 digits is in range), a digit compare only at
 * the maximum's length; for an address, one parse of its bytes; no strings, except one sample per field per record
 * that holds an unexpected value.
 */

import { parseIp } from '../net/ip.ts';
import type { FlowLogFormat } from './format.ts';
import { FIELD_KIND, type FlowLogLine } from './line.ts';
import { countFields } from './scan.ts';
import { auditedRangeOf, closedSetOf, isAddressField } from './values.ts';

/** Where parseIp writes an address the audit only validates. */
const SCRATCH = new Uint8Array(16);

/** Longest sample value kept, in bytes. */
const MAX_SAMPLE_BYTES = 64;

/** One unexpected-value tally: lines, a sample and where it was. */
interface UnexpectedValueTally {
  lines: number;
  sample: string;
  recordId: string;
}

/** Where the audit's per-record counts go (BatchCounters' fields). */
interface AuditTotals {
  unexpectedValues: Partial<Record<string, UnexpectedValueTally>>;
  malformedFieldCounts: Partial<Record<string, number>>;
}

/**
 * A value's key: length, first and last byte. Documented values of one field
 * differ in key, so a line's value is compared byte for byte only with the
 * one value whose key it shares (measured: a linear walk of Uint8Arrays cost
 * the v5 example line about 10% of its scan).
 */
function keyOf(bytes: Uint8Array, start: number, end: number): number {
  return ((end - start) << 16) | (bytes[start]! << 8) | bytes[end - 1]!;
}

/** True when `bytes[start, start + literal.length)` equals `literal`. */
function equalsAt(
  bytes: Uint8Array,
  start: number,
  literal: Uint8Array
): boolean {
  for (let k = 1; k < literal.length - 1; k++) {
    if (bytes[start + k] !== literal[k]) return false;
  }
  return true;
}

/**
 * True when the canonical digits `bytes[start, start + max.length)` (no
 * leading zero) exceed `max`, digits of the same length: the first
 * differing digit decides.
 */
function exceeds(bytes: Uint8Array, start: number, max: Uint8Array): boolean {
  for (let k = 0; k < max.length; k++) {
    const diff = bytes[start + k]! - max[k]!;
    if (diff !== 0) return diff > 0;
  }
  return false;
}

/**
 * Per-record value audit of one format. Not re-entrant; the transformer
 * calls {@link ValueAudit.reset} when a record begins and
 * {@link ValueAudit.check} after each line scans.
 *
 * @example
 * const audit = new ValueAudit(format);
 * audit.reset();
 * if (scanLine(bytes, 0, bytes.length, plan, line) === undefined) audit.check(line);
 * if (audit.dirty) addAudit(counters, audit, recordId);
 */
class ValueAudit {
  /**
   * AWS field name of each check, e.g. `log-status`: the closed sets first,
   * then the ranges, then the addresses, each in format order.
   */
  readonly fields: readonly string[];
  /** Lines of the current record with an unexpected value, per check. */
  readonly counts: Uint32Array;
  /** The first unexpected value of the current record, per check. */
  readonly samples: (string | undefined)[];
  /** True once the current record has an unexpected value. */
  dirty = false;
  /** Fields of the current record's line that failed to scan, or 0. */
  failedFieldCount = 0;

  /** Position in the line of each closed-set check's field. */
  private readonly positions: Uint32Array;
  /** Check `c`'s values are `values[first[c] .. first[c + 1])`. */
  private readonly first: Uint32Array;
  /** {@link keyOf} of every documented value, check after check. */
  private readonly keys: Int32Array;
  private readonly values: readonly Uint8Array[];
  /** Position in the line of each range check's field. */
  private readonly rangePositions: Uint32Array;
  /** Each range's maximum, as canonical ASCII digits (`65535`). */
  private readonly rangeMax: readonly Uint8Array[];
  /** Position in the line of each address check's field. */
  private readonly addressPositions: Uint32Array;

  constructor(format: FlowLogFormat) {
    const fields: string[] = [];
    const positions: number[] = [];
    const first = [0];
    const values: Uint8Array[] = [];
    const rangeFields: string[] = [];
    const rangePositions: number[] = [];
    const rangeMax: Uint8Array[] = [];
    const addressFields: string[] = [];
    const addressPositions: number[] = [];
    format.fields.forEach((field, index) => {
      if (field.type !== 'int' && isAddressField(field.name)) {
        addressFields.push(field.name);
        addressPositions.push(index);
      }
      const set = closedSetOf(field.name);
      const range =
        field.type === 'int' ? auditedRangeOf(field.name) : undefined;
      if (range !== undefined) {
        rangeFields.push(field.name);
        rangePositions.push(index);
        rangeMax.push(Buffer.from(String(range.max), 'latin1'));
      }
      if (set === undefined) return;
      fields.push(field.name);
      positions.push(index);
      for (const value of set.values) values.push(Buffer.from(value, 'utf8'));
      first.push(values.length);
    });
    this.fields = Object.freeze([...fields, ...rangeFields, ...addressFields]);
    this.positions = Uint32Array.from(positions);
    this.first = Uint32Array.from(first);
    this.values = values;
    this.keys = Int32Array.from(values, (v) => keyOf(v, 0, v.length));
    this.rangePositions = Uint32Array.from(rangePositions);
    this.rangeMax = rangeMax;
    this.addressPositions = Uint32Array.from(addressPositions);
    this.counts = new Uint32Array(this.fields.length);
    this.samples = this.fields.map(() => undefined);
  }

  /** Starts a record: clears the per-record counts. O(checked fields). */
  reset(): void {
    if (this.dirty) {
      this.counts.fill(0);
      this.samples.fill(undefined);
      this.dirty = false;
    }
    this.failedFieldCount = 0;
  }

  /**
   * Checks a scanned line's closed-set, range and address fields. Absent
   * (`-`) fields pass. O(documented values of the checked sets + checked
   * ranges + address bytes); allocates only the first sample of a field in
   * a record.
   */
  check(line: FlowLogLine): void {
    this.checkSets(line);
    this.checkRanges(line);
    if (this.addressPositions.length > 0) this.checkAddresses(line);
  }

  /** Counts the address fields whose text is no IPv4 or IPv6 address. */
  private checkAddresses(line: FlowLogLine): void {
    const { addressPositions } = this;
    const { bytes, starts, ends, kinds } = line;
    const first = this.positions.length + this.rangePositions.length;
    for (let a = 0; a < addressPositions.length; a++) {
      const index = addressPositions[a]!;
      if (kinds[index] === FIELD_KIND.ABSENT) continue;
      if (parseIp(bytes, starts[index]!, ends[index]!, SCRATCH) === 0) {
        this.count(line, index, first + a);
      }
    }
  }

  /** Counts the closed-set fields whose value is none of the set's. */
  private checkSets(line: FlowLogLine): void {
    const { positions, first, keys } = this;
    const { bytes, starts, ends, kinds } = line;
    let from = first[0]!;
    for (let c = 0; c < positions.length; c++) {
      const to = first[c + 1]!;
      const index = positions[c]!;
      if (kinds[index] !== FIELD_KIND.ABSENT) {
        const start = starts[index]!;
        const key = keyOf(bytes, start, ends[index]!);
        let v = from;
        while (v < to && keys[v] !== key) v++;
        if (v === to || !equalsAt(bytes, start, this.values[v]!)) {
          this.count(line, index, c);
        }
      }
      from = to;
    }
  }

  /**
   * Counts the range fields above their maximum. The scanner records
   * canonical digits (no leading zero), so fewer digits than the maximum
   * are in range, more are above it, and only as many compare digits.
   */
  private checkRanges(line: FlowLogLine): void {
    const { rangePositions, rangeMax } = this;
    const { bytes, starts, ends, kinds } = line;
    const setChecks = this.positions.length;
    for (let r = 0; r < rangePositions.length; r++) {
      const index = rangePositions[r]!;
      if (kinds[index] !== FIELD_KIND.INTEGER) continue;
      const start = starts[index]!;
      const digits = ends[index]! - start;
      const max = rangeMax[r]!;
      if (digits < max.length) continue;
      if (digits > max.length || exceeds(bytes, start, max)) {
        this.count(line, index, setChecks + r);
      }
    }
  }

  /**
   * Notes a line that failed to scan: how many fields it has, which tells a
   * format of the wrong length (a v5 line read with the 14-field default
   * format fails as too_many_fields: 29 of them).
   * O(line length), once per failed record.
   */
  failed(bytes: Uint8Array, start: number, end: number): void {
    this.failedFieldCount = countFields(bytes, start, end);
  }

  /** Counts check `check`'s field, sampling its first value in a record. */
  private count(line: FlowLogLine, index: number, check: number): void {
    this.dirty = true;
    const seen = this.counts[check]!;
    this.counts[check] = seen + 1;
    if (seen === 0) {
      const start = line.starts[index]!;
      const end = Math.min(line.ends[index]!, start + MAX_SAMPLE_BYTES);
      this.samples[check] = line.bytes.toString('utf8', start, end);
    }
  }
}

/**
 * Adds the current record's audit to a batch's totals: lines per field
 * (the first sample seen in the batch is kept, with its record) and the
 * field count of a line that failed on it. O(checked fields).
 *
 * @example addAudit(counters, transformer.transform(bytes).audit, record.recordId)
 */
function addAudit(
  totals: AuditTotals,
  audit: ValueAudit,
  recordId: string
): void {
  if (audit.failedFieldCount > 0) {
    const key = String(audit.failedFieldCount);
    const counts = totals.malformedFieldCounts;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  if (!audit.dirty) return;
  audit.fields.forEach((field, check) => {
    const lines = audit.counts[check]!;
    if (lines === 0) return;
    const tally = totals.unexpectedValues[field];
    if (tally !== undefined) {
      tally.lines += lines;
      return;
    }
    // A record's first unexpected value of a field is always sampled.
    const sample = audit.samples[check]!;
    totals.unexpectedValues[field] = { lines, sample, recordId };
  });
}

export type { AuditTotals, UnexpectedValueTally };
export { addAudit, countFields, MAX_SAMPLE_BYTES, ValueAudit };
