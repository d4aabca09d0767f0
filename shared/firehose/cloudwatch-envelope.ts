/**
 * A byte-level reader of CloudWatch Logs subscription envelopes: one or more
 * JSON objects `{"messageType":"DATA_MESSAGE"|"CONTROL_MESSAGE",…,
 * "logEvents":[{"id":…,"timestamp":…,"message":"…"},…]}`, concatenated with
 * optional JSON whitespace between them.
 *
 * It validates the whole text as JSON (RFC 8259) in one pass and writes each
 * DATA_MESSAGE log event's decoded `message`, followed by `\n`, into a
 * caller's buffer. No JS object or string is created per log event, so the
 * cost is linear in the bytes whatever their shape (millions of tiny events,
 * runs of blanks, `{` + `} {` repeated), and a message is copied exactly as
 * the JSON encodes it (`}{` inside a value stays `}{`).
 *
 * Envelope shape: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 * JSON grammar: https://www.rfc-editor.org/rfc/rfc8259
 */

/** `"`, 0x22 */
const QUOTE = 0x22;
/** `\`, 0x5C */
const BACKSLASH = 0x5c;
/** `{`, 0x7B */
const OPEN_BRACE = 0x7b;
/** `}`, 0x7D */
const CLOSE_BRACE = 0x7d;
/** `[`, 0x5B */
const OPEN_BRACKET = 0x5b;
/** `]`, 0x5D */
const CLOSE_BRACKET = 0x5d;
/** `,`, 0x2C */
const COMMA = 0x2c;
/** `:`, 0x3A */
const COLON = 0x3a;
/** `-`, 0x2D */
const MINUS = 0x2d;
/** `+`, 0x2B */
const PLUS = 0x2b;
/** `.`, 0x2E */
const DOT = 0x2e;
/** `0`, 0x30 */
const ZERO = 0x30;
/** `\n`, 0x0A */
const LF = 0x0a;

/** Deepest nesting accepted inside an envelope (CloudWatch writes 3). */
const MAX_DEPTH = 32;

/** Byte class: JSON whitespace (space, tab, LF, CR; RFC 8259 §2). */
const WS = 1;
/** Byte class: ends a run of plain string bytes (`"`, `\`, controls; §7). */
const STRING_STOP = 2;
/** Byte class: an ASCII digit. */
const DIGIT = 4;
/** Byte class: a hexadecimal digit. */
const HEX = 8;

function buildClasses(): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 0; b < 0x20; b++) table[b] = STRING_STOP;
  table[QUOTE] = STRING_STOP;
  table[BACKSLASH] = STRING_STOP;
  for (const b of [0x20, 0x09, 0x0a, 0x0d]) table[b] = (table[b] ?? 0) | WS;
  for (let b = 0x30; b <= 0x39; b++) table[b] = DIGIT | HEX;
  for (let b = 0x41; b <= 0x46; b++) table[b] = HEX; // A-F
  for (let b = 0x61; b <= 0x66; b++) table[b] = HEX; // a-f
  return table;
}

/** Byte → OR of the class bits above; index is the byte value. */
const CLASS: Uint8Array = buildClasses();

/** What a short escape (`\n`, …) stands for; 0 where none is defined. */
// biome-ignore format: one row per escape letter keeps the table readable
const SHORT_ESCAPE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  table[QUOTE] = QUOTE; // \"
  table[BACKSLASH] = BACKSLASH; // \\
  table[0x2f] = 0x2f; // \/
  table[0x62] = 0x08; // \b
  table[0x66] = 0x0c; // \f
  table[0x6e] = 0x0a; // \n
  table[0x72] = 0x0d; // \r
  table[0x74] = 0x09; // \t
  return table;
})();

