/**
 * The EC2 edge of ENRICH=eni: fills the ENI metadata cache with
 * DescribeNetworkInterfaces before each batch, outside the transform loop,
 * and never past the deadline it is given.
 */
import {
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import {
  type EniCache,
  type EniCacheOptions,
  type EniMetadata,
  EniMetadataCache,
  MAX_TAG_CHARS,
  plainRecord,
} from '../enrich/eni.ts';
import {
  DEPENDENCY,
  type DependencyFailures,
  dependencyFailures,
} from '../observability/dependency-failures.ts';
import type { Enrichment } from '../output/types.ts';
import { beforeDeadline } from './deadline.ts';

/**
 * Ids per request, as values of the `network-interface-id` filter. EC2 does
 * not document a per-filter value limit; 200 is the limit observed in
 * practice (apache/druid#1954). Filters are used rather than
 * NetworkInterfaceIds because an unknown id in NetworkInterfaceIds fails the
 * whole call (InvalidNetworkInterfaceID.NotFound) and cannot be paginated
 * (MaxResults "cannot" be combined with it, per the API reference).
 */
const IDS_PER_REQUEST = 200;

/**
 * Requests in flight at once. EC2 throttles DescribeNetworkInterfaces with
 * a token bucket per account and Region ("Request throttling for the Amazon
 * EC2 API", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html);
 * a few at a time cut a cold batch's wait without spending the bucket that
 * the account's other tools share.
 */
const CONCURRENT_REQUESTS = 4;

/** Page size (DescribeNetworkInterfaces allows 5-1000). */
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
  /** Ids left un-enriched because EC2 failed, throttled or timed out. */
  readonly failed: number;
  /**
   * Ids not asked for: the deadline came first, or more ids than the cache
   * holds (they would be evicted before use). Their lines stay un-enriched.
   */
  readonly skipped: number;
  /** Interfaces whose tags were cut at {@link MAX_TAG_CHARS}. */
  readonly tagsTruncated: number;
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
  /** Where failures are logged and counted (default: the function's). */
  readonly failures?: DependencyFailures;
}

/** Tags in EC2's order, cut at {@link MAX_TAG_CHARS} characters. */
function tagsOf(eni: NetworkInterface): {
  tags: Record<string, string>;
  truncated: boolean;
} {
  const kept: [string, string][] = [];
  let chars = 0;
  let truncated = false;
  for (const tag of eni.TagSet ?? []) {
    if (tag.Key === undefined) continue;
    const value = tag.Value ?? '';
    chars += tag.Key.length + value.length;
    if (chars > MAX_TAG_CHARS) {
      truncated = true;
      break;
    }
    kept.push([tag.Key, value]);
  }
  return { tags: plainRecord(kept), truncated };
}

