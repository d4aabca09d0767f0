/**
 * A parsed flow-log line: field boundaries into the record's bytes, with typed
 * accessors for filters, enrichers and output formats. One instance is reused
 * for every line of a batch; nothing is decoded until asked for.
 */
import type { FlowLogFormat } from './format.ts';

/** Field kinds the scanner records per field. */
const FIELD_KIND = {
  /** `-`: not applicable or not computed. */
  ABSENT: 0,
  /** Printable ASCII: copy into JSON as it is. */
  ASCII: 1,
  /** Valid UTF-8 with non-ASCII bytes and nothing to escape. */
  UTF8: 2,
  /** Holds `"`, `\` or control bytes: escape for JSON. */
  ESCAPE: 3,
  /** Canonical unsigned integer digits (leading zeros skipped). */
  INTEGER: 4,
} as const;

/** Largest integer Number represents exactly. */
const MAX_EXACT_DIGITS = 15;

/**
 * One flow-log line's fields, as offsets into `bytes`.
 *
 * Field `i` is `bytes[starts[i] .. ends[i])` with kind `kinds[i]`. Accessors
 * take the field's position in the format (see `fieldIndex`) and answer
 * `undefined` for absent fields and for position -1.
 */
class FlowLogLine {
  readonly format: FlowLogFormat;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly kinds: Uint8Array;
  bytes: Buffer = Buffer.alloc(0);

  constructor(format: FlowLogFormat) {
    this.format = format;
    const count = format.fields.length;
    this.starts = new Uint32Array(count);
    this.ends = new Uint32Array(count);
    this.kinds = new Uint8Array(count);
  }

  /** True when the field is in the format and not `-`. O(1). */
  has(index: number): boolean {
    return index >= 0 && this.kinds[index] !== FIELD_KIND.ABSENT;
  }

  /**
   * The field's text, or undefined when absent.
   *
   * @example line.text(fieldIndex(format, 'action')) // 'ACCEPT'
   */
  text(index: number): string | undefined {
    if (!this.has(index)) return undefined;
    const kind = this.kinds[index];
    const encoding =
      kind === FIELD_KIND.ASCII || kind === FIELD_KIND.INTEGER
        ? 'latin1'
        : 'utf8';
    return this.bytes.toString(encoding, this.starts[index], this.ends[index]);
  }

  /**
   * An integer field as a Number (exact below 2^53), or undefined when absent
   * or not an integer field. Use {@link FlowLogLine.integerText} for exact
   * 64-bit values.
   *
   * @example line.integer(fieldIndex(format, 'dstport')) // 443
   */
  integer(index: number): number | undefined {
    if (index < 0 || this.kinds[index] !== FIELD_KIND.INTEGER) return undefined;
    const start = this.starts[index]!;
    const end = this.ends[index]!;
    if (end - start > MAX_EXACT_DIGITS) {
      return Number(this.bytes.toString('latin1', start, end));
    }
    let value = 0;
    for (let i = start; i < end; i++) {
      value = value * 10 + (this.bytes[i]! - 0x30);
    }
    return value;
  }

  /**
   * An integer field's canonical decimal digits (every digit kept), or
   * undefined when absent.
   *
   * @example line.integerText(fieldIndex(format, 'bytes')) // '18446744073709551615'
   */
  integerText(index: number): string | undefined {
    if (index < 0 || this.kinds[index] !== FIELD_KIND.INTEGER) return undefined;
    return this.bytes.toString('latin1', this.starts[index], this.ends[index]);
  }

  /**
   * A plain object of the line's present fields by output key (integers as
   * Number when safe, else as BigInt). For tests and slow paths only.
   */
  toObject(): Record<string, string | number | bigint> {
    const result: Record<string, string | number | bigint> = {};
    this.format.fields.forEach((field, index) => {
      if (!this.has(index)) return;
      if (this.kinds[index] === FIELD_KIND.INTEGER) {
        const exact = BigInt(this.integerText(index)!);
        result[field.key] =
          exact <= Number.MAX_SAFE_INTEGER ? Number(exact) : exact;
      } else {
        result[field.key] = this.text(index)!;
      }
    });
    return result;
  }
}

export { FIELD_KIND, FlowLogLine };
