/**
 * Writes nested JSON objects straight into a {@link ByteWriter}: the OCSF and
 * ECS serializers use it to build one document per line without making an
 * intermediate object. Objects and arrays open lazily, so a block whose
 * fields are all absent (`-`) is left out instead of written as `{}`.
 */
import { CLOSE_BRACE, LF, OPEN_BRACE, QUOTE } from '../flowlog/bytes.ts';
import { FIELD_KIND, type FlowLogLine } from '../flowlog/line.ts';
import type { ByteWriter } from './byte-writer.ts';
import { ENRICHMENT_ROLE, type LineEnrichment } from './enrichment.ts';

/** `,`, 0x2C */
const COMMA = 0x2c;
/** `]`, 0x5D */
const CLOSE_BRACKET = 0x5d;

/** Dynamic key names whose bytes are cached (enrichment keys are few). */
const MAX_CACHED_KEYS = 256;

/** Deepest nesting the serializers use (`aws.vpcflow.enrichment.x` is 4). */
const MAX_DEPTH = 8;

/**
 * The bytes of `"name":`, precomputed once per key.
 *
 * @example keyBytes('ip').toString() // '"ip":'
 */
function keyBytes(name: string): Buffer {
  return Buffer.from(`${JSON.stringify(name)}:`, 'utf8');
}

/**
 * True when field `index` holds exactly the bytes of `expected` (false when
 * absent). O(length), no string made.
 *
 * @example fieldIs(line, actionIndex, Buffer.from('ACCEPT'))
 */
function fieldIs(line: FlowLogLine, index: number, expected: Buffer): boolean {
  if (!line.has(index)) return false;
  const start = line.starts[index]!;
  if (line.ends[index]! - start !== expected.length) return false;
  const bytes = line.bytes;
  for (let k = 0; k < expected.length; k++) {
    if (bytes[start + k] !== expected[k]) return false;
  }
  return true;
}

/** True when field `index` holds integer digits (false when absent). O(1). */
function isIntegerField(line: FlowLogLine, index: number): boolean {
  return index >= 0 && line.kinds[index] === FIELD_KIND.INTEGER;
}

/**
 * True when integer field `index`'s canonical digits are at most `max`
 * (digits of the same canonical form), compared as bytes: no string made.
 *
 * @example digitsAtMost(line, bytesIndex, Buffer.from('9223372036854775807'))
 */
function digitsAtMost(line: FlowLogLine, index: number, max: Buffer): boolean {
  const start = line.starts[index]!;
  const length = line.ends[index]! - start;
  if (length !== max.length) return length < max.length;
  const bytes = line.bytes;
  for (let k = 0; k < length; k++) {
    const diff = bytes[start + k]! - max[k]!;
    if (diff !== 0) return diff < 0;
  }
  return true;
}

/** True when fields `a` and `b` are both present and byte-identical. */
function sameField(line: FlowLogLine, a: number, b: number): boolean {
  if (!line.has(a) || !line.has(b)) return false;
  const startA = line.starts[a]!;
  const startB = line.starts[b]!;
  const length = line.ends[a]! - startA;
  if (line.ends[b]! - startB !== length) return false;
  const bytes = line.bytes;
  for (let k = 0; k < length; k++) {
    if (bytes[startA + k] !== bytes[startB + k]) return false;
  }
  return true;
}

/** True when field `index` is present and contains byte `value`. */
function fieldHasByte(
  line: FlowLogLine,
  index: number,
  value: number
): boolean {
  if (!line.has(index)) return false;
  const end = line.ends[index]!;
  for (let k = line.starts[index]!; k < end; k++) {
    if (line.bytes[k] === value) return true;
  }
  return false;
}

/** The bytes of a JSON value, precomputed once per constant. */
function valueBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/**
 * Appends any JSON-serialisable value; bigint is written as exact digits,
 * undefined and non-finite numbers as `null`. Used for enrichment values,
 * whose shape the serializers do not know. O(size of the value).
 */
function writeJsonValue(out: ByteWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      out.jsonString(value);
      return;
    case 'number':
      out.jsonNumber(value);
      return;
    case 'boolean':
      out.latin1(value ? 'true' : 'false');
      return;
    case 'bigint':
      out.latin1(value.toString());
      return;
    case 'object':
      if (value === null) out.latin1('null');
      else if (Array.isArray(value)) writeJsonArray(out, value);
      else writeJsonObject(out, value as Record<string, unknown>);
      return;
    default:
      out.latin1('null');
  }
}