/** The cache-relevant part of an EC2 NetworkInterface. */
function metadataOf(eni: NetworkInterface, tags: Record<string, string>) {
  const meta: EniMetadata = {
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
  return meta;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** What the requests of one prefetch did together. */
interface PrefetchRun {
  found: number;
  notFound: number;
  /** Ids whose request had not started at the deadline. */
  skipped: number;
  calls: number;
  tagsTruncated: number;
  /** Batches that failed, or were not asked after a failure. */
  failed: string[][];
  /** The first request error. */
  error: unknown;
}

/** What one request of up to 200 ids did. */
interface DescribeOutcome {
  found: number;
  calls: number;
  tagsTruncated: number;
  error?: unknown;
}

/**
 * ENI metadata from EC2, cached across invocations (TTL + LRU bounded by
 * entries and bytes, negative caching). `prefetch` never rejects: on
 * throttling, any EC2 error or the deadline, the affected ids stay
 * un-enriched, the result says so, and the lines are counted by the cache
 * ({@link EniMetadataCache.takeCounts}).
 *
 * @example
 * const directory = new EniDirectory({ client: new EC2Client({}) });
 * const result = await directory.prefetch(ids, Date.now() + 5_000);
 */
class EniDirectory implements EniCache {
  readonly cache: EniMetadataCache;
  private readonly client: EC2Client;
  private readonly failureBackoffSeconds: number;
  private readonly failures: DependencyFailures;

  constructor(options: EniDirectoryOptions) {
    this.client = options.client;
    this.cache = new EniMetadataCache(options);
    this.failureBackoffSeconds =
      options.failureBackoffSeconds ?? DEFAULT_FAILURE_BACKOFF_SECONDS;
    this.failures = options.failures ?? dependencyFailures;
  }

  lookup(interfaceId: string): Readonly<Enrichment> | undefined {
    return this.cache.lookup(interfaceId);
  }

  /**
   * Fetches the ids not cached yet, in requests of 200, at most
   * {@link CONCURRENT_REQUESTS} at a time, until `deadline` (epoch ms;
   * default: no deadline). Ids past the cache's entry bound, or whose request
   * had not started when the deadline came, are skipped. After a failed
   * request no new one starts: its ids and those not asked yet are left
   * alone for the failure backoff.
   */
  async prefetch(
    interfaceIds: ReadonlySet<string>,
    deadline = Number.POSITIVE_INFINITY
  ): Promise<EniPrefetchResult> {
    const missing = this.cache.missing(interfaceIds);
    const valid = missing.filter((id) => ENI_ID.test(id));
    for (const id of missing) if (!ENI_ID.test(id)) this.cache.store(id, null);
    // More ids than the cache holds would evict each other before use.
    const wanted = valid.slice(0, this.cache.maxEntries);
    const batches: string[][] = [];
    for (let from = 0; from < wanted.length; from += IDS_PER_REQUEST) {
      batches.push(wanted.slice(from, from + IDS_PER_REQUEST));
    }
    const run = await this.describeAll(batches, deadline);
    const failedIds = run.failed.flat();
    if (failedIds.length > 0) {
      this.cache.storeFailure(failedIds, this.failureBackoffSeconds);
      this.failures.report({
        dependency: DEPENDENCY.EC2,
        operation: 'DescribeNetworkInterfaces',
        consequence: `${failedIds.length} of ${wanted.length} interface ids left un-enriched; asked again after ${this.failureBackoffSeconds} s`,
        error: run.error,
      });
    }
    return {
      requested: interfaceIds.size,
      cached: interfaceIds.size - missing.length,
      found: run.found,
      notFound: missing.length - valid.length + run.notFound,
      failed: failedIds.length,
      skipped: valid.length - wanted.length + run.skipped,
      tagsTruncated: run.tagsTruncated,
      calls: run.calls,
      ...(run.error === undefined ? {} : { error: describeError(run.error) }),
    };
  }

  /**
   * Runs the batches' requests, {@link CONCURRENT_REQUESTS} workers taking
   * the next batch in order. A worker starts no batch at or after
   * `deadline`, nor after any request failed.
   */
  private async describeAll(
    batches: readonly string[][],
    deadline: number
  ): Promise<PrefetchRun> {
    const run: PrefetchRun = {
      found: 0,
      notFound: 0,
      skipped: 0,
      calls: 0,
      tagsTruncated: 0,
      failed: [],
      error: undefined,
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        if (run.error !== undefined) {
          run.failed.push(batch);
        } else if (Date.now() >= deadline) {
          run.skipped += batch.length;
        } else {
          const outcome = await this.describe(batch, deadline);
          run.calls += outcome.calls;
          run.tagsTruncated += outcome.tagsTruncated;
          if (outcome.error === undefined) {
            run.found += outcome.found;
            run.notFound += batch.length - outcome.found;
          } else {
            run.error ??= outcome.error;
            run.failed.push(batch);
          }
        }
      }
    };
    const workers = Math.min(CONCURRENT_REQUESTS, batches.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return run;
  }

  /** Describes one batch, page by page; stores the answers on success. */
  private async describe(
    batch: readonly string[],
    deadline: number
  ): Promise<DescribeOutcome> {
    const described = new Map<string, EniMetadata>();
    let calls = 0;
    let tagsTruncated = 0;
    let nextToken: string | undefined;
    try {
      do {
        const input = nextToken
          ? {
              Filters: [{ Name: 'network-interface-id', Values: [...batch] }],
              MaxResults: PAGE_SIZE,
              NextToken: nextToken,
            }
          : {
              Filters: [{ Name: 'network-interface-id', Values: [...batch] }],
              MaxResults: PAGE_SIZE,
            };
        calls++;
        const page = await beforeDeadline(
          'EC2 DescribeNetworkInterfaces',
          deadline,
          (abortSignal) =>
            this.client.send(new DescribeNetworkInterfacesCommand(input), {
              abortSignal,
            })
        );
        for (const eni of page.NetworkInterfaces ?? []) {
          if (!eni.NetworkInterfaceId) continue;
          const { tags, truncated } = tagsOf(eni);
          if (truncated) tagsTruncated++;
          described.set(eni.NetworkInterfaceId, metadataOf(eni, tags));
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken !== undefined);
    } catch (error) {
      return { found: 0, calls, tagsTruncated, error };
    }
    for (const id of batch) this.cache.store(id, described.get(id) ?? null);
    return { found: described.size, calls, tagsTruncated };
  }
}

export type { EniDirectoryOptions, EniPrefetchResult };
export { CONCURRENT_REQUESTS, EniDirectory, IDS_PER_REQUEST };
