/**
 * The response budget's limits: the default budget, and the error when no
 * set of answers can fit Lambda's response limit. The byte arithmetic of
 * entries and responses is response-size.ts.
 */
import { LAMBDA_RESPONSE_LIMIT_BYTES } from './response-size.ts';

/** RESPONSE_BUDGET_BYTES' default: headroom under Lambda's 6,291,456 B. */
const DEFAULT_RESPONSE_BUDGET_BYTES = 6_000_000;

/**
 * The response cannot fit Lambda's 6,291,456-byte limit whatever the
 * answers: the invocation fails (before any record is transformed or
 * re-ingested), Firehose retries the batch and then writes its records to
 * processing-failed/ (docs/limits.md).
 */
class ResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
  /** Bytes of the smallest or final response. */
  readonly bytes: number;

  constructor(bytes: number, records: number, what: string) {
    super(
      `${what}: a response of ${bytes} bytes for ${records} records passes Lambda's ${LAMBDA_RESPONSE_LIMIT_BYTES}-byte response limit`
    );
    this.name = 'ResponseTooLargeError';
    this.bytes = bytes;
  }
}

/**
 * Throws unless a response of `bytes` for `records` records fits Lambda's
 * response limit (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 *
 * @throws ResponseTooLargeError naming `what` and the bytes
 * @example assertResponseFits(budget.minimum, 3, 'even with every record ProcessingFailed and empty data')
 */
function assertResponseFits(bytes: number, records: number, what: string) {
  if (bytes > LAMBDA_RESPONSE_LIMIT_BYTES) {
    throw new ResponseTooLargeError(bytes, records, what);
  }
}

export {
  assertResponseFits,
  DEFAULT_RESPONSE_BUDGET_BYTES,
  ResponseTooLargeError,
};