function writeJsonArray(out: ByteWriter, values: readonly unknown[]): void {
  out.byte(0x5b); // [
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out.byte(COMMA);
    writeJsonValue(out, values[i]);
  }
  out.byte(CLOSE_BRACKET);
}

function writeJsonObject(
  out: ByteWriter,
  value: Record<string, unknown>
): void {
  out.byte(OPEN_BRACE);
  let first = true;
  for (const key in value) {
    const item = value[key];
    if (item === undefined || typeof item === 'function') continue;
    if (!first) out.byte(COMMA);
    first = false;
    out.jsonString(key);
    out.byte(0x3a); // :
    writeJsonValue(out, item);
  }
  out.byte(CLOSE_BRACE);
}

/**
 * Field members compiled at cold start for {@link NestedWriter.putFields}:
 * positions in the format and the key each is written under.
 */
interface FieldList {
  readonly indices: Int32Array;
  readonly keys: readonly Buffer[];
}

/**
 * Compiles (field position, key bytes) pairs into a {@link FieldList},
 * leaving out fields the format lacks (position -1). Cold start only.
 *
 * @example fieldList([[fieldIndex(format, 'region'), keyBytes('region')]])
 */
function fieldList(members: readonly (readonly [number, Buffer])[]): FieldList {
  const kept = members.filter(([index]) => index >= 0);
  return {
    indices: Int32Array.from(kept.map(([index]) => index)),
    keys: kept.map(([, key]) => key),
  };
}

/**
 * A JSON document under construction. Call {@link NestedWriter.begin}, then
 * `open`/`openArray` … `close` around members, then {@link NestedWriter.end}.
 * Members are written with a `put*` method taking the key's precomputed
 * bytes (`undefined` key inside arrays). Reused for every line: no per-line
 * allocation.
 *
 * @example
 * w.begin(out); w.open(K_CLOUD); w.putConst(K_PROVIDER, V_AWS); w.close();
 * w.end(); // {"cloud":{"provider":"AWS"}}\n
 */
class NestedWriter {
  private out!: ByteWriter;
  /** Per level: key (or undefined for the root and array items). */
  private readonly keys: Array<Buffer | undefined> = new Array(MAX_DEPTH);
  /** Per level: `{`/`[` to open with, and whether it is written yet. */
  private readonly openers = new Uint8Array(MAX_DEPTH);
  private readonly opened = new Uint8Array(MAX_DEPTH);
  /** Per level: members written so far. */
  private readonly counts = new Uint32Array(MAX_DEPTH);
  private depth = 0;
  private readonly namedKeys = new Map<string, Buffer>();

  /** Starts a document: the root object is always written. */
  begin(out: ByteWriter): void {
    this.out = out;
    this.depth = 0;
    this.openers[0] = OPEN_BRACE;
    this.opened[0] = 1;
    this.counts[0] = 0;
    out.byte(OPEN_BRACE);
  }

  /** Ends the document with `}` and a newline. */
  end(): void {
    this.out.byte(CLOSE_BRACE);
    this.out.byte(LF);
  }

  /** Opens a nested object, written only once a member is put into it. */
  open(key: Buffer | undefined): void {
    this.push(key, OPEN_BRACE);
  }

  /** Opens a nested array, written only once an item is put into it. */
  openArray(key: Buffer | undefined): void {
    this.push(key, 0x5b); // [
  }

  /** Closes the innermost object or array; nothing is written if empty. */
  close(): void {
    const depth = this.depth--;
    if (this.opened[depth] === 1) {
      this.out.byte(this.openers[depth] === OPEN_BRACE ? CLOSE_BRACE : 0x5d);
    }
  }

  /** Writes the pending openers now, so an empty object or array shows. */
  materialize(): void {
    if (this.opened[this.depth] === 0) this.flushOpens();
  }

  /** True when the innermost object has at least one member. */
  hasMembers(): boolean {
    return this.counts[this.depth]! > 0;
  }

