/**
 * The likely cause of a batch that went wrong as a whole: one sentence for
 * the summary log line (and the replay summary) when most records failed for
 * the same reason, or when most lines hold values their fields never hold.
 * Pure: counters in, a sentence out.
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import {
  closedSetOf,
  fieldsHolding,
  integerRangeOf,
  isAddressField,
} from '../flowlog/values.ts';

/** The unexpected values of one closed-set or range field in a batch. */
interface UnexpectedValueCount {
  /** Lines whose value is outside the field's documented set or range. */
  lines: number;
  /** The first such value seen (truncated). */
  sample: string;
  /** The record that held the sample. */
  recordId: string;
}

/**
 * What the diagnosis reads: a subset of BatchCounters (shared/firehose/
 * batch.ts), so any summary with these fields can be diagnosed.
 */
interface DiagnosisInput {
  /** Records in the batch. */
  readonly records: number;
  /** Flow-log lines read. */
  readonly lines: number;
  /** Failed records by reason code (shared/flowlog/errors.ts MALFORMED). */
  readonly malformed: Readonly<Partial<Record<string, number>>>;
  /** Unexpected values by AWS field name. */
  readonly unexpectedValues?: Readonly<
    Partial<Record<string, UnexpectedValueCount>>
  >;
  /**
   * Field counts of the lines that failed to scan (too_few_fields,
   * too_many_fields, bad_integer, …): observed count (as text) to lines.
   */
  readonly malformedFieldCounts?: Readonly<Partial<Record<string, number>>>;
}

/** Field counts of AWS's default formats, to name them when lines have one. */
const DEFAULT_FORMAT_FIELDS: Readonly<Record<number, string>> = {
  14: 'the VPC default format',
  36: 'the Transit Gateway default format',
};

/** How to read the flow log's own format, for the fix. */
const FIX_FORMAT =
  "set FLOW_LOG_FORMAT to the flow log's LogFormat (aws ec2 describe-flow-logs --query 'FlowLogs[].LogFormat')";

/** Reasons a line fails to scan: a format of the wrong length shows as any. */
const SCAN_REASONS: ReadonlySet<string> = new Set([
  'too_few_fields',
  'too_many_fields',
  'bad_integer',
  'integer_overflow',
  'invalid_utf8',
]);

/** What a failure reason most often means when it fails a whole batch. */
const REASON_CAUSES: Readonly<Record<string, string>> = {
  bad_integer:
    'an integer field of FLOW_LOG_FORMAT holds text, so FLOW_LOG_FORMAT order may be wrong',
  integer_overflow:
    'an integer field of FLOW_LOG_FORMAT holds a number past 2^64 - 1, so FLOW_LOG_FORMAT order may be wrong',
  invalid_base64: 'record data is not base64',
  bad_json_wrapper: `lines that start with '{' are not {"message":"…"} objects`,
  bad_cloudwatch_envelope:
    'gzip records are not CloudWatch Logs subscription data',
  decompressed_too_large: 'gzip records inflate past MAX_DECOMPRESSED_BYTES',
  output_too_large: "records' output cannot fit RESPONSE_BUDGET_BYTES",
};

/** The entry with the largest count, or undefined when all are 0. */
function largest(
  counts: Readonly<Partial<Record<string, number>>>
): [string, number] | undefined {
  let best: [string, number] | undefined;
  for (const [key, n] of Object.entries(counts)) {
    if (n !== undefined && n > 0 && (best === undefined || n > best[1])) {
      best = [key, n];
    }
  }
  return best;
}

/**
 * The field-count sentence, when the failing lines mostly have another
 * field count than the format (or failed on the count itself).
 */
