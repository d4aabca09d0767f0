/**
 * ENRICH=eni: metadata of the capturing network interface. The enricher reads
 * a synchronous cache; an adapter (shared/aws/eni-directory.ts) fills it from
 * EC2 before each batch, so the transform loop never waits on the network.
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
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
  if (Object.keys(meta.tags).length > 0) {
    fields.eni_tags = Object.freeze({ ...meta.tags });
  }
  return Object.freeze(fields);
}

/** Cache limits and clock. */
interface EniCacheOptions {
  /** How long a found or not-found answer is kept (ENI_CACHE_TTL_SECONDS, default 900). */
  readonly ttlSeconds?: number;
  /** Entries kept before the least recently used is evicted (ENI_CACHE_MAX_ENTRIES, default 10000). */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  readonly now?: () => number;
}

/** A cached answer: the keys to add, or undefined for not found / failed. */
interface Entry {
  readonly fields: Readonly<Enrichment> | undefined;
  readonly expiresAt: number;
}

/** ENI_CACHE_TTL_SECONDS default. */
const DEFAULT_TTL_SECONDS = 900;
/** ENI_CACHE_MAX_ENTRIES default. */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * A TTL + LRU cache of interface metadata, kept across invocations. Entries
 * are refreshed in recency when a batch asks for them ({@link missing}), not
 * on every line, so lookups stay a single Map read.
 *
 * @example
 * const cache = new EniMetadataCache({ ttlSeconds: 900, maxEntries: 10_000 });
 * cache.store('eni-1', { securityGroupIds: [], tags: {} });
 */
class EniMetadataCache implements EniCache {
  readonly ttlMs: number;
  readonly maxEntries: number;
  private readonly now: () => number;
  /** Map order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry>();

  constructor(options: EniCacheOptions = {}) {
    this.ttlMs = (options.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.now = options.now ?? Date.now;
  }

  /** Entries held, expired or not. */
  get size(): number {
    return this.entries.size;
  }

  lookup(interfaceId: string): Readonly<Enrichment> | undefined {
    const entry = this.entries.get(interfaceId);
    if (entry === undefined || entry.expiresAt <= this.now()) return undefined;
    return entry.fields;
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
    this.put(
      interfaceId,
      meta === null ? undefined : eniFields(meta),
      this.ttlMs
    );
  }

  /**
   * Remembers that a lookup failed, so the ids are not asked for again for
   * `seconds` (lines stay un-enriched meanwhile).
   */
  storeFailure(interfaceIds: Iterable<string>, seconds: number): void {
    for (const id of interfaceIds) this.put(id, undefined, seconds * 1000);
  }

  private put(
    id: string,
    fields: Readonly<Enrichment> | undefined,
    ttlMs: number
  ): void {
    this.entries.delete(id);
    this.entries.set(id, { fields, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
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

  constructor(format: FlowLogFormat, cache: EniCache) {
    this.interfaceId = fieldIndex(format, 'interface-id');
    this.cache = cache;
  }

  enrich(line: FlowLogLine, into: Enrichment): void {
    const id = line.text(this.interfaceId);
    if (id === undefined) return;
    const fields = this.cache.lookup(id);
    if (fields === undefined) return;
    for (const key in fields) into[key] = fields[key];
  }
}

export type { EniCache, EniCacheOptions, EniMetadata };
export {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_TTL_SECONDS,
  EniEnricher,
  EniMetadataCache,
  eniFields,
};
