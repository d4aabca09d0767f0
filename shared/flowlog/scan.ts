/**
 * The byte-level line scanner: splits one flow-log line into the fields of a
 * format, typing each one, without creating strings.
 */
import { isUtf8 } from 'node:buffer';
import {
  BYTE_CLASS,
  CLASS_BLANK,
  CLASS_DIGIT,
  CLASS_ESCAPE,
  CLASS_HIGH,
  DASH,
  DIGIT_ZERO,
} from './bytes.ts';
import type { MalformedReason } from './errors.ts';
import { MALFORMED } from './errors.ts';
import type { FlowLogFormat } from './format.ts';
import { FIELD_KIND, type FlowLogLine } from './line.ts';

/** Digits of 2^64 - 1, the largest value an integer field may hold. */
const MAX_UINT64_DIGITS = Buffer.from('18446744073709551615', 'latin1');

/** Per-format scan plan: 1 where the field at that position is an integer. */
interface ScanPlan {
  readonly isInteger: Uint8Array;
  readonly fieldCount: number;
}

/**
 * Prepares the per-format table the scanner reads. Call once per format.
 *
 * @example const plan = planScan(parseFormat(VPC_DEFAULT_FORMAT));
 */
function planScan(format: FlowLogFormat): ScanPlan {
  const isInteger = new Uint8Array(format.fields.length);
  format.fields.forEach((field, index) => {
    isInteger[index] = field.type === 'int' ? 1 : 0;
  });
  return { isInteger, fieldCount: format.fields.length };
}

function skipBlanks(bytes: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && (BYTE_CLASS[bytes[i]!]! & CLASS_BLANK) !== 0) i++;
  return i;
}

/** True when `[start, end)` is exactly `-`. */
function isDash(bytes: Buffer, start: number, end: number): boolean {
  return end - start === 1 && bytes[start] === DASH;
}

/** Compares 20 digits with 2^64 - 1; true when they exceed it. */
function exceedsUint64(bytes: Buffer, start: number): boolean {
  for (let k = 0; k < 20; k++) {
    const diff = bytes[start + k]! - MAX_UINT64_DIGITS[k]!;
    if (diff !== 0) return diff > 0;
  }
  return false;
}

/**
 * Scans an integer field starting at `start`; records canonical digits.
 * @returns the end of the field, or a negative reason index on error
 */
function scanInteger(
  bytes: Buffer,
  start: number,
  end: number,
  line: FlowLogLine,
  field: number
): number {
  let i = start;
  while (i < end && (BYTE_CLASS[bytes[i]!]! & CLASS_DIGIT) !== 0) i++;
  if (i === start) {
    const fieldEnd = skipToBlank(bytes, start, end);
    return isDash(bytes, start, fieldEnd)
      ? markAbsent(line, field, start, fieldEnd)
      : -1;
  }
  if (i < end && (BYTE_CLASS[bytes[i]!]! & CLASS_BLANK) === 0) return -1;
  let first = start;
  while (first < i - 1 && bytes[first] === DIGIT_ZERO) first++;
  const digits = i - first;
  if (digits > 20 || (digits === 20 && exceedsUint64(bytes, first))) return -2;
  line.starts[field] = first;
  line.ends[field] = i;
  line.kinds[field] = FIELD_KIND.INTEGER;
  return i;
}

function skipToBlank(bytes: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && (BYTE_CLASS[bytes[i]!]! & CLASS_BLANK) === 0) i++;
  return i;
}

function markAbsent(
  line: FlowLogLine,
  field: number,
  start: number,
  end: number
): number {
  line.starts[field] = start;
  line.ends[field] = end;
  line.kinds[field] = FIELD_KIND.ABSENT;
  return end;
}

/**
 * Scans a string field starting at `start`, classifying it for JSON output.
 * @returns the end of the field, or -3 when its bytes are not UTF-8
 */
