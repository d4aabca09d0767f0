/**
 * The likely cause of each failure reason, in one sentence with the fix, for
 * the replay summary. Reasons are the core's MALFORMED codes
 * (shared/flowlog/errors.ts) plus the replay's own delivery outcomes.
 */
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';

/** Fields of a line, counted the way the scanner splits them (spaces). */
function fieldCount(text: string): number {
  const line = lineOf(text);
  const trimmed = line.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

/** The flow-log line inside a `{"message":"…"}` excerpt, else the excerpt. */
function lineOf(excerpt: string): string {
  if (!excerpt.startsWith('{')) return excerpt;
  try {
    const message = (JSON.parse(excerpt) as { message?: unknown }).message;
    return typeof message === 'string' ? message : excerpt;
  } catch {
    return excerpt;
  }
}

function fieldMismatch(format: FlowLogFormat, excerpt: string): string {
  const have = fieldCount(excerpt);
  const want = format.fields.length;
  return `FLOW_LOG_FORMAT has ${want} fields, lines have ${have}: give the flow log's own LogFormat with --format (or --env-vars), or keep the S3 file's header line`;
}

/** Cause sentences that depend on nothing but the reason. */
const CAUSES: Readonly<Record<string, string>> = {
  bad_integer:
    'a field FLOW_LOG_FORMAT declares as a number holds text: the fields are probably in another order than the flow log writes them; copy its LogFormat exactly',
  integer_overflow:
    'a number is larger than 2^64 − 1: the line is damaged, or FLOW_LOG_FORMAT puts a field in the wrong place',
  invalid_utf8:
    'the line holds bytes that are not UTF-8: the file is damaged or is not a flow-log file',
  invalid_base64: "the event record's data is not base64",
  bad_json_wrapper:
    'a line starts with { but is not {"message":"…"}: these are not flow-log lines',
  bad_cloudwatch_envelope:
    'a gzip record is not a CloudWatch Logs subscription envelope',
  decompressed_too_large:
    'a gzip record decompresses past MAX_DECOMPRESSED_BYTES',
  output_too_large:
    "a record's output cannot fit any response (RESPONSE_BUDGET_BYTES)",
  overflow:
    'the output did not fit the 6 MB response and the replay does not re-ingest (REINGEST=false): lower --buffer-size',
  function_error:
    'the handler threw; the error records hold its message (errorMessage)',
  missing_partition_key:
    '--prefix uses !{partitionKeyFromLambda:…} for a key PARTITION_KEYS does not give',
  missing_record_id: 'the response had no result for the record',
  invalid_result:
    'the response held a result other than Ok, Dropped or ProcessingFailed',
};

/** Reasons a wrong FLOW_LOG_FORMAT causes on most lines. */
const FORMAT_REASONS = {
  too_few_fields: true,
  too_many_fields: true,
  bad_integer: true,
  integer_overflow: true,
} as const;

/**
 * One sentence: why records fail with `reason`, and what to do.
 *
 * @param excerpt - the first failing line (or record), for field counts
 * @param share - failed records of this reason and lines read with the format
 * @example likelyCause('too_few_fields', v2, '2 123', { failed: 9, lines: 9 })
 * // 'FLOW_LOG_FORMAT has 14 fields, lines have 2: …'
 */
function likelyCause(
  reason: string,
  format: FlowLogFormat,
  excerpt: string,
  share: { failed: number; lines: number }
): string {
  const few = share.lines > 0 && share.failed * 2 < share.lines;
  if (few && reason in FORMAT_REASONS) {
    return `${share.failed.toLocaleString('en-US')} of ${share.lines.toLocaleString('en-US')} lines with this format: damaged or cut lines, since the others fit FLOW_LOG_FORMAT`;
  }
  if (reason === 'too_few_fields' || reason === 'too_many_fields') {
    return fieldMismatch(format, excerpt);
  }
  return CAUSES[reason] ?? 'see the error records under processing-failed/';
}

export { fieldCount, likelyCause };
