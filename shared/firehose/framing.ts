/**
 * Record framing: the envelopes flow-log lines arrive in, walked once by one
 * walker that both the transform (record-transformer.ts) and the ENI
 * collector (shared/enrich/collect.ts) consume, so the two can never read a
 * record differently.
 *
 * A record is one of:
 * - bare lines, LF-separated (CR before LF dropped), as a flow log delivered
 *   to Firehose or S3 writes them;
 * - lines wrapped as `{"message":"<line>"}` (direct delivery to Firehose);
 * - a gzip CloudWatch Logs subscription envelope (or several concatenated),
 *   or plain gzip-compressed lines;
 * - a CloudWatch Logs envelope Firehose already decompressed (the stream's
 *   "decompress source records from CloudWatch Logs" option):
 *   https://docs.aws.amazon.com/firehose/latest/dev/writing-with-cloudwatch-logs-decompression.html
 *
 * Every offset is checked against the range it reads before a Buffer method
 * (`compare`, `copy`) is called on it: those throw RangeError out of range,
 * where plain indexing (`bytes[i]`) only reads `undefined`.
 */
import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import {
  BYTE_CLASS,
  CLASS_BLANK,
  CLASS_ESCAPE,
  CLOSE_BRACE,
  CR,
  LF,
  OPEN_BRACE,
  QUOTE,
  TAB,
} from '../flowlog/bytes.ts';
import type { MalformedReason } from '../flowlog/errors.ts';
import { MALFORMED } from '../flowlog/errors.ts';
import {
  looksLikeEnvelope,
  type MessageOutput,
  readEnvelopes,
} from './cloudwatch-envelope.ts';

/** The exact prefix direct delivery writes before each line. */
const MESSAGE_PREFIX = Buffer.from('{"message":"', 'latin1');

/** Shortest wrapper: the prefix, then `"}`. */
const MIN_WRAPPER_BYTES = MESSAGE_PREFIX.length + 2;

/** gzip's magic number, 0x1F 0x8B (RFC 1952 §2.3.1). */
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Decompressed bytes one invocation may inflate across all its gzip records
 * (each record also has MAX_DECOMPRESSED_BYTES). Chosen from the cost
 * measured in docs/limits.md: about 0.35 s of CPU at worst, far below any
 * timeout, and 16× the largest legal event's base64 (6 MB).
 */
const MAX_INVOCATION_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

/** Where a wrapped line's text is: a range of the input, or a new buffer. */
interface Unwrapped {
  bytes: Buffer;
  start: number;
  end: number;
}

/** What a consumer's {@link LineSink.wrapped} asks the walker to do next. */
const SINK = {
  /** Go on with the next line. */
  NEXT: 0,
  /** Stop the walk: the consumer has failed the record. */
  STOP: 1,
  /** The message may hold JSON escapes: decode it, then call `line`. */
  DECODE: 2,
} as const;

type SinkAnswer = (typeof SINK)[keyof typeof SINK];

/** A consumer of the walker's lines. */
interface LineSink {
  /**
   * One flow-log line, `bytes[start, end)`: no line terminator, leading
   * blanks skipped, never empty. Returns false to stop the walk.
   */
  line(bytes: Buffer, start: number, end: number): boolean;
  /**
   * The message of a `{"message":"…"}` wrapper, `bytes[start, end)`, still
   * JSON-encoded: it is the line itself only when it holds no `"`, `\` or
   * control byte (see {@link hasJsonSpecial}). Answers NEXT or STOP when it
   * consumed the line, DECODE to have the walker decode the JSON and call
   * {@link LineSink.line} with the result.
   */
  wrapped(bytes: Buffer, start: number, end: number): SinkAnswer;
}

/** Why the walker refused a record. */
interface FramingFailure {
  readonly reason: MalformedReason;
  /** The offending text or a description, for logs. */
  readonly detail: string;
}

/** Limits of record framing. */
interface FramingLimits {
  /** Cap on a gzip record's decompressed size (MAX_DECOMPRESSED_BYTES). */
  readonly maxDecompressedBytes: number;
  /**
   * Cap on the decompressed bytes of all gzip records of one invocation
   * (since {@link FramingWalker.startInvocation}). Default
   * {@link MAX_INVOCATION_DECOMPRESSED_BYTES}.
   */
  readonly maxInvocationDecompressedBytes?: number;
}

function isBlank(byte: number): boolean {
  return (BYTE_CLASS[byte]! & CLASS_BLANK) !== 0;
}

/**
 * The first offset at or after `from` that starts a line's text: skips LF,
 * blanks and CR LF pairs (a lone CR is text).
 */
function skipEmpty(bytes: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const b = bytes[i]!;
    if (b === LF || (BYTE_CLASS[b]! & CLASS_BLANK) !== 0) i++;
    // A CR ends an empty line before LF or at the end of the text.
    else if (b === CR && (i + 1 === end || bytes[i + 1] === LF)) i += 2;
    else break;
  }
  return Math.min(i, end);
}