  /**
   * Writes `"key":` (or only the separator in an array), with room for
   * `extra` more bytes, so a caller may then write them into `out.buffer`
   * directly.
   */
  prefix(key: Buffer | undefined, extra = 0): ByteWriter {
    const out = this.out;
    const depth = this.depth;
    if (this.opened[depth] === 0) this.flushOpens();
    const length = key === undefined ? 0 : key.length;
    out.reserve(length + 1 + extra);
    const target = out.buffer;
    let at = out.length;
    if (this.counts[depth]!++ > 0) target[at++] = COMMA;
    // Keys are short: a byte loop beats a native copy.
    for (let k = 0; k < length; k++) target[at++] = key![k]!;
    out.length = at;
    return out;
  }

  /** Puts precomputed value bytes. */
  putConst(key: Buffer | undefined, value: Buffer): void {
    this.prefix(key).copy(value, 0, value.length);
  }

  /**
   * Writes bytes as they are, outside the member bookkeeping: the closing
   * braces of an object opened by a preformatted member run (`putConst`
   * of `"cloud":{"provider":"AWS"`), whose later members were put at the
   * enclosing level, where a comma always precedes them.
   */
  putRaw(bytes: Buffer): void {
    this.out.copy(bytes, 0, bytes.length);
  }

  /** Puts a JS string as a JSON string. */
  putString(key: Buffer | undefined, value: string): void {
    this.prefix(key).jsonString(value);
  }

  /** Puts a safe integer or other finite number. */
  putNumber(key: Buffer | undefined, value: number): void {
    this.prefix(key).jsonNumber(value);
  }

  /** Puts any JSON-serialisable value (see {@link writeJsonValue}). */
  putValue(key: Buffer | undefined, value: unknown): void {
    writeJsonValue(this.prefix(key), value);
  }

  /** Puts a value under a key known only at run time (enrichment keys). */
  putNamed(name: string, value: unknown): void {
    let key = this.namedKeys.get(name);
    if (key === undefined) {
      key = keyBytes(name);
      if (this.namedKeys.size < MAX_CACHED_KEYS) this.namedKeys.set(name, key);
    }
    writeJsonValue(this.prefix(key), value);
  }

  /**
   * Puts field `index` of the line as its JSON value: integers as exact
   * digits, strings quoted and escaped. No-op when the field is absent.
   */
  putField(key: Buffer | undefined, line: FlowLogLine, index: number): void {
    if (!line.has(index)) return;
    const kind = line.kinds[index];
    const start = line.starts[index]!;
    const end = line.ends[index]!;
    const bytes = line.bytes;
    if (kind === FIELD_KIND.ESCAPE) {
      const out = this.prefix(key);
      out.byte(QUOTE);
      out.jsonEscaped(bytes, start, end);
      out.byte(QUOTE);
      return;
    }
    // One capacity check for key, quotes and value; then plain stores.
    const out = this.prefix(key, end - start + 2);
    const target = out.buffer;
    let at = out.length;
    const quoted = kind !== FIELD_KIND.INTEGER;
    if (quoted) target[at++] = QUOTE;
    for (let b = start; b < end; b++) target[at++] = bytes[b]!;
    if (quoted) target[at++] = QUOTE;
    out.length = at;
  }

  /**
   * Puts fields `indices[from, to)` of the line under `keys[from, to)`, each
   * as {@link NestedWriter.putField} would, absent ones left out: a compiled
   * member list written in one loop, with the output position kept in
   * locals and one capacity check per member. O(bytes written).
   *
   * @example w.putFieldList(line, OWNED_INDICES, OWNED_KEYS, 0, 4)
   */
  putFieldList(
    line: FlowLogLine,
    indices: Int32Array,
    keys: readonly Buffer[],
    from: number,
    to: number
  ): void {
    const kinds = line.kinds;
    const starts = line.starts;
    const ends = line.ends;
    const bytes = line.bytes;
    const out = this.out;
    const depth = this.depth;
    let target = out.buffer;
    let at = out.length;
    for (let j = from; j < to; j++) {
      const index = indices[j]!;
      const kind = kinds[index]!;
      if (kind === FIELD_KIND.ABSENT) continue;
      const key = keys[j]!;
      if (kind === FIELD_KIND.ESCAPE || this.opened[depth] === 0) {
        // Rare: escaping, or the first member of a pending object.
        out.length = at;
        this.putField(key, line, index);
        target = out.buffer;
        at = out.length;
        continue;
      }
      const start = starts[index]!;
      const end = ends[index]!;
      if (at + key.length + end - start + 3 > target.length) {
        out.length = at;
        out.reserve(key.length + end - start + 3);
        target = out.buffer;
      }
      if (this.counts[depth]!++ > 0) target[at++] = COMMA;
      for (let k = 0; k < key.length; k++) target[at++] = key[k]!;
      if (kind === FIELD_KIND.INTEGER) {
        for (let b = start; b < end; b++) target[at++] = bytes[b]!;
      } else {
        target[at++] = QUOTE;
        for (let b = start; b < end; b++) target[at++] = bytes[b]!;
        target[at++] = QUOTE;
      }
    }
    out.length = at;
  }

