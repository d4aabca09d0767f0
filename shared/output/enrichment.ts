/**
 * One line's enrichment as bytes: enrichers append `(key, JSON value)`
 * entries with precomputed key bytes, and the serializers copy them. One
 * instance is reused for every line, so the hot path makes no per-line
 * object, no dynamic property and no generic serialisation.
 */
import { ByteWriter } from './byte-writer.ts';

/**
 * Entries a serializer maps to its own attributes instead of copying them
 * under its enrichment object; `code` qualifies the value.
 */
const ENRICHMENT_ROLE = {
  /** Copied as it is. */
  OTHER: 0,
  /** `protocol_name`; code: the protocol number. */
  PROTOCOL_NAME: 1,
  /** `direction`; code: a {@link DIRECTION_CODE}. */
  DIRECTION: 2,
  /** `community_id`. */
  COMMUNITY_ID: 3,
} as const;

/** One of {@link ENRICHMENT_ROLE}. */
type EnrichmentRole = (typeof ENRICHMENT_ROLE)[keyof typeof ENRICHMENT_ROLE];

/** The `direction` values as codes (docs/enrichment.md, `direction`). */
const DIRECTION_CODE = {
  INBOUND: 1,
  OUTBOUND: 2,
  INTERNAL: 3,
  EXTERNAL: 4,
} as const;

/** `,`, 0x2C */
const COMMA = 0x2c;

/** The next {@link LineEnrichment.serial}; 2^53 lines would take centuries. */
let nextSerial = 0;

/**
 * Entries of role OTHER preformatted as one `,"k1":v1,"k2":v2…` run, so an
 * enricher whose keys and values come from a small fixed set adds them with
 * one copy ({@link LineEnrichment.addRun}).
 */
interface EnrichmentRun {
  /** The entries' bytes, back to back. */
  readonly bytes: Buffer;
  /** Each entry's key bytes (`"key":`). */
  readonly keys: readonly Buffer[];
  /** Where each entry starts in `bytes`. */
  readonly offsets: Uint32Array;
}

/**
 * Builds an {@link EnrichmentRun} from (key bytes, JSON value bytes) pairs.
 * Cold start only.
 *
 * @example enrichmentRun([[keyBytes('a'), Buffer.from('4')]]).bytes // ,"a":4
 */
function enrichmentRun(
  entries: readonly (readonly [Buffer, Buffer])[]
): EnrichmentRun {
  const offsets = new Uint32Array(entries.length);
  const parts: Buffer[] = [];
  let length = 0;
  entries.forEach(([key, value], i) => {
    offsets[i] = length;
    parts.push(Buffer.from(','), key, value);
    length += 1 + key.length + value.length;
  });
  return {
    bytes: Buffer.concat(parts),
    keys: entries.map(([key]) => key),
    offsets,
  };
}

/** Entries before the slot arrays grow: all local enrichers add at most 31. */
const INITIAL_ENTRIES = 64;

/** Value bytes before the arena grows: a few hundred per line at most. */
const INITIAL_VALUE_BYTES = 4096;

/**
 * The enrichment of one line: `count` entries, each a key (the bytes of
 * `"key":`), a role, a code and its JSON value. The arena `values` holds
 * every entry as `,"key":value`, back to back, so a serializer copies a run
 * of entries as one JSON member list: entry `i` is
 * `values.buffer[start(i), end(i))` and its value starts at `valueStart(i)`.
 * Keys are unique per line (ENRICH names each enricher once, and enrichers
 * write distinct keys), in the order the enrichers added them.
 *
 * @example
 * const e = new LineEnrichment(); e.reset();
 * e.addConst(keyBytes('protocol_name'), Buffer.from('"TCP"'), ENRICHMENT_ROLE.PROTOCOL_NAME, 6);
 * e.toObject() // { protocol_name: 'TCP' }
 */
class LineEnrichment {
  /**
   * Unique per line across every instance (a new value on each `reset`):
   * enrichers sharing per-line work ({@link ParsedAddresses}) key it by this.
   */
  serial = nextSerial++;
  /** Entries of this line. */
  count = 0;
  /** The entries' JSON values, back to back. */
  readonly values: ByteWriter;
  private keys: Buffer[] = new Array(INITIAL_ENTRIES);
  private roles = new Uint8Array(INITIAL_ENTRIES);
  private codes = new Int32Array(INITIAL_ENTRIES);
  private starts = new Uint32Array(INITIAL_ENTRIES);

  constructor(valueBytes = INITIAL_VALUE_BYTES) {
    this.values = new ByteWriter(valueBytes);
  }

