/**
 * The loop guard of re-ingestion: every record the function puts back to its
 * source stream starts with one marker line,
 *
 *     #flp-reingest/1 attempt=N\n
 *
 * where N (1-9) counts how many times the record has been put back. The line
 * travels with the data through Firehose or Kinesis, so the next invocation
 * knows the record was re-ingested and how often: it strips the line before
 * anything else reads the record, answers marked records first (so they fit
 * the response and are delivered, not put back again), and never puts a
 * record back more than {@link MAX_REINGEST_ATTEMPTS} times.
 *
 * The line cannot be confused with data: flow-log lines start with a field
 * value, never `#`; `{"message":…}` wrappers start with `{`; gzip with 0x1f.
 * Its first 24 bytes are a multiple of 3, so their base64 is a fixed
 * 32-character prefix of the record's `data`: a marked record is recognised
 * without decoding it.
 */

/** `#flp-reingest/1 attempt=`: 24 bytes, version 1 of the marker. */
const MARKER_PREFIX = Buffer.from('#flp-reingest/1 attempt=', 'latin1');

/** The base64 of {@link MARKER_PREFIX}: every marked record's data starts so. */
const MARKER_PREFIX_BASE64 = MARKER_PREFIX.toString('base64');

/** Bytes of the whole marker line: prefix, one digit, `\n`. */
const MARKER_BYTES = MARKER_PREFIX.length + 2;

/**
 * Most times one record is put back: 3. With marked records answered first,
 * a record is put back a second time only when the marked records of one
 * batch alone overflow the response; the cap bounds the worst case (a burst
 * far over what responses can carry) to 3 puts per record, after which it is
 * `ProcessingFailed` and Firehose keeps it under the error prefix.
 * docs/reingestion.md has the figures.
 */
const MAX_REINGEST_ATTEMPTS = 3;

/** `0`, 0x30: the attempt digit's base. */
const DIGIT_0 = 0x30;
/** `1`, 0x31, and `9`, 0x39: the attempts a marker can carry. */
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
/** `\n`, 0x0A: ends the marker line. */
const LF = 0x0a;

/** A record's marker: how often it was put back, and where its data starts. */
interface ReingestMarker {
  /** 0 for a record never re-ingested. */
  readonly attempt: number;
  /** Offset of the original data: 0, or {@link MARKER_BYTES}. */
  readonly offset: number;
}

const UNMARKED: ReingestMarker = Object.freeze({ attempt: 0, offset: 0 });

/**
 * True when a record's base64 `data` carries the marker (O(1), no decode).
 *
 * @example isMarkedBase64(event.records[0].data)
 */
function isMarkedBase64(data: unknown): boolean {
  return typeof data === 'string' && data.startsWith(MARKER_PREFIX_BASE64);
}

/**
 * Reads the marker at the start of decoded record bytes. Bytes that start
 * like a marker but do not end like one are data, left as they are: so is a
 * line whose attempt is outside 1-9 (`attempt=0`, `attempt=10`), which the
 * function never writes; the record then fails as a malformed line
 * (docs/reingestion.md).
 *
 * @example readReingestMarker(Buffer.from('#flp-reingest/1 attempt=2\n2 …')) // { attempt: 2, offset: 26 }
 */
function readReingestMarker(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length
): ReingestMarker {
  if (end - start < MARKER_BYTES) return UNMARKED;
  for (let i = 0; i < MARKER_PREFIX.length; i++) {
    if (bytes[start + i] !== MARKER_PREFIX[i]) return UNMARKED;
  }
  const digit = bytes[start + MARKER_PREFIX.length]!;
  if (digit < DIGIT_1 || digit > DIGIT_9) return UNMARKED;
  if (bytes[start + MARKER_PREFIX.length + 1] !== LF) return UNMARKED;
  return { attempt: digit - DIGIT_0, offset: MARKER_BYTES };
}

/**
 * The payload to put back: the marker line for `attempt` (1-9), then the
 * original data. One copy of the data.
 *
 * @throws RangeError when `attempt` is not 1-9
 * @example withReingestMarker(Buffer.from('2 1 …\n'), 1) // '#flp-reingest/1 attempt=1\n2 1 …\n'
 */
function withReingestMarker(data: Uint8Array, attempt: number): Buffer {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > 9) {
    throw new RangeError(`re-ingestion attempt ${attempt} is not 1-9`);
  }
  const out = Buffer.allocUnsafe(MARKER_BYTES + data.length);
  MARKER_PREFIX.copy(out, 0);
  out[MARKER_PREFIX.length] = DIGIT_0 + attempt;
  out[MARKER_PREFIX.length + 1] = LF;
  out.set(data, MARKER_BYTES);
  return out;
}

/** Firehose's largest record (1,000 KiB); Kinesis takes 1 MiB. */
const MAX_MARKED_RECORD_BYTES = 1_024_000;

/**
 * The payloads to put back for a record re-ingested `attempt` times so far,
 * each with the marker of the next attempt; or, as text, why the record
 * must not be put back: it reached {@link MAX_REINGEST_ATTEMPTS}, or a
 * payload with its marker is over one Firehose record (1,024,000 bytes,
 * https://docs.aws.amazon.com/firehose/latest/dev/limits.html).
 *
 * @example markForReingestion([data], 0) // [<#flp-reingest/1 attempt=1\n + data>]
 */
function markForReingestion(
  payloads: readonly Uint8Array[],
  attempt: number
): Buffer[] | string {
  if (attempt >= MAX_REINGEST_ATTEMPTS) {
    return `re-ingested ${attempt} times already, the limit (${MAX_REINGEST_ATTEMPTS})`;
  }
  const marked: Buffer[] = [];
  for (const data of payloads) {
    if (data.length + MARKER_BYTES > MAX_MARKED_RECORD_BYTES) {
      return `${data.length + MARKER_BYTES} bytes with the re-ingestion marker is over the ${MAX_MARKED_RECORD_BYTES}-byte record limit`;
    }
    marked.push(withReingestMarker(data, attempt + 1));
  }
  return marked;
}

/**
 * Record positions with marked records first (in input order among them),
 * then the others: the order in which a batch should be answered so that
 * re-ingested records get the response budget first. Undefined when no
 * record is marked (answer in input order).
 *
 * @example priorityOrder([{ data: 'MjAx' }, { data: markedBase64 }]) // [1, 0]
 */
function priorityOrder(
  records: readonly { readonly data?: unknown }[]
): number[] | undefined {
  // Most batches hold no marked record: one allocation-free pass tells.
  let count = 0;
  for (let i = 0; i < records.length; i++) {
    if (isMarkedBase64(records[i]!.data)) count++;
  }
  if (count === 0 || count === records.length) return undefined;
  const marked: number[] = [];
  const rest: number[] = [];
  records.forEach((record, index) => {
    (isMarkedBase64(record.data) ? marked : rest).push(index);
  });
  return [...marked, ...rest];
}

export type { ReingestMarker };
export {
  isMarkedBase64,
  MARKER_BYTES,
  MARKER_PREFIX,
  MARKER_PREFIX_BASE64,
  MAX_MARKED_RECORD_BYTES,
  MAX_REINGEST_ATTEMPTS,
  markForReingestion,
  priorityOrder,
  readReingestMarker,
  withReingestMarker,
};
