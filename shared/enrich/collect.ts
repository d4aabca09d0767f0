/**
 * Collects the distinct values of one field across a batch's records, before
 * the transform loop runs: the ENI ids to prefetch from EC2.
 */

import {
  isGzip,
  openGzip,
  type Unwrapped,
  unwrapMessage,
} from '../firehose/framing.ts';
import {
  BYTE_CLASS,
  CLASS_BLANK,
  CR,
  LF,
  OPEN_BRACE,
} from '../flowlog/bytes.ts';
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';

/** Default cap on a gzip record's decompressed size while collecting. */
const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

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
      if (i - from === 1 && bytes[from] === 0x2d /* - */) return;
      into.add(bytes.toString('utf8', from, i));
      return;
    }
  }
}

/** State shared while walking one record. */
interface Walk {
  readonly position: number;
  readonly into: Set<string>;
  readonly unwrapped: Unwrapped;
}

/** Walks LF-separated lines, unwrapping `{"message":…}` once. */
function walkLines(
  bytes: Buffer,
  start: number,
  end: number,
  allowWrapper: boolean,
  walk: Walk
): void {
  let from = start;
  while (from < end) {
    let lineEnd = bytes.indexOf(LF, from);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const next = lineEnd + 1;
    if (lineEnd > from && bytes[lineEnd - 1] === CR) lineEnd--;
    let first = from;
    while (first < lineEnd && isBlank(bytes[first]!)) first++;
    if (first < lineEnd) {
      if (allowWrapper && bytes[first] === OPEN_BRACE) {
        const u = walk.unwrapped;
        if (unwrapMessage(bytes, first, lineEnd, u) === undefined) {
          walkLines(u.bytes, u.start, u.end, false, walk);
        }
      } else {
        addToken(bytes, first, lineEnd, walk.position, walk.into);
      }
    }
    from = next;
  }
}

/**
 * The distinct values of `fieldName` in the records' flow-log lines. Reads
 * bare lines, `{"message":"…"}` wrappers and gzip CloudWatch Logs envelopes;
 * skips `-`, malformed wrappers and lines too short to hold the field (the
 * transform loop reports those). O(bytes); never throws.
 *
 * @param records - decoded (base64-free) record data
 * @example collectFieldValues(records, format, 'interface-id') // Set { 'eni-…' }
 */
function collectFieldValues(
  records: readonly Buffer[],
  format: FlowLogFormat,
  fieldName: string,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES
): Set<string> {
  const into = new Set<string>();
  const position = fieldIndex(format, fieldName);
  if (position < 0) return into;
  const unwrapped: Unwrapped = { bytes: Buffer.alloc(0), start: 0, end: 0 };
  const walk: Walk = { position, into, unwrapped };
  for (const record of records) {
    if (isGzip(record)) {
      const envelope = openGzip(record, maxDecompressedBytes);
      if (envelope.kind === 'lines') {
        walkLines(envelope.bytes, 0, envelope.bytes.length, true, walk);
      }
    } else {
      walkLines(record, 0, record.length, true, walk);
    }
  }
  return into;
}

export { collectFieldValues };