const KEY_MESSAGE_TYPE = Buffer.from('messageType', 'latin1');
const KEY_LOG_EVENTS = Buffer.from('logEvents', 'latin1');
const KEY_MESSAGE = Buffer.from('message', 'latin1');
/** The keys whose values the reader looks at. */
const READ_KEYS: readonly Buffer[] = [
  KEY_MESSAGE,
  KEY_MESSAGE_TYPE,
  KEY_LOG_EVENTS,
];
const DATA_MESSAGE = Buffer.from('DATA_MESSAGE', 'latin1');
const CONTROL_MESSAGE = Buffer.from('CONTROL_MESSAGE', 'latin1');
/** The keys CloudWatch Logs writes at the top of an envelope. */
const ENVELOPE_KEYS: readonly Buffer[] = [
  'messageType',
  'owner',
  'logGroup',
  'logStream',
  'subscriptionFilters',
  'logEvents',
  'policyLevel',
].map((key) => Buffer.from(key, 'latin1'));

/** Where decoded messages go: a buffer at least as long as the input. */
interface MessageOutput {
  bytes: Buffer;
  length: number;
}

/** The outcome of reading envelopes: counts, or why the text is refused. */
type EnvelopeResult =
  | { readonly ok: true; readonly events: number; readonly data: number }
  | { readonly ok: false; readonly detail: string };

/** What an object's members are read as. */
const MEMBERS = {
  /** An envelope's top-level keys. */
  ENVELOPE: 0,
  /** One log event's keys. */
  EVENT: 1,
  /** Any other object: validated and skipped. */
  SKIP: 2,
} as const;

type Members = (typeof MEMBERS)[keyof typeof MEMBERS];

/** What the current envelope's `messageType` said. */
const TYPE = { NONE: 0, DATA: 1, CONTROL: 2, OTHER: 3 } as const;

/**
 * One pass over envelope text. Each method returns the position after what
 * it read, or -1 after setting `detail`. Not re-entrant.
 */
class EnvelopeReader {
  private bytes: Buffer = Buffer.alloc(0);
  private end = 0;
  private out: MessageOutput = { bytes: Buffer.alloc(0), length: 0 };
  detail = '';
  events = 0;
  data = 0;
  /** Where a message of this envelope holds a lone surrogate, or -1. */
  private loneSurrogateAt = -1;
  /** The current envelope's messageType (TYPE). */
  private type: number = TYPE.NONE;
  /** The current envelope had a logEvents key. */
  private sawEvents = false;
  /** The current log event had a message key. */
  private sawMessage = false;
  /** True when the last string skipped held an escape. */
  private escaped = false;
  /** Scratch for a key or value that holds escapes (rare). */
  private readonly decoded: MessageOutput = {
    bytes: Buffer.alloc(64),
    length: 0,
  };

  read(bytes: Buffer, start: number, end: number, out: MessageOutput): number {
    this.bytes = bytes;
    this.end = end;
    this.out = out;
    this.detail = '';
    this.events = 0;
    this.data = 0;
    let p = this.ws(start);
    if (p >= end) return this.error('no envelope', p);
    while (p < end) {
      if (bytes[p] !== OPEN_BRACE) return this.error('expected {', p);
      p = this.envelope(p);
      if (p < 0) return -1;
      p = this.ws(p);
    }
    return p;
  }

  private error(what: string, at: number): number {
    if (this.detail === '') this.detail = `${what} at byte ${at}`;
    return -1;
  }

  private ws(from: number): number {
    let p = from;
    while (p < this.end && (CLASS[this.bytes[p]!]! & WS) !== 0) p++;
    return p;
  }

  /** Reads `{`, each member as `members` says, then `}`. */
  private object(from: number, members: Members, depth: number): number {
    const bytes = this.bytes;
    let p = this.ws(from + 1);
    if (bytes[p] === CLOSE_BRACE) return p + 1;
    for (;;) {
      if (bytes[p] !== QUOTE) return this.error('expected a key', p);
      const keyEnd = this.skipString(p);
      if (keyEnd < 0) return -1;
      const key = members === MEMBERS.SKIP ? undefined : this.keyOf(p, keyEnd);
      p = this.ws(keyEnd);
      if (bytes[p] !== COLON) return this.error('expected :', p);
      const at = this.ws(p + 1);
      if (members === MEMBERS.ENVELOPE) p = this.envelopeMember(key, at);
      else if (members === MEMBERS.EVENT) p = this.eventMember(key, at);
      else p = this.skipValue(at, depth + 1);
      if (p < 0) return -1;
      p = this.ws(p);
      if (bytes[p] === CLOSE_BRACE) return p + 1;
      if (bytes[p] !== COMMA) return this.error('expected , or }', p);
      p = this.ws(p + 1);
    }
  }

