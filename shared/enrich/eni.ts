/**
 * ENRICH=eni: metadata of the capturing network interface. The enricher reads
 * a synchronous cache; an adapter (shared/aws/eni-directory.ts) fills it from
 * EC2 before each batch, so the transform loop never waits on the network.
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import { ByteWriter } from '../output/byte-writer.ts';
import type { LineEnrichment } from '../output/enrichment.ts';
import { keyBytes, writeJsonValue } from '../output/nested-writer.ts';
import type { Enrichment } from '../output/types.ts';
import type { Enricher } from './types.ts';

/** What EC2 says about one network interface (absent values omitted). */
interface EniMetadata {
  readonly instanceId?: string;
  readonly securityGroupIds: readonly string[];
  readonly subnetId?: string;
  readonly vpcId?: string;
  readonly description?: string;
  /** `interface`, `nat_gateway`, `vpc_endpoint`, … (EC2 InterfaceType). */
  readonly interfaceType?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The synchronous view the enricher reads. */
interface EniCache {
  /**
   * The output keys for an interface, or undefined when it is unknown, not
   * found, expired or its lookup failed. O(1); never throws.
   */
  lookup(interfaceId: string): Readonly<Enrichment> | undefined;
}

/**
 * Most characters of tag keys and values kept per interface. EC2 allows 50
 * tags of up to 128 + 256 characters (19,200 characters, about 40 KB of heap
 * per entry); typical tags are a few dozen characters. Tags past the cap (in
 * EC2's order) are left out of `eni_tags`, so one entry takes at most about
 * 2.3 KB of heap and 20,000 entries about 44 MiB (docs/enrichment.md).
 * Source of the limits:
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions
 */
const MAX_TAG_CHARS = 1024;

/**
 * An object with exactly the given own properties and no prototype: a tag
 * named `__proto__` or `constructor` is kept as data, never touching a
 * prototype (an assignment to `__proto__` on a plain object sets the
 * prototype and drops the tag).
 */
function plainRecord(
  entries: Iterable<readonly [string, string]>
): Record<string, string> {
  const record = Object.create(null) as Record<string, string>;
  for (const [key, value] of entries) {
    Object.defineProperty(record, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return record;
}

/**
 * The flat output keys for one interface, built once per cache fill:
 * `eni_instance_id`, `eni_security_group_ids`, `eni_subnet_id`, `eni_vpc_id`,
 * `eni_description`, `eni_interface_type`, `eni_tags`.
 *
 * @example eniFields({ securityGroupIds: ['sg-1'], tags: {} }) // { eni_security_group_ids: ['sg-1'] }
 */
function eniFields(meta: EniMetadata): Readonly<Enrichment> {
  const fields: Enrichment = {};
  if (meta.instanceId) fields.eni_instance_id = meta.instanceId;
  if (meta.securityGroupIds.length > 0) {
    fields.eni_security_group_ids = Object.freeze([...meta.securityGroupIds]);
  }
  if (meta.subnetId) fields.eni_subnet_id = meta.subnetId;
  if (meta.vpcId) fields.eni_vpc_id = meta.vpcId;
  if (meta.description) fields.eni_description = meta.description;
  if (meta.interfaceType) fields.eni_interface_type = meta.interfaceType;
  const tags = Object.keys(meta.tags);
  if (tags.length > 0) {
    fields.eni_tags = Object.freeze(
      plainRecord(tags.map((key) => [key, meta.tags[key]!] as const))
    );
  }
  return Object.freeze(fields);
}

/** Cache limits and clock. */
interface EniCacheOptions {
  /** How long a found or not-found answer is kept (ENI_CACHE_TTL_SECONDS, default 900). */
  readonly ttlSeconds?: number;
  /** Entries kept before the least recently used is evicted (ENI_CACHE_MAX_ENTRIES, default 10000). */
  readonly maxEntries?: number;
  /** Estimated bytes kept before the least recently used is evicted (default 64 MiB). */
  readonly maxBytes?: number;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  readonly now?: () => number;
}

/** What a cached entry says: described, unknown to EC2, or lookup failed. */
const ENTRY = { FOUND: 1, NOT_FOUND: 2, FAILED: 3 } as const;
type EntryKind = (typeof ENTRY)[keyof typeof ENTRY];

/** A cached answer: the keys to add, or undefined for not found / failed. */
interface Entry {
  readonly fields: Readonly<Enrichment> | undefined;
  readonly kind: EntryKind;
  readonly expiresAt: number;
  /** {@link entryBytes} of the entry, for the byte bound. */
  readonly bytes: number;
}

/** ENI_CACHE_TTL_SECONDS default. */
const DEFAULT_TTL_SECONDS = 900;
/** ENI_CACHE_MAX_ENTRIES default. */
const DEFAULT_MAX_ENTRIES = 10_000;
/**
 * Default bound of the cache's estimated size: 96 MiB, under a fifth of the
 * template's 512 MB, whatever ENI_CACHE_MAX_ENTRIES says. 20,000 entries at
 * the tag cap ({@link MAX_TAG_CHARS}) take less (docs/enrichment.md).
 */
const DEFAULT_MAX_BYTES = 96 * 1024 * 1024;

/**
 * Fixed cost of one cache entry besides its strings (the Map slot, the entry
 * and fields objects, the frozen arrays), chosen so that the estimate stays
 * above the measured heap: `node --expose-gc --import tsx
 * test/aws/helpers/eni-cache-memory.ts` measured 1,048 B per typical entry
 * (estimate 1,189) and 2,298 B at the tag cap (estimate 3,116).
 */
const ENTRY_OVERHEAD_BYTES = 600;

/**
 * Estimated heap bytes of one entry: the fixed overhead plus two bytes per
 * character of its id and of every string it holds (V8 may store Latin-1
 * strings in one byte per character, so this over-counts them).
 */
function entryBytes(id: string, fields: Readonly<Enrichment> | undefined) {
  let chars = id.length;
  if (fields !== undefined) chars += charsOf(fields);
  return ENTRY_OVERHEAD_BYTES + 2 * chars;
}

/** Characters of every key and string value, arrays and objects included. */
function charsOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value !== 'object' || value === null) return 0;
  let chars = 0;
  if (Array.isArray(value)) {
    for (const item of value) chars += charsOf(item);
    return chars;
  }
  for (const key in value) {
    chars += key.length + charsOf((value as Record<string, unknown>)[key]);
  }
  return chars;
}

/**
 * A TTL + LRU cache of interface metadata, kept across invocations, bounded
 * by entries and by estimated bytes. Entries are refreshed in recency when a
 * batch asks for them ({@link missing}), not on every line, so lookups stay a
 * single Map read.
 *
 * Lookups that find no usable answer (never fetched, evicted, expired, or the
 * lookup failed) are counted in {@link degraded}: those lines go out without
 * the eni keys. A "not found" answer from EC2 is an answer, not counted.
 *
 * @example
 * const cache = new EniMetadataCache({ ttlSeconds: 900, maxEntries: 10_000 });
 * cache.store('eni-1', { securityGroupIds: [], tags: {} });
 */
class EniMetadataCache implements EniCache {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Lookups that found no usable answer since the last {@link takeCounts}. */
  degraded = 0;
  /** Entries evicted by the entry or byte bound since the last {@link takeCounts}. */
  evicted = 0;
  private readonly now: () => number;
  /** Map order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  constructor(options: EniCacheOptions = {}) {
    this.ttlMs = (options.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.now = options.now ?? Date.now;
  }

  /** Entries held, expired or not. */
  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held ({@link entryBytes} summed). */
  get bytes(): number {
    return this.totalBytes;
  }