  /** Forgets the previous line's entries. O(1). */
  reset(): void {
    this.serial = nextSerial++;
    this.count = 0;
    this.values.length = 0;
  }

  /**
   * Starts an entry by writing `,"key":`; the caller appends exactly one
   * JSON value to the returned writer before the next `add`.
   */
  add(key: Buffer, role: EnrichmentRole = 0, code = 0): ByteWriter {
    const i = this.count++;
    if (i === this.roles.length) this.grow();
    this.keys[i] = key;
    this.roles[i] = role;
    this.codes[i] = code;
    const values = this.values;
    this.starts[i] = values.length;
    values.reserve(key.length + 1);
    const target = values.buffer;
    let at = values.length;
    target[at++] = COMMA;
    for (let k = 0; k < key.length; k++) target[at++] = key[k]!;
    values.length = at;
    return values;
  }

  /** Adds an entry whose value bytes are precomputed. */
  addConst(
    key: Buffer,
    value: Buffer,
    role: EnrichmentRole = 0,
    code = 0
  ): void {
    this.add(key, role, code).copy(value, 0, value.length);
  }

  /** Adds the entries of a preformatted run (role OTHER) with one copy. */
  addRun(run: EnrichmentRun): void {
    const keys = run.keys;
    while (this.count + keys.length > this.roles.length) this.grow();
    const values = this.values;
    const base = values.length;
    for (let j = 0; j < keys.length; j++) {
      const i = this.count++;
      this.keys[i] = keys[j]!;
      this.roles[i] = ENRICHMENT_ROLE.OTHER;
      this.codes[i] = 0;
      this.starts[i] = base + run.offsets[j]!;
    }
    values.copy(run.bytes, 0, run.bytes.length);
  }

  /** Key bytes (`"key":`) of entry `i`. */
  key(i: number): Buffer {
    return this.keys[i]!;
  }

  role(i: number): number {
    return this.roles[i]!;
  }

  code(i: number): number {
    return this.codes[i]!;
  }

  /** Where entry `i` (`,"key":value`) starts in `values.buffer`. */
  start(i: number): number {
    return this.starts[i]!;
  }

  /** Where entry `i`'s value starts in `values.buffer`. */
  valueStart(i: number): number {
    return this.starts[i]! + 1 + this.keys[i]!.length;
  }

  /** End of entry `i` (and of its value) in `values.buffer`. */
  end(i: number): number {
    return i + 1 < this.count ? this.starts[i + 1]! : this.values.length;
  }

  /** The first entry with `role`, or -1. O(count). */
  find(role: EnrichmentRole): number {
    for (let i = 0; i < this.count; i++) if (this.roles[i] === role) return i;
    return -1;
  }

  /** Appends entry `i`'s JSON value to `out`. */
  copyValue(i: number, out: ByteWriter): void {
    out.copy(this.values.buffer, this.valueStart(i), this.end(i));
  }

  /**
   * Appends entry `i`'s value with ASCII letters lowercased: the JSON of
   * `value.toLowerCase()` for a string of printable ASCII (protocol names).
   */
  copyValueLowercase(i: number, out: ByteWriter): void {
    const from = out.length;
    this.copyValue(i, out);
    const target = out.buffer;
    for (let at = from; at < out.length; at++) {
      const b = target[at]!;
      if (b >= 0x41 && b <= 0x5a) target[at] = b | 0x20; // A-Z → a-z
    }
  }

  /** The entries as a plain object, for tests and slow paths. */
  toObject(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (let i = 0; i < this.count; i++) {
      const key = this.keys[i]!;
      const name = JSON.parse(
        key.toString('utf8', 0, key.length - 1)
      ) as string;
      result[name] = JSON.parse(
        this.values.buffer.toString('utf8', this.valueStart(i), this.end(i))
      );
    }
    return result;
  }

  private grow(): void {
    const size = this.roles.length * 2;
    const roles = new Uint8Array(size);
    const codes = new Int32Array(size);
    const starts = new Uint32Array(size);
    roles.set(this.roles);
    codes.set(this.codes);
    starts.set(this.starts);
    this.roles = roles;
    this.codes = codes;
    this.starts = starts;
    this.keys.length = size;
  }
}

/** An enrichment that stays empty: for pipelines without enrichers. */
const NO_ENRICHMENT: LineEnrichment = new LineEnrichment(16);

export type { EnrichmentRole, EnrichmentRun };
export {
  DIRECTION_CODE,
  ENRICHMENT_ROLE,
  enrichmentRun,
  LineEnrichment,
  NO_ENRICHMENT,
};