  /** Puts every member of a compiled {@link FieldList}. */
  putFields(line: FlowLogLine, list: FieldList): void {
    this.putFieldList(line, list.indices, list.keys, 0, list.indices.length);
  }

  /** Puts an integer field as a JSON string of its digits (`"6"`). */
  putFieldAsString(
    key: Buffer | undefined,
    line: FlowLogLine,
    index: number
  ): void {
    if (!line.has(index)) return;
    const out = this.prefix(key);
    out.byte(QUOTE);
    out.copy(line.bytes, line.starts[index]!, line.ends[index]!);
    out.byte(QUOTE);
  }

  /**
   * Puts an integer field multiplied by 1,000 (seconds to milliseconds) by
   * appending three zeros to its digits: exact for every 64-bit value.
   */
  putFieldTimes1000(
    key: Buffer | undefined,
    line: FlowLogLine,
    index: number
  ): void {
    if (!isIntegerField(line, index)) return;
    const out = this.prefix(key);
    const start = line.starts[index]!;
    const end = line.ends[index]!;
    out.copy(line.bytes, start, end);
    // Canonical digits: a lone "0" stays 0, anything else gains three zeros.
    if (end - start !== 1 || line.bytes[start] !== 0x30) out.latin1('000');
  }

  /**
   * Puts the enrichment entries a serializer did not map elsewhere, inside
   * the object already opened for them: every entry except those whose role
   * bit (`1 << role`) is set in `mappedRoles` and, when the line's own
   * `flow-direction` was used, `direction`. Copies key and value bytes.
   */
  putLeftoverEnrichment(
    enrichment: LineEnrichment,
    mappedRoles: number,
    usedDirection: boolean
  ): void {
    const count = enrichment.count;
    let first = 0;
    for (let i = 0; i <= count; i++) {
      if (i < count) {
        const role = enrichment.role(i);
        const skip =
          ((mappedRoles >>> role) & 1) === 1 ||
          (role === ENRICHMENT_ROLE.DIRECTION && usedDirection);
        if (!skip) continue;
      }
      // Entries first..i-1 are kept: one copy of their `,"key":value` run.
      if (i > first) {
        const end = i < count ? enrichment.start(i) : enrichment.values.length;
        this.putMembers(
          enrichment.values.buffer,
          enrichment.start(first),
          end,
          i - first
        );
      }
      first = i + 1;
    }
  }

  /**
   * Puts `members` preformatted members `source[start, end)`, written as
   * `,"key":value,…` (leading comma included; dropped when they come first).
   */
  putMembers(
    source: Uint8Array,
    start: number,
    end: number,
    members: number
  ): void {
    const depth = this.depth;
    if (this.opened[depth] === 0) this.flushOpens();
    const from = this.counts[depth] === 0 ? start + 1 : start;
    this.counts[depth] = this.counts[depth]! + members;
    this.out.copy(source, from, end);
  }

  private push(key: Buffer | undefined, opener: number): void {
    const depth = ++this.depth;
    this.keys[depth] = key;
    this.openers[depth] = opener;
    this.opened[depth] = 0;
    this.counts[depth] = 0;
  }

  /** Writes the pending openers of the innermost levels, outermost first. */
  private flushOpens(): void {
    let first = this.depth;
    while (this.opened[first - 1] === 0) first--;
    for (let d = first; d <= this.depth; d++) {
      const parent = d - 1;
      if (this.counts[parent]!++ > 0) this.out.byte(COMMA);
      const key = this.keys[d];
      if (key !== undefined) this.out.copy(key, 0, key.length);
      this.out.byte(this.openers[d]!);
      this.opened[d] = 1;
    }
  }
}

export type { FieldList };
export {
  digitsAtMost,
  fieldHasByte,
  fieldIs,
  fieldList,
  isIntegerField,
  keyBytes,
  NestedWriter,
  sameField,
  valueBytes,
  writeJsonValue,
};
