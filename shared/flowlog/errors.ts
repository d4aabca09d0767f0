/**
 * Stable error codes of the flow-log core.
 *
 * Configuration errors throw a {@link FlowLogError} at cold start. Malformed
 * lines never throw: the scanner returns a {@link MalformedReason} code and the
 * record becomes `ProcessingFailed`.
 */

/** Why a configuration value was refused. */
type FlowLogErrorCode =
  | 'FLOWLOG_FORMAT_EMPTY'
  | 'FLOWLOG_FORMAT_TOKEN'
  | 'FLOWLOG_FORMAT_DUPLICATE'
  | 'FLOWLOG_FORMAT_TOO_LONG'
  /** An unknown field one edit from a documented one: a typo. */
  | 'FLOWLOG_FORMAT_NEAR_MISS';

/** A configuration error with a stable code and a message naming the value. */
class FlowLogError extends Error {
  readonly code: FlowLogErrorCode;

  constructor(code: FlowLogErrorCode, message: string) {
    super(message);
    this.name = 'FlowLogError';
    this.code = code;
  }
}

/**
 * Why a line or record could not be transformed. Values are stable: they are
 * logged, published as metric names and documented in docs/configuration.md.
 */
const MALFORMED = {
  /** The line has fewer fields than the format. */
  TOO_FEW_FIELDS: 'too_few_fields',
  /** The line has more fields than the format. */
  TOO_MANY_FIELDS: 'too_many_fields',
  /** An integer field holds something other than ASCII digits or `-`. */
  BAD_INTEGER: 'bad_integer',
  /** An integer field does not fit an unsigned 64-bit value. */
  INTEGER_OVERFLOW: 'integer_overflow',
  /** A string field holds bytes that are not valid UTF-8. */
  INVALID_UTF8: 'invalid_utf8',
  /** The record's data is not valid base64. */
  INVALID_BASE64: 'invalid_base64',
  /** A line starting with `{` is not a `{"message":"…"}` object. */
  BAD_JSON_WRAPPER: 'bad_json_wrapper',
  /** A gzip record is not a readable CloudWatch Logs subscription envelope. */
  BAD_CLOUDWATCH_ENVELOPE: 'bad_cloudwatch_envelope',
  /** A gzip record decompresses past MAX_DECOMPRESSED_BYTES. */
  DECOMPRESSED_TOO_LARGE: 'decompressed_too_large',
  /**
   * A gzip record decompresses past what is left of the invocation's
   * decompression budget (MAX_INVOCATION_DECOMPRESSED_BYTES, docs/limits.md).
   */
  DECOMPRESSION_BUDGET_SPENT: 'decompression_budget_spent',
  /**
   * The output format cannot represent the line validly (OCSF 1.1.0 needs a
   * time and both endpoints: `OCSF_NO_TIME`, `OCSF_NO_ENDPOINT` in the
   * excerpt). AWS writes no such line.
   */
  OUTPUT_REFUSED: 'output_refused',
  /** A record's own output cannot fit in any response (RESPONSE_BUDGET_BYTES). */
  OUTPUT_TOO_LARGE: 'output_too_large',
  /** Re-ingestion of an overflow record failed after every retry. */
  REINGEST_FAILED: 'reingest_failed',
} as const;

/** One of the {@link MALFORMED} reason codes. */
type MalformedReason = (typeof MALFORMED)[keyof typeof MALFORMED];

export type { FlowLogErrorCode, MalformedReason };
export { FlowLogError, MALFORMED };
