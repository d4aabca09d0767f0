/**
 * Collects the distinct values of one field across a batch's records, before
 * the transform loop runs: the ENI ids to prefetch from EC2.
 */

import {
  FramingWalker,
  hasJsonSpecial,
  type LineSink,
  SINK,
  type SinkAnswer,
} from '../firehose/framing.ts';
import type { OpenedRecords } from '../firehose/opened-records.ts';
import { BYTE_CLASS, CLASS_BLANK, DASH } from '../flowlog/bytes.ts';
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';

/** Default cap on a gzip record's decompressed size while collecting. */
const DEFAULT_MAX_DECOMPRESSED_BYTES = 4 * 1024 * 1024;

function isBlank(byte: number): boolean {
  return (BYTE_CLASS[byte]! & CLASS_BLANK) !== 0;
}

/** Adds token number `position` of `bytes[start, end)` to `into` unless `-`. */
function addToken(
  bytes: Buffer,
  start: number,
  end: number,
  position: number,
  into: Set<string>
): void {
  let i = start;
  for (let token = 0; ; token++) {
    while (i < end && isBlank(bytes[i]!)) i++;
    if (i >= end) return;
    const from = i;
    while (i < end && !isBlank(bytes[i]!)) i++;
    if (token === position) {
      if (i - from === 1 && bytes[from] === DASH) return;
      into.add(bytes.toString('utf8', from, i));
      return;
    }
  }
}

/**
 * The collector's side of the framing walker: the token at `position` of
 * every line. A wrapped message with a JSON special byte is handed back for
 * the walker to decode, exactly as the transform does.
 */
class TokenSink implements LineSink {
  readonly into = new Set<string>();
  private readonly position: number;

  constructor(position: number) {
    this.position = position;
  }

  line(bytes: Buffer, start: number, end: number): boolean {
    addToken(bytes, start, end, this.position, this.into);
    return true;
  }

  wrapped(bytes: Buffer, start: number, end: number): SinkAnswer {
    if (hasJsonSpecial(bytes, start, end)) return SINK.DECODE;
    addToken(bytes, start, end, this.position, this.into);
    return SINK.NEXT;
  }
}

/**
 * The distinct values of `fieldName` in the records' flow-log lines. Reads
 * records through the same {@link FramingWalker} as the transform (bare
 * lines, `{"message":"…"}` wrappers, gzip or decompressed CloudWatch Logs
 * envelopes); skips `-`, the S3 header line, lines too short to hold the
 * field, and the rest of a record once its framing is refused (the transform
 * reports those). O(bytes), gzip within the walker's budgets; never throws.
 *
 * With `keepIn` (the transformer's `opened`), every record it opens (gzip
 * inflated, envelopes read) is kept there, up to its byte cap, so that the
 * transform reads it without opening it again: emptied first, one batch at
 * a time.
 *
 * @param records - decoded (base64-free) record data
 * @example collectFieldValues(records, format, 'interface-id') // Set { 'eni-…' }
 */
function collectFieldValues(
  records: readonly Buffer[],
  format: FlowLogFormat,
  fieldName: string,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
  keepIn?: OpenedRecords
): Set<string> {
  keepIn?.clear();
  const position = fieldIndex(format, fieldName);
  if (position < 0) return new Set<string>();
  const sink = new TokenSink(position);
  const walker = new FramingWalker({ maxDecompressedBytes }, { keep: keepIn });
  for (const record of records) walker.walk(record, sink);
  // The S3 header line names the field at its own position.
  sink.into.delete(format.fields[position]!.name);
  return sink.into;
}

export { collectFieldValues };