  lookup(interfaceId: string): Readonly<Enrichment> | undefined {
    const entry = this.entries.get(interfaceId);
    if (
      entry === undefined ||
      entry.expiresAt <= this.now() ||
      entry.kind === ENTRY.FAILED
    ) {
      this.degraded++;
      return undefined;
    }
    return entry.fields;
  }

  /** Returns and resets the degraded-lookup and eviction counts. */
  takeCounts(): { degraded: number; evicted: number } {
    const counts = { degraded: this.degraded, evicted: this.evicted };
    this.degraded = 0;
    this.evicted = 0;
    return counts;
  }

  /**
   * The ids that need fetching (absent or expired); marks the others as
   * recently used. O(ids).
   */
  missing(interfaceIds: Iterable<string>): string[] {
    const now = this.now();
    const result: string[] = [];
    for (const id of interfaceIds) {
      const entry = this.entries.get(id);
      if (entry === undefined || entry.expiresAt <= now) {
        result.push(id);
      } else {
        this.entries.delete(id);
        this.entries.set(id, entry);
      }
    }
    return result;
  }

  /** Caches an interface's metadata, or `null` for "EC2 does not know it". */
  store(interfaceId: string, meta: EniMetadata | null): void {
    if (meta === null) {
      this.put(interfaceId, undefined, ENTRY.NOT_FOUND, this.ttlMs);
    } else {
      this.put(interfaceId, eniFields(meta), ENTRY.FOUND, this.ttlMs);
    }
  }

