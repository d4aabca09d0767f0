/**
 * The EC2 edge of ENRICH=eni: fills the ENI metadata cache with
 * DescribeNetworkInterfaces before each batch, outside the transform loop.
 */
import {
  type EC2Client,
  type NetworkInterface,
  paginateDescribeNetworkInterfaces,
} from '@aws-sdk/client-ec2';
import {
  type EniCache,
  type EniCacheOptions,
  type EniMetadata,
  EniMetadataCache,
} from '../enrich/eni.ts';
import type { Enrichment } from '../output/types.ts';

/**
 * Ids per request, as values of the `network-interface-id` filter. EC2 does
 * not document a per-filter value limit; 200 is the limit observed in
 * practice (apache/druid#1954). Filters are used rather than
 * NetworkInterfaceIds because an unknown id in NetworkInterfaceIds fails the
 * whole call (InvalidNetworkInterfaceID.NotFound) and cannot be paginated
 * (MaxResults "cannot" be combined with it, per the API reference).
 */
const IDS_PER_REQUEST = 200;

/** Page size for the paginator (DescribeNetworkInterfaces allows 5-1000). */
const PAGE_SIZE = 1000;

/** How long ids whose lookup failed are left alone before retrying. */
const DEFAULT_FAILURE_BACKOFF_SECONDS = 60;

/** The shape of an ENI id; anything else is never sent to EC2. */
const ENI_ID = /^eni-[0-9a-f]{8,17}$/;

/** What one prefetch did, for the handler's logs and metrics. */
interface EniPrefetchResult {
  /** Distinct ids asked for. */
  readonly requested: number;
  /** Ids already cached and fresh. */
  readonly cached: number;
  /** Ids EC2 described. */
  readonly found: number;
  /** Ids EC2 does not know (or that are not ENI ids): negatively cached. */
  readonly notFound: number;
  /** Ids left un-enriched because EC2 failed or throttled. */
  readonly failed: number;
  /** EC2 calls made (one per page). */
  readonly calls: number;
  /** `name: message` of the first EC2 error, when one occurred. */
  readonly error?: string;
}

/** Options of the directory. */
interface EniDirectoryOptions extends EniCacheOptions {
  readonly client: EC2Client;
  /** Seconds to leave failed ids alone (default 60). */
  readonly failureBackoffSeconds?: number;
}

/** The cache-relevant part of an EC2 NetworkInterface. */
function metadataOf(eni: NetworkInterface): EniMetadata {
  const tags: Record<string, string> = {};
  for (const tag of eni.TagSet ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  return {
    instanceId: eni.Attachment?.InstanceId,
    securityGroupIds: (eni.Groups ?? [])
      .map((group) => group.GroupId)
      .filter((id): id is string => id !== undefined),
    subnetId: eni.SubnetId,
    vpcId: eni.VpcId,
    description: eni.Description,
    interfaceType: eni.InterfaceType,
    tags,
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * ENI metadata from EC2, cached across invocations (TTL + LRU, negative
 * caching). `prefetch` never rejects: on throttling or any EC2 error the
 * affected ids stay un-enriched and the result says so.
 *
 * @example
 * const directory = new EniDirectory({ client: new EC2Client({}) });
 * const result = await directory.prefetch(collectFieldValues(records, format, 'interface-id'));
 * if (result.failed > 0) metrics.addMetric('EniLookupFailed', 'Count', result.failed);
 */
class EniDirectory implements EniCache {
  readonly cache: EniMetadataCache;
  private readonly client: EC2Client;
  private readonly failureBackoffSeconds: number;

  constructor(options: EniDirectoryOptions) {
    this.client = options.client;
    this.cache = new EniMetadataCache(options);
    this.failureBackoffSeconds =
      options.failureBackoffSeconds ?? DEFAULT_FAILURE_BACKOFF_SECONDS;
  }

  lookup(interfaceId: string): Readonly<Enrichment> | undefined {
    return this.cache.lookup(interfaceId);
  }

  /** Fetches the ids not cached yet, in batches of 200. */
  async prefetch(
    interfaceIds: ReadonlySet<string>
  ): Promise<EniPrefetchResult> {
    const missing = this.cache.missing(interfaceIds);
    const valid = missing.filter((id) => ENI_ID.test(id));
    let notFound = missing.length - valid.length;
    for (const id of missing) if (!ENI_ID.test(id)) this.cache.store(id, null);
    let found = 0;
    let calls = 0;
    for (let from = 0; from < valid.length; from += IDS_PER_REQUEST) {
      const batch = valid.slice(from, from + IDS_PER_REQUEST);
      const outcome = await this.describe(batch);
      calls += outcome.calls;
      if (outcome.error !== undefined) {
        const failed = valid.slice(from);
        this.cache.storeFailure(failed, this.failureBackoffSeconds);
        return {
          requested: interfaceIds.size,
          cached: interfaceIds.size - missing.length,
          found,
          notFound,
          failed: failed.length,
          calls,
          error: outcome.error,
        };
      }
      found += outcome.found;
      notFound += batch.length - outcome.found;
    }
    return {
      requested: interfaceIds.size,
      cached: interfaceIds.size - missing.length,
      found,
      notFound,
      failed: 0,
      calls,
    };
  }

  /** Describes one batch; stores found and not-found answers on success. */
  private async describe(
    batch: readonly string[]
  ): Promise<{ found: number; calls: number; error?: string }> {
    const described = new Map<string, EniMetadata>();
    let calls = 0;
    try {
      const pages = paginateDescribeNetworkInterfaces(
        { client: this.client, pageSize: PAGE_SIZE },
        { Filters: [{ Name: 'network-interface-id', Values: [...batch] }] }
      );
      for await (const page of pages) {
        calls++;
        for (const eni of page.NetworkInterfaces ?? []) {
          if (eni.NetworkInterfaceId) {
            described.set(eni.NetworkInterfaceId, metadataOf(eni));
          }
        }
      }
    } catch (error) {
      return {
        found: 0,
        calls: Math.max(calls, 1),
        error: describeError(error),
      };
    }
    for (const id of batch) this.cache.store(id, described.get(id) ?? null);
    return { found: described.size, calls };
  }
}

export type { EniDirectoryOptions, EniPrefetchResult };
export { EniDirectory, IDS_PER_REQUEST };