/** A UTF-16 surrogate without its pair (in `u` mode pairs are one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when the record starts with gzip's magic number. */
function isGzip(bytes: Buffer): boolean {
  return (
    bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1
  );
}

/**
 * The O(1) shape check of direct delivery's wrapper: `bytes[start, end)`
 * starts with `{"message":"` and ends with `"}` (blanks allowed around the
 * brace). Sets `into` to the text between, unverified: it may still hold
 * escapes, quotes or control bytes ({@link hasJsonSpecial}).
 *
 * The JSON kernel (shared/kernel/assembly/json-kernel.ts `wrapped`) takes
 * this same shape, with a message {@link hasJsonSpecial} finds nothing in,
 * without calling here: change the two together
 * (test/property/kernel.property.test.ts holds them equal).
 *
 * @returns false when the line does not have that shape (including every
 *   line shorter than the 14 bytes of `{"message":""}`)
 */
function wrappedRange(
  bytes: Buffer,
  start: number,
  end: number,
  into: Unwrapped
): boolean {
  if (start < 0 || end > bytes.length || end - start < MIN_WRAPPER_BYTES) {
    return false;
  }
  const from = start + MESSAGE_PREFIX.length;
  if (bytes.compare(MESSAGE_PREFIX, 0, MESSAGE_PREFIX.length, start, from)) {
    return false;
  }
  let last = end;
  while (last > from && isBlank(bytes[last - 1]!)) last--;
  if (last === from || bytes[last - 1] !== CLOSE_BRACE) return false;
  last--;
  while (last > from && isBlank(bytes[last - 1]!)) last--;
  if (last === from || bytes[last - 1] !== QUOTE) return false;
  into.bytes = bytes;
  into.start = from;
  into.end = last - 1;
  return true;
}

/**
 * True when `bytes[start, end)` holds a byte that a JSON string cannot carry
 * as it is: `"`, `\` or a control byte U+0000–U+001F, tab included
 * (RFC 8259 §7). Without one, JSON string text is its own value.
 */
function hasJsonSpecial(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if ((BYTE_CLASS[b]! & CLASS_ESCAPE) !== 0 || b === TAB) return true;
  }
  return false;
}

/**
 * The slow path of a `{"message":…}` line: any JSON object with a string
 * `message`, parsed with JSON.parse (so invalid JSON, raw control bytes
 * included, is refused exactly as the JSON spec says).
 */
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
  // A lone surrogate escape (`\ud800`) names no character (RFC 8259 §8.2):
  // UTF-8 would write U+FFFD in its place, a value silently changed.
  if (LONE_SURROGATE.test(message)) return MALFORMED.INVALID_UTF8;
  into.bytes = Buffer.from(message, 'utf8');
  into.start = 0;
  into.end = into.bytes.length;
  return undefined;
}

/**
 * The one framing walker: opens a record, finds its lines and hands them to
 * a {@link LineSink}. Reusable, not re-entrant; keeps the invocation's
 * decompression account between records.
 *
 * @example
 * const walker = new FramingWalker({ maxDecompressedBytes: 8 << 20 });
 * walker.startInvocation();
 * const failure = walker.walk(bytes, sink); // undefined: every line handed over
 */
class FramingWalker {
  private readonly maxRecord: number;
  private readonly maxInvocation: number;
  /** Decompressed bytes still allowed in this invocation. */
  private invocationLeft: number;
  private failure: FramingFailure | undefined;
  private readonly unwrapped: Unwrapped = {
    bytes: Buffer.alloc(0),
    start: 0,
    end: 0,
  };
  /** Decoded envelope messages; reused, grown to the largest record. */
  private readonly messages: MessageOutput = {
    bytes: Buffer.alloc(0),
    length: 0,
  };

  constructor(limits: FramingLimits) {
    this.maxRecord = limits.maxDecompressedBytes;
    this.maxInvocation =
      limits.maxInvocationDecompressedBytes ??
      MAX_INVOCATION_DECOMPRESSED_BYTES;
    this.invocationLeft = this.maxInvocation;
  }

  /** Starts an invocation: its decompression budget is whole again. */
  startInvocation(): void {
    this.invocationLeft = this.maxInvocation;
  }

  /**
   * Walks one record's decoded bytes. O(bytes) plus, for gzip, O(inflated
   * bytes) with inflated bytes ≤ min(MAX_DECOMPRESSED_BYTES, what is left
   * of the invocation's budget), enforced while inflating.
   *
   * @returns undefined when every line was handed over (or the sink
   *   stopped), else why the record's framing is refused
   */
  walk(bytes: Buffer, sink: LineSink): FramingFailure | undefined {
    this.failure = undefined;
    if (isGzip(bytes)) {
      const inflated = this.inflate(bytes);
      if (inflated === undefined) return this.failure;
      this.walkOpened(inflated, true, sink);
      return this.failure;
    }
    this.walkOpened(bytes, looksLikeEnvelope(bytes, 0, bytes.length), sink);
    return this.failure;
  }