  /** One envelope; its messages are kept only if it is a DATA_MESSAGE. */
  private envelope(from: number): number {
    const mark = this.out.length;
    const eventsBefore = this.events;
    this.type = TYPE.NONE;
    this.sawEvents = false;
    this.loneSurrogateAt = -1;
    const end = this.object(from, MEMBERS.ENVELOPE, 0);
    if (end < 0) return -1;
    if (this.type === TYPE.DATA && this.loneSurrogateAt >= 0) {
      return this.error(
        'lone surrogate escape in a message: not a Unicode character',
        this.loneSurrogateAt
      );
    }
    if (this.type === TYPE.CONTROL) {
      this.out.length = mark;
      this.events = eventsBefore;
      return end;
    }
    if (this.type !== TYPE.DATA) {
      return this.error(
        'messageType is not DATA_MESSAGE or CONTROL_MESSAGE',
        from
      );
    }
    if (!this.sawEvents) {
      return this.error('DATA_MESSAGE without logEvents', from);
    }
    this.data++;
    return end;
  }

  private envelopeMember(key: Buffer | undefined, at: number): number {
    if (key === KEY_MESSAGE_TYPE) {
      if (this.type !== TYPE.NONE) {
        return this.error('repeated messageType', at);
      }
      if (this.bytes[at] !== QUOTE) {
        return this.error('messageType is not a string', at);
      }
      const valueEnd = this.skipString(at);
      if (valueEnd < 0) return -1;
      this.type = this.means(at, valueEnd, DATA_MESSAGE)
        ? TYPE.DATA
        : this.means(at, valueEnd, CONTROL_MESSAGE)
          ? TYPE.CONTROL
          : TYPE.OTHER;
      return valueEnd;
    }
    if (key === KEY_LOG_EVENTS) {
      if (this.sawEvents) return this.error('repeated logEvents', at);
      this.sawEvents = true;
      return this.logEvents(at);
    }
    return this.skipValue(at, 1);
  }

  /** `[` log event objects `]`. */
  private logEvents(from: number): number {
    const bytes = this.bytes;
    if (bytes[from] !== OPEN_BRACKET) {
      return this.error('logEvents is not an array', from);
    }
    let p = this.ws(from + 1);
    if (bytes[p] === CLOSE_BRACKET) return p + 1;
    for (;;) {
      if (bytes[p] !== OPEN_BRACE) {
        return this.error('a logEvents entry is not an object', p);
      }
      this.sawMessage = false;
      p = this.object(p, MEMBERS.EVENT, 2);
      if (p < 0) return -1;
      if (!this.sawMessage) {
        return this.error('a logEvents entry has no message', p);
      }
      this.events++;
      p = this.ws(p);
      if (bytes[p] === CLOSE_BRACKET) return p + 1;
      if (bytes[p] !== COMMA) return this.error('expected , or ]', p);
      p = this.ws(p + 1);
    }
  }

  /** A log event's member: its `message` is written out, then `\n`. */
  private eventMember(key: Buffer | undefined, at: number): number {
    if (key !== KEY_MESSAGE) return this.skipValue(at, 3);
    if (this.sawMessage) return this.error('repeated message', at);
    this.sawMessage = true;
    if (this.bytes[at] !== QUOTE) {
      return this.error('a logEvents message is not a string', at);
    }
    const out = this.out;
    const valueEnd = this.decodeString(at, out, true);
    if (valueEnd >= 0) out.bytes[out.length++] = LF;
    return valueEnd;
  }

  /** The key `bytes[at, keyEnd)` (quotes included) if it is one we read. */
  private keyOf(at: number, keyEnd: number): Buffer | undefined {
    for (const key of READ_KEYS) {
      if (this.escaped) {
        if (this.stringBytes(at, keyEnd).equals(key)) return key;
      } else if (this.isText(at, keyEnd, key)) {
        return key;
      }
    }
    return undefined;
  }