  /**
   * Remembers that a lookup failed, so the ids are not asked for again for
   * `seconds` (lines stay un-enriched meanwhile, and are counted).
   */
  storeFailure(interfaceIds: Iterable<string>, seconds: number): void {
    for (const id of interfaceIds) {
      this.put(id, undefined, ENTRY.FAILED, seconds * 1000);
    }
  }

  private put(
    id: string,
    fields: Readonly<Enrichment> | undefined,
    kind: EntryKind,
    ttlMs: number
  ): void {
    this.remove(id);
    const bytes = entryBytes(id, fields);
    this.entries.set(id, {
      fields,
      kind,
      expiresAt: this.now() + ttlMs,
      bytes,
    });
    this.totalBytes += bytes;
    while (
      this.entries.size > this.maxEntries ||
      (this.totalBytes > this.maxBytes && this.entries.size > 1)
    ) {
      this.remove(this.entries.keys().next().value as string);
      this.evicted++;
    }
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    this.totalBytes -= entry.bytes;
  }
}

/** An entry's fields as alternating key bytes and JSON value bytes. */
function encodeFields(fields: Readonly<Enrichment>): Buffer[] {
  const encoded: Buffer[] = [];
  const out = new ByteWriter(256);
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    out.reset();
    writeJsonValue(out, value);
    encoded.push(keyBytes(key), out.toBuffer());
  }
  return encoded;
}

/**
 * Adds the {@link eniFields} keys of the line's `interface-id`. Needs
 * `interface-id` and an {@link EniCache}. Lines whose interface is not cached
 * add nothing. O(1) per line: one id string and one Map read.
 */
class EniEnricher implements Enricher {
  readonly name = 'eni';
  private readonly interfaceId: number;
  private readonly cache: EniCache;
  /** Each cached entry's keys and values as bytes, made on first use. */
  private readonly encoded = new WeakMap<object, readonly Buffer[]>();

  constructor(format: FlowLogFormat, cache: EniCache) {
    this.interfaceId = fieldIndex(format, 'interface-id');
    this.cache = cache;
  }

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    const id = line.text(this.interfaceId);
    if (id === undefined) return;
    const fields = this.cache.lookup(id);
    if (fields === undefined) return;
    let entries = this.encoded.get(fields);
    if (entries === undefined) {
      entries = encodeFields(fields);
      this.encoded.set(fields, entries);
    }
    for (let i = 0; i < entries.length; i += 2) {
      into.addConst(entries[i]!, entries[i + 1]!);
    }
  }
}

export type { EniCache, EniCacheOptions, EniMetadata };
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_TTL_SECONDS,
  EniEnricher,
  EniMetadataCache,
  eniFields,
  entryBytes,
  MAX_TAG_CHARS,
  plainRecord,
};