  /**
   * Walks LF-separated lines of `bytes[start, end)`, unwrapping
   * `{"message":…}` lines: for records that arrive in chunks (the caller
   * cuts chunks at line ends).
   */
  walkLines(
    bytes: Buffer,
    start: number,
    end: number,
    sink: LineSink
  ): FramingFailure | undefined {
    this.failure = undefined;
    this.walkText(bytes, start, end, true, sink);
    return this.failure;
  }

  private fail(reason: MalformedReason, detail: string): false {
    this.failure = { reason, detail };
    return false;
  }

  /** Lines of an opened record: envelopes when `envelope` says so. */
  private walkOpened(bytes: Buffer, envelope: boolean, sink: LineSink): void {
    let first = 0;
    while (first < bytes.length && isBlank(bytes[first]!)) first++;
    if (!envelope || bytes[first] !== OPEN_BRACE) {
      this.walkText(bytes, first, bytes.length, true, sink);
      return;
    }
    if (!isUtf8(bytes)) {
      this.fail(MALFORMED.BAD_CLOUDWATCH_ENVELOPE, 'envelope is not UTF-8');
      return;
    }
    const out = this.messages;
    if (out.bytes.length < bytes.length) {
      out.bytes = Buffer.allocUnsafe(bytes.length);
    }
    out.length = 0;
    const result = readEnvelopes(bytes, 0, bytes.length, out);
    if (!result.ok) {
      this.fail(
        MALFORMED.BAD_CLOUDWATCH_ENVELOPE,
        `not a CloudWatch Logs envelope: ${result.detail}`
      );
      return;
    }
    this.walkText(out.bytes, 0, out.length, true, sink);
  }

  /** gzip → bytes, within the record's and the invocation's budget. */
  private inflate(bytes: Buffer): Buffer | undefined {
    const cap = Math.min(this.maxRecord, this.invocationLeft);
    try {
      // maxOutputLength is checked after every chunk zlib writes: a bomb
      // stops at the cap without inflating further (ERR_BUFFER_TOO_LARGE).
      const inflated = gunzipSync(bytes, { maxOutputLength: Math.max(cap, 1) });
      this.invocationLeft -= inflated.length;
      return inflated;
    } catch (error) {
      return this.inflateFailed(error, cap);
    }
  }

  private inflateFailed(error: unknown, cap: number): undefined {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_BUFFER_TOO_LARGE') {
      const message = (error as Error).message;
      this.fail(
        MALFORMED.BAD_CLOUDWATCH_ENVELOPE,
        `gzip record cannot be decompressed: ${message}`
      );
      return undefined;
    }
    this.invocationLeft = Math.max(0, this.invocationLeft - cap);
    if (cap >= this.maxRecord) {
      this.fail(
        MALFORMED.DECOMPRESSED_TOO_LARGE,
        `gzip record decompresses past MAX_DECOMPRESSED_BYTES (${this.maxRecord})`
      );
    } else {
      this.fail(
        MALFORMED.DECOMPRESSION_BUDGET_SPENT,
        `gzip record decompresses past what is left (${cap} bytes) of the invocation's ${this.maxInvocation}-byte decompression budget`
      );
    }
    return undefined;
  }

  /**
   * Splits on LF (dropping a CR before it) until the sink or a line stops.
   * Blank lines and leading blanks are skipped in one byte loop, so a record
   * of millions of empty lines costs no call per line.
   */
  private walkText(
    bytes: Buffer,
    start: number,
    end: number,
    allowWrapper: boolean,
    sink: LineSink
  ): boolean {
    let from = skipEmpty(bytes, start, end);
    while (from < end) {
      let lineEnd = bytes.indexOf(LF, from);
      if (lineEnd < 0 || lineEnd > end) lineEnd = end;
      const next = lineEnd + 1;
      if (bytes[lineEnd - 1] === CR) lineEnd--;
      // from < lineEnd: skipEmpty stopped on a byte that is not LF, blank or
      // the CR of a CR LF.
      const go =
        allowWrapper && bytes[from] === OPEN_BRACE
          ? this.walkWrapper(bytes, from, lineEnd, sink)
          : sink.line(bytes, from, lineEnd);
      if (!go) return false;
      from = skipEmpty(bytes, next, end);
    }
    return true;
  }

  /** A `{`-line: the wrapper's fast path, else JSON. */
  private walkWrapper(
    bytes: Buffer,
    start: number,
    end: number,
    sink: LineSink
  ): boolean {
    const u = this.unwrapped;
    if (wrappedRange(bytes, start, end, u)) {
      const answer = sink.wrapped(u.bytes, u.start, u.end);
      if (answer !== SINK.DECODE) return answer === SINK.NEXT;
    }
    const reason = parseWrapper(bytes, start, end, u);
    if (reason !== undefined) {
      return this.fail(reason, bytes.toString('utf8', start, end));
    }
    return this.walkText(u.bytes, u.start, u.end, false, sink);
  }
}

export type { FramingFailure, FramingLimits, LineSink, SinkAnswer, Unwrapped };
export {
  FramingWalker,
  hasJsonSpecial,
  isGzip,
  MAX_INVOCATION_DECOMPRESSED_BYTES,
  SINK,
  wrappedRange,
};