  /**
   * True when the escape-free string `bytes[at, valueEnd)` (quotes
   * included) is `text`. A byte loop: keys are short, and a native call per
   * key would cost more than the compare.
   */
  private isText(at: number, valueEnd: number, text: Buffer): boolean {
    if (valueEnd - at - 2 !== text.length) return false;
    const bytes = this.bytes;
    for (let k = 0; k < text.length; k++) {
      if (bytes[at + 1 + k] !== text[k]) return false;
    }
    return true;
  }

  /** True when the string `bytes[at, valueEnd)` means `text`. */
  private means(at: number, valueEnd: number, text: Buffer): boolean {
    return this.escaped
      ? this.stringBytes(at, valueEnd).equals(text)
      : this.isText(at, valueEnd, text);
  }

  /**
   * The content of the string `bytes[at, valueEnd)` (quotes included in the
   * range): a view when it has no escapes, else decoded into scratch.
   */
  private stringBytes(at: number, valueEnd: number): Buffer {
    if (!this.escaped) return this.bytes.subarray(at + 1, valueEnd - 1);
    const scratch = this.decoded;
    scratch.length = 0;
    if (scratch.bytes.length < valueEnd - at) {
      scratch.bytes = Buffer.allocUnsafe(valueEnd - at);
    }
    this.decodeString(at, scratch, false);
    return scratch.bytes.subarray(0, scratch.length);
  }

  /** Validates the string opening at `at`; returns the position after it. */
  private skipString(at: number): number {
    const bytes = this.bytes;
    const end = this.end;
    this.escaped = false;
    let p = at + 1;
    while (p < end) {
      const b = bytes[p]!;
      if ((CLASS[b]! & STRING_STOP) === 0) {
        p++;
      } else if (b === QUOTE) {
        return p + 1;
      } else if (b === BACKSLASH) {
        this.escaped = true;
        const next = this.escapeLength(p);
        if (next < 0) return -1;
        p += next;
      } else {
        return this.error('raw control character in a string', p);
      }
    }
    return this.error('unterminated string', at);
  }

  /** Bytes taken by the escape at `p` (`\n`: 2, `\u0041`: 6), or -1. */
  private escapeLength(p: number): number {
    const bytes = this.bytes;
    const letter = bytes[p + 1];
    if (letter === undefined || p + 1 >= this.end) {
      return this.error('unterminated escape', p);
    }
    if (SHORT_ESCAPE[letter] !== 0) return 2;
    if (letter !== 0x75 /* u */ || p + 6 > this.end) {
      return this.error('bad escape', p);
    }
    for (let k = 2; k < 6; k++) {
      if ((CLASS[bytes[p + k]!]! & HEX) === 0)
        return this.error('bad \\u escape', p);
    }
    return 6;
  }

  /**
   * Decodes the string opening at `at` into `out` as UTF-8. A lone
   * surrogate escape names no character (RFC 8259 §8.2): in a message
   * (`strict`) it is noted, and the envelope refused if it is a
   * DATA_MESSAGE, rather than written as U+FFFD, which would change a value
   * (a CONTROL_MESSAGE's messages are not kept, so it does not matter
   * there); in a key it becomes U+FFFD, which matches no key read.
   * Runs without escapes are copied with one `copy`.
   */
  private decodeString(
    at: number,
    out: MessageOutput,
    strict: boolean
  ): number {
    const bytes = this.bytes;
    const end = this.end;
    let p = at + 1;
    let run = p;
    while (p < end) {
      const b = bytes[p]!;
      if ((CLASS[b]! & STRING_STOP) === 0) {
        p++;
        continue;
      }
      if (p > run) out.length = copyRun(bytes, run, p, out);
      if (b === QUOTE) return p + 1;
      if (b !== BACKSLASH) {
        return this.error('raw control character in a string', p);
      }
      const taken = this.escapeLength(p);
      if (taken < 0) return -1;
      p =
        taken === 2
          ? this.writeShort(p, out)
          : this.writeUnicode(p, out, strict);
      run = p;
    }
    return this.error('unterminated string', at);
  }