function fieldCountCause(
  input: DiagnosisInput,
  format: FlowLogFormat,
  reason: string,
  of: string
): string | undefined {
  const expected = format.fields.length;
  const observed = largest(input.malformedFieldCounts ?? {});
  const count = observed === undefined ? expected : Number(observed[0]);
  if (count === expected) {
    const onCount = reason === 'too_few_fields' || reason === 'too_many_fields';
    return onCount
      ? `FLOW_LOG_FORMAT has ${expected} fields and ${of}: ${FIX_FORMAT}`
      : undefined;
  }
  const known = DEFAULT_FORMAT_FIELDS[count];
  const like = known === undefined ? '' : ` (as ${known} has)`;
  return `FLOW_LOG_FORMAT has ${expected} fields, lines have ${count}${like}: ${of}; ${FIX_FORMAT}`;
}

function failureCause(
  input: DiagnosisInput,
  format: FlowLogFormat
): string | undefined {
  const top = largest(input.malformed);
  if (top === undefined || top[1] * 2 <= input.records) return undefined;
  const [reason, failed] = top;
  const of = `${failed} of ${input.records} records failed as ${reason}`;
  if (SCAN_REASONS.has(reason)) {
    const counted = fieldCountCause(input, format, reason, of);
    if (counted !== undefined) return counted;
  }
  const cause = REASON_CAUSES[reason];
  return cause === undefined ? of : `${of}: ${cause}`;
}

/** What `field` holds: `one of: ACCEPT, REJECT`, `0 to 255: an 8-bit …`. */
function expectedOf(field: string): string {
  if (isAddressField(field)) return 'an IPv4 or IPv6 address';
  const set = closedSetOf(field);
  if (set !== undefined) return `one of: ${set.values.join(', ')}`;
  const { min, max, why } = integerRangeOf(field);
  return `${min} to ${max}: ${why}`;
}

/** What a value that does not fit `field` probably is. */
function belongsTo(
  value: string,
  field: string,
  format: FlowLogFormat
): string {
  const owners = fieldsHolding(value).filter((f) => f !== field);
  if (owners.length === 0) return ` (expected ${expectedOf(field)})`;
  const inFormat = owners.filter((f) =>
    format.fields.some((known) => known.name === f)
  );
  const names = owners.join(' or ');
  if (inFormat.length > 0) return `, which is a ${names} value`;
  return `, which is a ${names} value, and FLOW_LOG_FORMAT has no ${names}`;
}

function valueCause(
  input: DiagnosisInput,
  format: FlowLogFormat
): string | undefined {
  let worst: [string, UnexpectedValueCount] | undefined;
  for (const [field, count] of Object.entries(input.unexpectedValues ?? {})) {
    if (
      count !== undefined &&
      (worst === undefined || count.lines > worst[1].lines)
    ) {
      worst = [field, count];
    }
  }
  if (worst === undefined || worst[1].lines * 2 <= input.lines)
    return undefined;
  const [field, { lines, sample }] = worst;
  const tail = belongsTo(sample, field, format);
  const lead = tail.startsWith(',')
    ? 'FLOW_LOG_FORMAT order may be wrong'
    : 'FLOW_LOG_FORMAT may not match the flow log';
  return `${lead}: ${lines} of ${input.lines} lines have ${field} values like '${sample}'${tail}`;
}

/**
 * The likely cause of a batch where most records failed for one reason, or
 * most lines hold a value outside a field's documented set or range. O(reasons +
 * fields).
 *
 * @param input - the batch's counters (BatchCounters, or any summary with
 *   the same fields)
 * @param format - the FLOW_LOG_FORMAT the batch was read with
 * @returns one sentence saying what is wrong and what to do, or undefined
 *   when nothing dominates
 * @example
 * likelyCause(counters, format)
 * // "FLOW_LOG_FORMAT has 14 fields, lines have 29: 8000 of 8000 records failed as too_many_fields; set FLOW_LOG_FORMAT to …"
 */
function likelyCause(
  input: DiagnosisInput,
  format: FlowLogFormat
): string | undefined {
  return failureCause(input, format) ?? valueCause(input, format);
}

export type { DiagnosisInput, UnexpectedValueCount };
export { likelyCause };
