/**
 * Exact byte counts of the Firehose response as the Lambda runtime will
 * serialise it (`JSON.stringify(response)`, UTF-8), computed while the output
 * is produced so the handler never has to stringify the response to know.
 *
 * A response is `{"records":[e1,e2,…]}`; each entry is
 * `{"recordId":…,"result":…,"data":"…"}` plus `,"metadata":{…}` before the
 * closing brace when partition keys are returned. Keys are written in that
 * order by the batch code, which is what makes these counts exact.
 */
import type { FirehoseRecordTransformationStatus } from 'aws-lambda';

/**
 * Lambda's limit on a synchronous invocation's response payload: 6 MB,
 * 6,291,456 bytes (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * A larger response fails the invocation and Firehose retries the batch.
 */
const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_456;

/** `{"records":[` and `]}` around the entries of a response. */
const RESPONSE_WRAPPER_BYTES = Buffer.byteLength(
  JSON.stringify({ records: [] })
);

/** `,"metadata":` before the metadata object of an entry. */
const METADATA_KEY_BYTES = Buffer.byteLength(',"metadata":');

/** Bytes of an entry with an empty recordId (`""`) and empty data, by result. */
const ENTRY_BASE_BYTES: Readonly<
  Record<FirehoseRecordTransformationStatus, number>
> = Object.freeze({
  Ok: Buffer.byteLength(
    JSON.stringify({ recordId: '', result: 'Ok', data: '' })
  ),
  Dropped: Buffer.byteLength(
    JSON.stringify({ recordId: '', result: 'Dropped', data: '' })
  ),
  ProcessingFailed: Buffer.byteLength(
    JSON.stringify({ recordId: '', result: 'ProcessingFailed', data: '' })
  ),
});

/** A `ProcessingFailed` entry with empty data, less its recordId's `""`. */
const FAILED_ENTRY_BYTES = ENTRY_BASE_BYTES.ProcessingFailed - 2;

/** Text JSON.stringify writes as it is: printable ASCII but `"` and `\`. */
const PLAIN_JSON_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * UTF-8 bytes of `JSON.stringify(text)`, quotes included: escapes (`\"`,
 * `\n`, `\u0001`, lone surrogates as `\udxxx`) are counted at their escaped
 * length. O(length); allocates only when the text needs escaping.
 *
 * @example jsonStringBytes('a"b') // 6: "a\"b"
 */
function jsonStringBytes(text: string): number {
  if (PLAIN_JSON_TEXT.test(text)) return text.length + 2;
  return Buffer.byteLength(JSON.stringify(text));
}

/**
 * Length of the base64 text of `byteCount` bytes, padding included.
 *
 * @example base64Length(4) // 8
 */
function base64Length(byteCount: number): number {
  return Math.ceil(byteCount / 3) * 4;
}

/**
 * Bytes of one response entry.
 *
 * @param idBytes - `jsonStringBytes(recordId)`
 * @param dataChars - characters of the base64 `data` (base64 needs no escape)
 * @param metadataBytes - bytes of `JSON.stringify(metadata)`, 0 when none
 * @example entryBytes(4, 'Dropped', 0, 0) // {"recordId":"ab","result":"Dropped","data":""}
 */
function entryBytes(
  idBytes: number,
  result: FirehoseRecordTransformationStatus,
  dataChars: number,
  metadataBytes: number
): number {
  const metadata = metadataBytes > 0 ? METADATA_KEY_BYTES + metadataBytes : 0;
  return ENTRY_BASE_BYTES[result] - 2 + idBytes + dataChars + metadata;
}

/**
 * Bytes of a whole response from the sum of its entries' bytes.
 *
 * @example responseBytes(0, 0) // 14: {"records":[]}
 */
function responseBytes(entryCount: number, entriesBytes: number): number {
  const commas = entryCount > 0 ? entryCount - 1 : 0;
  return RESPONSE_WRAPPER_BYTES + entriesBytes + commas;
}

/**
 * The response's byte account: what the answers given so far take, and what
 * is reserved for the smallest answers (`ProcessingFailed`, empty data) of
 * the records not yet answered, so that every record can always be answered.
 *
 * @example
 * const budget = new ResponseBudget(6_000_000, event.records);
 * const room = budget.open(0); budget.commit(0, bytesOfEntry0);
 */
class ResponseBudget {
  /** `jsonStringBytes(recordId)` per record. */
  readonly idBytes: readonly number[];
  private readonly limit: number;
  private used = RESPONSE_WRAPPER_BYTES;
  private reserved = 0;
  /**
   * Bytes of the smallest possible response: every record `ProcessingFailed`
   * with empty data. When it passes the limit, no answer can fit.
   */
  readonly minimum: number;

  constructor(limit: number, records: readonly { recordId: string }[]) {
    this.limit = limit;
    this.idBytes = records.map((record) => jsonStringBytes(record.recordId));
    for (let index = 0; index < this.idBytes.length; index++) {
      this.reserved += this.smallest(index) + (index > 0 ? 1 : 0);
    }
    this.minimum = this.used + this.reserved;
  }

  /** Bytes of record `index`'s answer that needs no budget: failed, no data. */
  smallest(index: number): number {
    return FAILED_ENTRY_BYTES + this.idBytes[index]!;
  }

  /**
   * Releases record `index`'s reservation; returns the most its entry may
   * take. Call once per record, in order, each followed by `commit`.
   */
  open(index: number): number {
    const comma = index > 0 ? 1 : 0;
    this.reserved -= this.smallest(index) + comma;
    return this.limit - this.used - this.reserved - comma;
  }

  /** Records the entry of record `index`. */
  commit(index: number, bytes: number): void {
    this.used += bytes + (index > 0 ? 1 : 0);
  }

  /** Bytes of the response once every record is answered. */
  get total(): number {
    return this.used + this.reserved;
  }
}

export {
  base64Length,
  ENTRY_BASE_BYTES,
  entryBytes,
  jsonStringBytes,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  RESPONSE_WRAPPER_BYTES,
  ResponseBudget,
  responseBytes,
};