  private writeShort(p: number, out: MessageOutput): number {
    out.bytes[out.length++] = SHORT_ESCAPE[this.bytes[p + 1]!]!;
    return p + 2;
  }

  /**
   * `\uXXXX`, or a `\uD8xx\uDCxx` pair, as UTF-8; returns the next
   * position. A lone surrogate becomes U+FFFD; when `strict` (a message)
   * its position is noted, and a DATA_MESSAGE holding one is refused.
   */
  private writeUnicode(p: number, out: MessageOutput, strict: boolean): number {
    let code = this.hex4(p + 2);
    let next = p + 6;
    if (code >= 0xd800 && code <= 0xdbff && this.isLowSurrogateAt(next)) {
      const low = this.hex4(next + 2);
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      next += 6;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      if (strict && this.loneSurrogateAt < 0) this.loneSurrogateAt = p;
      code = 0xfffd;
    }
    out.length = writeUtf8(code, out.bytes, out.length);
    return next;
  }

  private isLowSurrogateAt(p: number): boolean {
    const bytes = this.bytes;
    if (p + 6 > this.end) return false;
    if (bytes[p] !== BACKSLASH || bytes[p + 1] !== 0x75 /* u */) return false;
    for (let k = 2; k < 6; k++) {
      if ((CLASS[bytes[p + k]!]! & HEX) === 0) return false;
    }
    const code = this.hex4(p + 2);
    return code >= 0xdc00 && code <= 0xdfff;
  }

  private hex4(p: number): number {
    let value = 0;
    for (let k = 0; k < 4; k++) {
      const b = this.bytes[p + k]!;
      const digit = b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10;
      value = value * 16 + digit;
    }
    return value;
  }

  /** Any JSON value, validated and skipped. */
  private skipValue(at: number, depth: number): number {
    const b = this.bytes[at];
    if (b === QUOTE) return this.skipString(at);
    if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (depth >= MAX_DEPTH) return this.error('nested too deep', at);
      return b === OPEN_BRACE
        ? this.object(at, MEMBERS.SKIP, depth)
        : this.skipArray(at, depth + 1);
    }
    if (b === MINUS || (b !== undefined && (CLASS[b]! & DIGIT) !== 0)) {
      return this.skipNumber(at);
    }
    return this.skipLiteral(at);
  }

  private skipArray(from: number, depth: number): number {
    const bytes = this.bytes;
    let p = this.ws(from + 1);
    if (bytes[p] === CLOSE_BRACKET) return p + 1;
    for (;;) {
      p = this.skipValue(p, depth);
      if (p < 0) return -1;
      p = this.ws(p);
      if (bytes[p] === CLOSE_BRACKET) return p + 1;
      if (bytes[p] !== COMMA) return this.error('expected , or ]', p);
      p = this.ws(p + 1);
    }
  }

  /** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (RFC 8259 §6). */
  private skipNumber(at: number): number {
    const bytes = this.bytes;
    let p = at;
    if (bytes[p] === MINUS) p++;
    if (bytes[p] === ZERO) p++;
    else if (this.isDigit(p)) p = this.digits(p);
    else return this.error('bad number', at);
    if (bytes[p] === DOT) {
      if (!this.isDigit(p + 1)) return this.error('bad number', at);
      p = this.digits(p + 1);
    }
    if ((bytes[p]! | 0x20) === 0x65 /* e */ && p < this.end) {
      p++;
      if (bytes[p] === PLUS || bytes[p] === MINUS) p++;
      if (!this.isDigit(p)) return this.error('bad number', at);
      p = this.digits(p);
    }
    return p;
  }

  private isDigit(p: number): boolean {
    return p < this.end && (CLASS[this.bytes[p]!]! & DIGIT) !== 0;
  }

  private digits(from: number): number {
    let p = from;
    while (this.isDigit(p)) p++;
    return p;
  }

  private skipLiteral(at: number): number {
    for (const literal of LITERALS) {
      if (
        at + literal.length <= this.end &&
        this.bytes.compare(
          literal,
          0,
          literal.length,
          at,
          at + literal.length
        ) === 0
      ) {
        return at + literal.length;
      }
    }
    return this.error('unexpected byte', at);
  }
}

