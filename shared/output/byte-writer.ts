/**
 * A growable output buffer for one record's transformed bytes, reused across
 * records so the hot path allocates only when a record outgrows it.
 */
import { BACKSLASH, QUOTE } from '../flowlog/bytes.ts';

/** Starting capacity: one full 1,000 KiB Firehose record of JSON output. */
const INITIAL_CAPACITY = 1 << 20;

/** Short runs are copied byte by byte: cheaper than a native call. */
const NATIVE_COPY_THRESHOLD = 32;

/** Buffer#copy, applied to Uint8Array sources too (Node takes any view). */
const bufferCopy = Buffer.prototype.copy;

// biome-ignore format: one escape per control byte, indexed by byte value
const CONTROL_ESCAPES: readonly string[] = Array.from({ length: 0x20 }, (_, b) =>
  b === 0x08 ? '\\b' : b === 0x09 ? '\\t' : b === 0x0a ? '\\n' :
  b === 0x0c ? '\\f' : b === 0x0d ? '\\r' :
  `\\u${b.toString(16).padStart(4, '0')}`
);

/**
 * Append-only byte buffer. `length` bytes of `buffer` are valid.
 *
 * @example const w = new ByteWriter(); w.ascii('{}\n'); w.toBase64() // 'e30K'
 */
class ByteWriter {
  buffer: Buffer;
  length = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Forgets the content, keeping the capacity. */
  reset(): void {
    this.length = 0;
  }

  /** Makes room for `extra` more bytes. Amortised O(1). */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  /** Appends one byte. */
  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Appends `source[start, end)`. */
  copy(source: Uint8Array, start: number, end: number): void {
    const count = end - start;
    this.reserve(count);
    const target = this.buffer;
    if (count < NATIVE_COPY_THRESHOLD) {
      let at = this.length;
      for (let i = start; i < end; i++) target[at++] = source[i]!;
    } else if (start === 0 && end === source.length) {
      // A whole buffer (the serializers' preformatted runs): no view needed.
      target.set(source, this.length);
    } else {
      // Buffer#copy takes offsets: no per-call view as subarray would make.
      bufferCopy.call(source, target, this.length, start, end);
    }
    this.length += count;
  }

  /** Appends a string of code points below 0x100, one byte each. */
  latin1(text: string): void {
    const count = text.length;
    this.reserve(count);
    if (count < NATIVE_COPY_THRESHOLD) {
      const target = this.buffer;
      let at = this.length;
      for (let i = 0; i < count; i++) target[at++] = text.charCodeAt(i);
      this.length = at;
    } else {
      this.length += this.buffer.write(text, this.length, 'latin1');
    }
  }

  /** Appends a string as UTF-8. */
  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /**
   * Appends a string as a JSON string, quotes included: byte by byte while it
   * is printable ASCII with nothing to escape (enrichment values, keys), else
   * through JSON.stringify. No allocation on the fast path.
   */
  jsonString(text: string): void {
    const count = text.length;
    this.reserve(count + 2);
    const target = this.buffer;
    let at = this.length;
    target[at++] = QUOTE;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) {
        this.utf8(JSON.stringify(text));
        return;
      }
      target[at++] = code;
    }
    target[at++] = QUOTE;
    this.length = at;
  }

  /** Appends a finite number as JSON (`null` otherwise), digits by hand for small whole numbers. */
  jsonNumber(value: number): void {
    if (!Number.isFinite(value)) {
      this.latin1('null');
    } else if (Number.isInteger(value) && value >= 0 && value < 1e15) {
      let digits = 1;
      for (let bound = 10; bound <= value; bound *= 10) digits++;
      this.reserve(digits);
      const target = this.buffer;
      let at = this.length + digits;
      this.length = at;
      let rest = value;
      do {
        target[--at] = 0x30 + (rest % 10);
        rest = Math.floor(rest / 10);
      } while (rest > 0);
    } else {
      this.latin1(String(value));
    }
  }

  /**
   * Appends `source[start, end)` JSON-escaped (without quotes): `"`, `\` and
   * control bytes are escaped; other bytes, UTF-8 included, are copied.
   */
  jsonEscaped(source: Uint8Array, start: number, end: number): void {
    this.reserve((end - start) * 6);
    const target = this.buffer;
    let at = this.length;
    for (let i = start; i < end; i++) {
      const b = source[i]!;
      if (b === QUOTE || b === BACKSLASH) {
        target[at++] = BACKSLASH;
        target[at++] = b;
      } else if (b < 0x20) {
        at += target.write(CONTROL_ESCAPES[b]!, at, 'latin1');
      } else {
        target[at++] = b;
      }
    }
    this.length = at;
  }

  /** The content as base64, as Firehose expects `data`. */
  toBase64(): string {
    return this.buffer.toString('base64', 0, this.length);
  }

  /** A copy of the content. */
  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}

export { ByteWriter };
