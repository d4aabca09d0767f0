/**
 * Record framing: the envelopes flow-log lines arrive in. Direct delivery to
 * Firehose wraps each line as `{"message":"<line>"}`; a CloudWatch Logs
 * subscription gzips a JSON envelope whose logEvents carry the lines.
 */
import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import {
  BACKSLASH,
  BYTE_CLASS,
  CLASS_BLANK,
  CLOSE_BRACE,
  QUOTE,
} from '../flowlog/bytes.ts';
import type { MalformedReason } from '../flowlog/errors.ts';
import { MALFORMED } from '../flowlog/errors.ts';

/** The exact prefix direct delivery writes before each line. */
const MESSAGE_PREFIX = Buffer.from('{"message":"', 'latin1');

/** gzip's magic number, 0x1F 0x8B. */
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Where a wrapped line's text is: a range of the input, or a new buffer. */
interface Unwrapped {
  bytes: Buffer;
  start: number;
  end: number;
}

/** The outcome of opening a gzip record. */
type Envelope =
  | { kind: 'lines'; bytes: Buffer }
  | { kind: 'control' }
  | { kind: 'malformed'; reason: MalformedReason; detail: string };

function isBlank(byte: number): boolean {
  return (BYTE_CLASS[byte]! & CLASS_BLANK) !== 0;
}

/** True when the record starts with gzip's magic number. */
function isGzip(bytes: Buffer): boolean {
  return (
    bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1
  );
}

/**
 * The O(1) shape check of direct delivery's wrapper: `bytes[start, end)`
 * starts with `{"message":"` and ends with `"}` (blanks allowed around the
 * brace).
 * Sets `into` to the text between, unverified: it may still hold escapes or
 * quotes, which the caller detects while scanning and then takes the
 * general path, {@link unwrapMessage}.
 *
 * @returns false when the line does not have that shape
 */
function wrappedRange(
  bytes: Buffer,
  start: number,
  end: number,
  into: Unwrapped
): boolean {
  const from = start + MESSAGE_PREFIX.length;
  let last = end;
  while (last > from && isBlank(bytes[last - 1]!)) last--;
  if (last === from || bytes[last - 1] !== CLOSE_BRACE) return false;
  last--;
  while (last > from && isBlank(bytes[last - 1]!)) last--;
  if (
    last === from ||
    bytes[last - 1] !== QUOTE ||
    bytes.compare(MESSAGE_PREFIX, 0, MESSAGE_PREFIX.length, start, from) !== 0
  ) {
    return false;
  }
  into.bytes = bytes;
  into.start = from;
  into.end = last - 1;
  return true;
}

/** True when `bytes[start, end)` holds `"` or `\`: JSON text to decode. */
function hasJsonEscape(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (bytes[i] === QUOTE || bytes[i] === BACKSLASH) return true;
  }
  return false;
}

/**
 * Finds the message of `{"message":"…"}` in `bytes[start, end)` without
 * copying when it has no escapes; otherwise parses the object as JSON.
 *
 * @returns where the message is, or a malformed reason
 */
function unwrapMessage(
  bytes: Buffer,
  start: number,
  end: number,
  into: Unwrapped
): MalformedReason | undefined {
  if (
    wrappedRange(bytes, start, end, into) &&
    !hasJsonEscape(bytes, into.start, into.end)
  ) {
    return undefined;
  }
  return parseWrapper(bytes, start, end, into);
}

/** The slow path: any JSON object with a string `message`. */
function parseWrapper(
  bytes: Buffer,
  start: number,
  end: number,
  into: Unwrapped
): MalformedReason | undefined {
  const view = bytes.subarray(start, end);
  if (!isUtf8(view)) return MALFORMED.INVALID_UTF8;
  let parsed: unknown;
  try {
    parsed = JSON.parse(view.toString('utf8'));
  } catch {
    return MALFORMED.BAD_JSON_WRAPPER;
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') return MALFORMED.BAD_JSON_WRAPPER;
  into.bytes = Buffer.from(message, 'utf8');
  into.start = 0;
  into.end = into.bytes.length;
  return undefined;
}

function inflate(bytes: Buffer, maxBytes: number): Buffer | Envelope {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      return {
        kind: 'malformed',
        reason: MALFORMED.DECOMPRESSED_TOO_LARGE,
        detail: `gzip record decompresses past MAX_DECOMPRESSED_BYTES (${maxBytes})`,
      };
    }
    return {
      kind: 'malformed',
      reason: MALFORMED.BAD_CLOUDWATCH_ENVELOPE,
      detail: `gzip record cannot be decompressed: ${(error as Error).message}`,
    };
  }
}

/** Parses one envelope, or several concatenated ones, as CloudWatch sends. */
function parseEnvelopes(text: string): unknown[] | undefined {
  try {
    return [JSON.parse(text)];
  } catch {
    try {
      const joined = `[${text.replace(/\}\s*\{/g, '},{')}]`;
      const parsed: unknown = JSON.parse(joined);
      return Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
}

function badEnvelope(detail: string): Envelope {
  return {
    kind: 'malformed',
    reason: MALFORMED.BAD_CLOUDWATCH_ENVELOPE,
    detail,
  };
}

/** Collects DATA_MESSAGE log events; control messages contribute nothing. */
function collectMessages(envelopes: unknown[]): string[] | string {
  const messages: string[] = [];
  for (const envelope of envelopes) {
    const { messageType, logEvents } = (envelope ?? {}) as {
      messageType?: unknown;
      logEvents?: unknown;
    };
    if (messageType === 'CONTROL_MESSAGE') continue;
    if (messageType !== 'DATA_MESSAGE' || !Array.isArray(logEvents)) {
      return `unexpected messageType ${JSON.stringify(messageType)} or missing logEvents`;
    }
    for (const event of logEvents) {
      const message = (event as { message?: unknown } | null)?.message;
      if (typeof message !== 'string')
        return 'a logEvents entry has no string message';
      messages.push(message);
    }
  }
  return messages;
}

/**
 * Opens a gzip record: a CloudWatch Logs subscription envelope (or several
 * concatenated), or plain gzip-compressed flow-log lines.
 *
 * @param maxBytes - cap on the decompressed size (MAX_DECOMPRESSED_BYTES)
 * @example openGzip(gzipSync(envelopeJson), 8 << 20) // { kind: 'lines', … }
 */
function openGzip(bytes: Buffer, maxBytes: number): Envelope {
  const inflated = inflate(bytes, maxBytes);
  if (!Buffer.isBuffer(inflated)) return inflated;
  let first = 0;
  while (first < inflated.length && isBlank(inflated[first]!)) first++;
  if (inflated[first] !== 0x7b /* { */) {
    return { kind: 'lines', bytes: inflated };
  }
  if (!isUtf8(inflated)) return badEnvelope('envelope is not valid UTF-8');
  const envelopes = parseEnvelopes(inflated.toString('utf8'));
  if (envelopes === undefined) return badEnvelope('envelope is not JSON');
  const messages = collectMessages(envelopes);
  if (typeof messages === 'string') return badEnvelope(messages);
  if (messages.length === 0) return { kind: 'control' };
  return { kind: 'lines', bytes: Buffer.from(messages.join('\n'), 'utf8') };
}

export type { Envelope, Unwrapped };
export { hasJsonEscape, isGzip, openGzip, unwrapMessage, wrappedRange };