const LITERALS: readonly Buffer[] = ['true', 'false', 'null'].map((text) =>
  Buffer.from(text, 'latin1')
);

/** Runs shorter than this are copied by a byte loop: a native call costs more. */
const NATIVE_COPY_BYTES = 64;

/** Appends `bytes[start, end)` to `out`; returns the new length. */
function copyRun(
  bytes: Buffer,
  start: number,
  end: number,
  out: MessageOutput
): number {
  const target = out.bytes;
  let at = out.length;
  if (end - start >= NATIVE_COPY_BYTES) {
    return at + bytes.copy(target, at, start, end);
  }
  for (let i = start; i < end; i++) target[at++] = bytes[i]!;
  return at;
}

/**
 * Writes code point `code` (not a surrogate) as UTF-8 at `at` (RFC 3629 §3).
 * @returns the offset after it
 */
function writeUtf8(code: number, target: Buffer, at: number): number {
  let i = at;
  if (code < 0x80) {
    target[i++] = code;
  } else if (code < 0x800) {
    target[i++] = 0xc0 | (code >> 6);
    target[i++] = 0x80 | (code & 0x3f);
  } else if (code < 0x10000) {
    target[i++] = 0xe0 | (code >> 12);
    target[i++] = 0x80 | ((code >> 6) & 0x3f);
    target[i++] = 0x80 | (code & 0x3f);
  } else {
    target[i++] = 0xf0 | (code >> 18);
    target[i++] = 0x80 | ((code >> 12) & 0x3f);
    target[i++] = 0x80 | ((code >> 6) & 0x3f);
    target[i++] = 0x80 | (code & 0x3f);
  }
  return i;
}

/**
 * True when `bytes[start, end)` opens like a CloudWatch Logs envelope: `{`,
 * then (after JSON whitespace) a first key CloudWatch Logs writes at the top
 * of an envelope (`messageType`, `owner`, …). O(1): a `{"message":…}`
 * wrapper or a flow-log line never matches.
 *
 * @example looksLikeEnvelope(Buffer.from('{"messageType":"DATA_MESSAGE"}'), 0, 30) // true
 */
function looksLikeEnvelope(bytes: Buffer, start: number, end: number): boolean {
  let p = start;
  while (p < end && (CLASS[bytes[p]!]! & WS) !== 0) p++;
  if (bytes[p] !== OPEN_BRACE) return false;
  p++;
  while (p < end && (CLASS[bytes[p]!]! & WS) !== 0) p++;
  if (bytes[p] !== QUOTE) return false;
  p++;
  for (const key of ENVELOPE_KEYS) {
    const keyEnd = p + key.length;
    if (
      keyEnd < end &&
      bytes[keyEnd] === QUOTE &&
      bytes.compare(key, 0, key.length, p, keyEnd) === 0
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Reads the envelopes in `bytes[start, end)` (valid UTF-8, checked by the
 * caller) and appends every DATA_MESSAGE log event's message plus `\n` to
 * `out`, which must have room for `end - start` more bytes (decoding never
 * grows text). CONTROL_MESSAGE envelopes add nothing.
 * O(end - start) time; allocates nothing per log event.
 *
 * @returns the counts of log events and DATA_MESSAGE envelopes, or why the
 *   text is not envelope JSON
 * @example readEnvelopes(inflated, 0, inflated.length, { bytes: Buffer.allocUnsafe(inflated.length), length: 0 })
 */
function readEnvelopes(
  bytes: Buffer,
  start: number,
  end: number,
  out: MessageOutput
): EnvelopeResult {
  const reader = READER;
  const mark = out.length;
  if (reader.read(bytes, start, end, out) < 0) {
    out.length = mark;
    return { ok: false, detail: reader.detail };
  }
  return { ok: true, events: reader.events, data: reader.data };
}

/** One reader, reused: the walk is synchronous and not re-entrant. */
const READER = new EnvelopeReader();

export type { EnvelopeResult, MessageOutput };
export { looksLikeEnvelope, readEnvelopes };
