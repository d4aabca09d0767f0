/**
 * The Firehose transformation event at the edge of the core: its shape
 * checked once, its records' standard base64 decoded strictly, once, into
 * one arena ({@link decodeEvent}).
 */
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
} from 'aws-lambda';
import { readReingestMarker } from './reingest-marker.ts';

/** `-`, 0x2D, and `_`, 0x5F: base64url's letters (RFC 4648 §5). */
const URL_SAFE_62 = '-';
const URL_SAFE_63 = '_';

/** `=`, 0x3D: base64 padding. */
const PAD = 0x3d;

/**
 * Throws unless `event` has the shape of a Firehose transformation event:
 * an object with a `records` array whose entries are objects carrying a
 * string `recordId` and a finite number `approximateArrivalTimestamp`
 * (epoch milliseconds). Firehose sends both with every record
 * (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html);
 * anything less cannot be answered record by record. Requiring the
 * timestamp also bounds the response: each record's request entry is then
 * longer than its smallest answer (`"approximateArrivalTimestamp":0` is 31
 * bytes, `"result":"ProcessingFailed"` 27), so the smallest response of an
 * event within Lambda's 6 MB request limit fits its 6 MB response limit
 * (docs/limits.md). A record's `data` is checked per record: a bad one
 * fails that record only.
 *
 * @throws TypeError naming the record index and the first key that is wrong
 * @example assertFirehoseEvent(JSON.parse(body)); // then event.records[0].recordId
 */
function assertFirehoseEvent(
  event: unknown
): asserts event is FirehoseTransformationEvent {
  const prefix = 'Not an Amazon Data Firehose transformation event';
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new TypeError(
      `${prefix}: expected an object, got ${describe(event)}`
    );
  }
  const records = (event as { records?: unknown }).records;
  if (!Array.isArray(records)) {
    throw new TypeError(
      `${prefix}: 'records' is ${describe(records)}, expected an array`
    );
  }
  for (let index = 0; index < records.length; index++) {
    const record: unknown = records[index];
    if (
      typeof record !== 'object' ||
      record === null ||
      Array.isArray(record)
    ) {
      throw new TypeError(
        `${prefix}: records[${index}] is ${describe(record)}, expected an object`
      );
    }
    const { recordId, approximateArrivalTimestamp: arrival } = record as {
      recordId?: unknown;
      approximateArrivalTimestamp?: unknown;
    };
    if (typeof recordId !== 'string') {
      throw new TypeError(
        `${prefix}: records[${index}].recordId is ${describe(recordId)}, expected a string`
      );
    }
    if (typeof arrival !== 'number' || !Number.isFinite(arrival)) {
      throw new TypeError(
        `${prefix}: records[${index}].approximateArrivalTimestamp is ${describe(arrival)}, expected a finite number (epoch milliseconds), which Firehose sends with every record`
      );
    }
  }
}

/** How a value reads in a message: `null`, `missing`, `NaN`, `a string`. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value === 'undefined') return 'missing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The decoded length of standard base64 text (RFC 4648 §4), or -1 when the
 * text cannot be standard base64: an impossible length, or base64url's `-`
 * or `_`, which Node would decode silently although Firehose's `data` is
 * standard base64. Other characters outside the alphabet are skipped by
 * Node's decoder, so the decoded length shows them (see {@link decodeInto}).
 *
 * @example decodedLength('QUJD') // 3
 */
function decodedLength(data: string): number {
  if (data.includes(URL_SAFE_62) || data.includes(URL_SAFE_63)) return -1;
  let padding = 0;
  while (padding < 2 && data.charCodeAt(data.length - 1 - padding) === PAD) {
    padding++;
  }
  const significant = data.length - padding;
  const tail = significant % 4;
  // RFC 4648 §3.2: padding completes the last group, so a padded text is a
  // whole number of groups with exactly 4 − tail `=` (`…IE9L==` is not).
  if (tail === 1 || (padding > 0 && padding !== 4 - tail)) return -1;
  return Math.floor((significant * 3) / 4);
}

/**
 * Decodes `data` into `target` at `offset`, where at least `expected + 3`
 * bytes are free, so that text decoding to more than expected cannot hide
 * behind truncation.
 *
 * @returns the bytes written, or -1 unless exactly `expected`
 */
function decodeInto(
  data: string,
  expected: number,
  target: Buffer,
  offset = 0
): number {
  const written = target.write(data, offset, expected + 3, 'base64');
  return written === expected ? written : -1;
}

