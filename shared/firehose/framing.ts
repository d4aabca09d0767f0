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
import type { OpenedRecords, Opening } from './opened-records.ts';

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

/**
 * The most bytes deflate can inflate from one compressed byte: 1032:1
 * (https://www.zlib.net/zlib_tech.html, "Maximum compression factor"). A
 * gzip stream's header and trailer only add compressed bytes.
 */
const MAX_DEFLATE_RATIO = 1032;

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

/** Which side of an {@link OpenedRecords} a walker is on. */
interface FramingShare {
  /** Keep every record this walker opens (the ENI collector). */
  readonly keep?: OpenedRecords | undefined;
  /** Read records found here instead of opening them (the transform). */
  readonly reuse?: OpenedRecords | undefined;
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

/** `bytes[start, end)` in a buffer of its own, outside Buffer's pool. */
function copyUnpooled(bytes: Buffer, start: number, end: number): Buffer {
  const copy = Buffer.allocUnsafeSlow(end - start);
  bytes.copy(copy, 0, start, end);
  return copy;
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
 * decompression account between records. With a {@link FramingShare}, it
 * keeps what it opened for another walker, or reads what another kept.
 *
 * @example
 * const walker = new FramingWalker({ maxDecompressedBytes: 8 << 20 });
 * walker.startInvocation();
 * const failure = walker.walk(bytes, sink); // undefined: every line handed over
 */
class FramingWalker {
  private readonly maxRecord: number;
  private readonly maxInvocation: number;
  private readonly keep: OpenedRecords | undefined;
  private readonly reuse: OpenedRecords | undefined;
  /** Decompressed bytes still allowed in this invocation. */
  private invocationLeft: number;
  private failure: FramingFailure | undefined;
  private readonly unwrapped: Unwrapped = {
    bytes: Buffer.alloc(0),
    start: 0,
    end: 0,
  };
  /** Where the opened record's lines are. */
  private readonly text: Unwrapped = {
    bytes: Buffer.alloc(0),
    start: 0,
    end: 0,
  };
  /** Decoded envelope messages; reused, grown to the largest record. */
  private readonly messages: MessageOutput = {
    bytes: Buffer.alloc(0),
    length: 0,
  };
  /** The last inflate: its maxOutputLength, bytes (-1: failed), overflow. */
  private lastLimit = 0;
  private lastInflated = -1;
  private lastTooLarge = false;

  constructor(limits: FramingLimits, share: FramingShare = {}) {
    this.maxRecord = limits.maxDecompressedBytes;
    this.maxInvocation =
      limits.maxInvocationDecompressedBytes ??
      MAX_INVOCATION_DECOMPRESSED_BYTES;
    this.invocationLeft = this.maxInvocation;
    this.keep = share.keep;
    this.reuse = share.reuse;
  }

  /** Starts an invocation: its decompression budget is whole again. */
  startInvocation(): void {
    this.invocationLeft = this.maxInvocation;
  }

  /**
   * Walks one record's decoded bytes. O(bytes) plus, for gzip, O(inflated
   * bytes) with inflated bytes ≤ min(MAX_DECOMPRESSED_BYTES, what is left
   * of the invocation's budget), enforced while inflating. A record another
   * walker opened and kept ({@link OpenedRecords}) is not opened again: its
   * text or failure is read, and the budget charged exactly as inflating it
   * here would have charged it (it is inflated here only when that outcome
   * cannot be known without inflating).
   *
   * @returns undefined when every line was handed over (or the sink
   *   stopped), else why the record's framing is refused
   */
  walk(bytes: Buffer, sink: LineSink): FramingFailure | undefined {
    this.failure = undefined;
    const text = this.text;
    if (this.open(bytes, text)) {
      this.walkText(text.bytes, text.start, text.end, true, sink);
    }
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

  /**
   * Sets `into` to the text of the record's lines: the record itself, the
   * messages of its envelopes, or its inflated bytes (then their envelopes'
   * messages). @returns false when the record is refused (`failure` says why)
   */
  private open(bytes: Buffer, into: Unwrapped): boolean {
    const gzip = isGzip(bytes);
    if (!gzip && !looksLikeEnvelope(bytes, 0, bytes.length)) {
      return this.unwrap(bytes, false, into);
    }
    const kept = this.reuse?.take(bytes);
    const reused =
      kept === undefined ? undefined : this.reopen(kept, bytes.length, into);
    if (reused !== undefined) return reused;
    let opened: boolean;
    if (gzip) {
      const inflated = this.inflate(bytes);
      opened = inflated !== undefined && this.unwrap(inflated, true, into);
    } else {
      this.lastLimit = 0;
      opened = this.unwrap(bytes, true, into);
    }
    // Text that is the record itself (no `{` after all) needs no keeping.
    if (this.keep !== undefined && (!opened || into.bytes !== bytes)) {
      this.keepOpening(bytes, opened, into);
    }
    return opened;
  }

  /** Keeps how `record` opened in {@link keep}, its text as its own bytes. */
  private keepOpening(record: Buffer, opened: boolean, text: Unwrapped): void {
    let own: Buffer | undefined;
    if (opened) {
      // Kept as its own bytes, so that the cap counts what it holds: the
      // messages buffer is reused for the next record, and an inflated
      // buffer may be a view of a larger one (zlib's 16 KiB output chunk,
      // Buffer's pool) or start with blanks. Copied outside Buffer's pool:
      // a small copy in a pool slab would keep the whole slab alive
      // (measured: 54,000 kept 35-byte lines held 1.1 GiB of slabs shared
      // with zlib's discarded chunks). Otherwise kept as it is.
      const bytes = text.bytes;
      own =
        bytes === this.messages.bytes ||
        text.start > 0 ||
        bytes.byteOffset > 0 ||
        bytes.length !== bytes.buffer.byteLength
          ? copyUnpooled(bytes, text.start, text.end)
          : bytes;
    }
    this.keep!.keep(record, {
      limit: this.lastLimit,
      inflated: this.lastInflated,
      tooLarge: this.lastTooLarge,
      text: own,
      failure: this.failure,
    });
  }

  /**
   * How a record another walker opened opens here: the kept text or
   * failure, with the budget charged as {@link inflate} would have charged
   * it at this walker's cap. zlib stops with ERR_BUFFER_TOO_LARGE exactly
   * when the output passes `maxOutputLength`, so a stream that inflated
   * whole to n bytes inflates whole again under any cap ≥ n and overflows
   * any cap < n; one that overflowed a cap overflows every smaller one; one
   * that was corrupt fails again under the same cap.
   *
   * @param compressed - the record's length
   * @returns whether the record opened, or undefined when the outcome
   *   under this walker's cap is not known (then it is inflated here)
   */
  private reopen(
    kept: Opening,
    compressed: number,
    into: Unwrapped
  ): boolean | undefined {
    if (kept.limit > 0) {
      const cap = Math.min(this.maxRecord, this.invocationLeft);
      const limit = Math.max(cap, 1);
      if (kept.inflated >= 0) {
        if (kept.inflated > limit) return this.tooLarge(cap);
        this.invocationLeft -= kept.inflated;
      } else if (kept.tooLarge && limit <= kept.limit) {
        return this.tooLarge(cap);
      } else if (kept.tooLarge || limit !== kept.limit) {
        return undefined;
      } else {
        this.chargeCorrupt(cap, compressed);
      }
    }
    if (kept.text === undefined) {
      const failure = kept.failure!;
      return this.fail(failure.reason, failure.detail);
    }
    into.bytes = kept.text;
    into.start = 0;
    into.end = kept.text.length;
    return true;
  }

  /**
   * Sets `into` to the lines' text of opened bytes: their envelopes'
   * messages when `envelope` says so and they start with `{`, else the
   * bytes from their first non-blank.
   */
  private unwrap(bytes: Buffer, envelope: boolean, into: Unwrapped): boolean {
    let first = 0;
    while (first < bytes.length && isBlank(bytes[first]!)) first++;
    if (!envelope || bytes[first] !== OPEN_BRACE) {
      into.bytes = bytes;
      into.start = first;
      into.end = bytes.length;
      return true;
    }
    if (!isUtf8(bytes)) {
      return this.fail(
        MALFORMED.BAD_CLOUDWATCH_ENVELOPE,
        'envelope is not UTF-8'
      );
    }
    const out = this.messages;
    if (out.bytes.length < bytes.length) {
      out.bytes = Buffer.allocUnsafe(bytes.length);
    }
    out.length = 0;
    const result = readEnvelopes(bytes, 0, bytes.length, out);
    if (!result.ok) {
      return this.fail(
        MALFORMED.BAD_CLOUDWATCH_ENVELOPE,
        `not a CloudWatch Logs envelope: ${result.detail}`
      );
    }
    into.bytes = out.bytes;
    into.start = 0;
    into.end = out.length;
    return true;
  }

  /** gzip → bytes, within the record's and the invocation's budget. */
  private inflate(bytes: Buffer): Buffer | undefined {
    const cap = Math.min(this.maxRecord, this.invocationLeft);
    this.lastLimit = Math.max(cap, 1);
    this.lastInflated = -1;
    this.lastTooLarge = false;
    try {
      // maxOutputLength is checked after every chunk zlib writes: a bomb
      // stops at the cap without inflating further (ERR_BUFFER_TOO_LARGE).
      const inflated = gunzipSync(bytes, { maxOutputLength: this.lastLimit });
      this.invocationLeft -= inflated.length;
      this.lastInflated = inflated.length;
      return inflated;
    } catch (error) {
      return this.inflateFailed(error, cap, bytes.length);
    }
  }

  private inflateFailed(
    error: unknown,
    cap: number,
    compressed: number
  ): undefined {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_BUFFER_TOO_LARGE') {
      this.chargeCorrupt(cap, compressed);
      const message = (error as Error).message;
      this.fail(
        MALFORMED.BAD_CLOUDWATCH_ENVELOPE,
        `gzip record cannot be decompressed: ${message}`
      );
      return undefined;
    }
    this.lastTooLarge = true;
    this.tooLarge(cap);
    return undefined;
  }

  /**
   * A corrupt gzip record (bad data, CRC or length, cut short) is charged
   * what it may have inflated before zlib found the fault: at most its cap,
   * and at most {@link MAX_DEFLATE_RATIO} times its compressed bytes. zlib
   * does not say how much it inflated; charging nothing let a 6 MB event of
   * 4 KiB records that each inflate 4 MiB of spaces and then fail their
   * CRC-32 inflate 4.4 GiB (5.4 s of CPU) within the 128 MiB budget.
   */
  private chargeCorrupt(cap: number, compressed: number): void {
    const charge = Math.min(Math.max(cap, 0), MAX_DEFLATE_RATIO * compressed);
    this.invocationLeft = Math.max(0, this.invocationLeft - charge);
  }

  /** A gzip record overflowed `cap`: charged, and failed by which budget. */
  private tooLarge(cap: number): false {
    this.invocationLeft = Math.max(0, this.invocationLeft - cap);
    if (cap >= this.maxRecord) {
      return this.fail(
        MALFORMED.DECOMPRESSED_TOO_LARGE,
        `gzip record decompresses past MAX_DECOMPRESSED_BYTES (${this.maxRecord})`
      );
    }
    return this.fail(
      MALFORMED.DECOMPRESSION_BUDGET_SPENT,
      `gzip record decompresses past what is left (${cap} bytes) of the invocation's ${this.maxInvocation}-byte decompression budget`
    );
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

export type {
  FramingFailure,
  FramingLimits,
  FramingShare,
  LineSink,
  SinkAnswer,
  Unwrapped,
};
export {
  FramingWalker,
  hasJsonSpecial,
  isGzip,
  MAX_INVOCATION_DECOMPRESSED_BYTES,
  SINK,
  wrappedRange,
};