function scanString(
  bytes: Buffer,
  start: number,
  end: number,
  line: FlowLogLine,
  field: number
): number {
  let i = start;
  let classes = 0;
  while (i < end) {
    const byteClass = BYTE_CLASS[bytes[i]!]!;
    if ((byteClass & CLASS_BLANK) !== 0) break;
    classes |= byteClass;
    i++;
  }
  if (isDash(bytes, start, i)) return markAbsent(line, field, start, i);
  line.starts[field] = start;
  line.ends[field] = i;
  if ((classes & CLASS_HIGH) !== 0 && !isUtf8(bytes.subarray(start, i))) {
    return -3;
  }
  line.kinds[field] =
    (classes & CLASS_ESCAPE) !== 0
      ? FIELD_KIND.ESCAPE
      : (classes & CLASS_HIGH) !== 0
        ? FIELD_KIND.UTF8
        : FIELD_KIND.ASCII;
  return i;
}

/** Scan failure codes by the negative value a field scanner returns. */
const FIELD_FAILURES: readonly MalformedReason[] = [
  MALFORMED.TOO_FEW_FIELDS,
  MALFORMED.BAD_INTEGER,
  MALFORMED.INTEGER_OVERFLOW,
  MALFORMED.INVALID_UTF8,
];

/**
 * Counts the fields of `bytes[start, end)`: its runs of bytes other than
 * spaces and tabs. O(end - start).
 *
 * @example countFields(Buffer.from(' 2 123  eni-1 '), 0, 14) // 3
 */
function countFields(bytes: Uint8Array, start: number, end: number): number {
  let fields = 0;
  let inField = false;
  for (let i = start; i < end; i++) {
    const blank = (BYTE_CLASS[bytes[i]!]! & CLASS_BLANK) !== 0;
    if (!blank && !inField) fields++;
    inField = !blank;
  }
  return fields;
}

/**
 * The reason of a line that failed on a field's value: too_few_fields or
 * too_many_fields when its field count differs from the format's (a v5
 * line read with the 14-field default format fails on field 9's value, but
 * its mistake is the count: docs/configuration.md), else `valueFailure`.
 * Runs on the failure path only. O(line length).
 */
function valueFailureReason(
  bytes: Buffer,
  start: number,
  end: number,
  plan: ScanPlan,
  valueFailure: MalformedReason
): MalformedReason {
  const fields = countFields(bytes, start, end);
  if (fields < plan.fieldCount) return MALFORMED.TOO_FEW_FIELDS;
  if (fields > plan.fieldCount) return MALFORMED.TOO_MANY_FIELDS;
  return valueFailure;
}

/**
 * Splits `bytes[start, end)` (one line, no line terminator) into the plan's
 * fields, separated by runs of spaces or tabs, and fills `line`.
 *
 * O(line length); allocates nothing on valid ASCII input.
 *
 * @returns undefined when the line matches the format, else the reason: a
 *   field count other than the format's is too_few_fields /
 *   too_many_fields even where a field's value fails first
 * @example scanLine(buf, 0, buf.length, plan, line) // undefined
 */
function scanLine(
  bytes: Buffer,
  start: number,
  end: number,
  plan: ScanPlan,
  line: FlowLogLine
): MalformedReason | undefined {
  line.bytes = bytes;
  let i = skipBlanks(bytes, start, end);
  for (let field = 0; field < plan.fieldCount; field++) {
    if (i >= end) return MALFORMED.TOO_FEW_FIELDS;
    const fieldEnd =
      plan.isInteger[field] === 1
        ? scanInteger(bytes, i, end, line, field)
        : scanString(bytes, i, end, line, field);
    if (fieldEnd < 0) {
      return valueFailureReason(
        bytes,
        start,
        end,
        plan,
        FIELD_FAILURES[-fieldEnd]!
      );
    }
    i = skipBlanks(bytes, fieldEnd, end);
  }
  return i < end ? MALFORMED.TOO_MANY_FIELDS : undefined;
}

export type { ScanPlan };
export { countFields, planScan, scanLine };