/**
 * Decodes standard base64, refusing text with characters outside the
 * alphabet (Node would skip them, or read `-` and `_` as base64url).
 * Same answer as {@link decodeEvent} for every record.
 *
 * @returns new bytes, or undefined when `data` is not valid base64
 * @example decodeBase64('QUJD')?.toString() // 'ABC'
 */
function decodeBase64(data: unknown): Buffer | undefined {
  if (typeof data !== 'string') return undefined;
  const expected = decodedLength(data);
  if (expected < 0) return undefined;
  const bytes = Buffer.allocUnsafe(expected + 3);
  const written = decodeInto(data, expected, bytes);
  return written < 0 ? undefined : bytes.subarray(0, written);
}

/**
 * A Firehose event whose shape was checked once and whose records' base64
 * was decoded once, into one arena: what the batch pass and the ENI
 * collector both read. Record `i`'s flow-log bytes (after any re-ingestion
 * marker) are `arena[starts[i], ends[i])`; `starts[i]` is -1 when its `data`
 * is not standard base64.
 *
 * @example const decoded = decodeEvent(event); decoded.bytesOf(0)?.toString()
 */
class DecodedEvent {
  readonly event: FirehoseTransformationEvent;
  readonly records: readonly FirehoseTransformationEventRecord[];
  /** Every decodable record's bytes, one after the other. */
  readonly arena: Buffer;
  /** Per record: its first byte after any marker, or -1 (not base64). */
  readonly starts: Int32Array;
  /** Per record: the end (exclusive) of its bytes. */
  readonly ends: Int32Array;
  /** Per record: times it was re-ingested already (its marker), or 0. */
  readonly attempts: Uint8Array;

  constructor(
    event: FirehoseTransformationEvent,
    arena: Buffer,
    starts: Int32Array,
    ends: Int32Array,
    attempts: Uint8Array
  ) {
    this.event = event;
    this.records = event.records;
    this.arena = arena;
    this.starts = starts;
    this.ends = ends;
    this.attempts = attempts;
  }

  /** Record `index`'s bytes as a view of the arena, or undefined (not base64). */
  bytesOf(index: number): Buffer | undefined {
    const start = this.starts[index]!;
    return start < 0 ? undefined : this.arena.subarray(start, this.ends[index]);
  }

  /** Every decodable record's bytes, in order: what the ENI collector reads. */
  decodedRecords(): Buffer[] {
    const views: Buffer[] = [];
    for (let i = 0; i < this.records.length; i++) {
      const bytes = this.bytesOf(i);
      if (bytes !== undefined) views.push(bytes);
    }
    return views;
  }
}

/**
 * Checks the event's shape and decodes every record's base64 into one
 * arena, sized from the base64 lengths before it is allocated (at most 3/4
 * of the event's `data` characters, which the event holds already, plus 3
 * bytes of slack). Strips each record's re-ingestion marker. O(event bytes).
 *
 * @throws TypeError when the event is not a Firehose transformation event
 * @example const decoded = decodeEvent(JSON.parse(body));
 */
function decodeEvent(event: unknown): DecodedEvent {
  assertFirehoseEvent(event);
  const records = event.records;
  const count = records.length;
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  const attempts = new Uint8Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const data: unknown = records[i]!.data;
    const expected = typeof data === 'string' ? decodedLength(data) : -1;
    ends[i] = expected;
    if (expected > 0) total += expected;
  }
  // Each record may decode up to 3 bytes past its length: decodeInto's check.
  const arena = Buffer.allocUnsafe(total + 3);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const expected = ends[i]!;
    const written =
      expected < 0
        ? -1
        : decodeInto(records[i]!.data as string, expected, arena, at);
    if (written < 0) {
      starts[i] = -1;
      ends[i] = -1;
      continue;
    }
    const marker = readReingestMarker(arena, at, at + written);
    starts[i] = at + marker.offset;
    ends[i] = at + written;
    attempts[i] = marker.attempt;
    at += written;
  }
  return new DecodedEvent(event, arena, starts, ends, attempts);
}

/**
 * The `kinesisRecordMetadata.partitionKey` of a record, if any.
 *
 * @example partitionKeyOf(event.records[0]) // 'pk-1'
 */
function partitionKeyOf(
  record: FirehoseTransformationEventRecord
): string | undefined {
  const key = (record.kinesisRecordMetadata as { partitionKey?: unknown })
    ?.partitionKey;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

export {
  assertFirehoseEvent,
  DecodedEvent,
  decodeBase64,
  decodedLength,
  decodeEvent,
  decodeInto,
  partitionKeyOf,
};
