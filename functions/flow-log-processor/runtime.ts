/**
 * Builds, once per cold start, everything the handler needs from the
 * configuration: the pipeline, the record transformer and the AWS adapters
 * (EC2 for ENI metadata, HTTPS or S3 for ip-ranges.json). Any setting that
 * cannot be compiled fails here, with a ConfigError naming it; an AWS
 * dependency that fails does not (it is logged, counted and retried).
 */
import type {
  EniDirectory,
  EniPrefetchResult,
} from '../../shared/aws/eni-directory.ts';
import {
  IpRangesProvider,
  LOAD_TIMEOUT_MS,
  locationOf,
} from '../../shared/aws/ip-ranges-source.ts';
import {
  collectFieldValues,
  createEnrichers,
  type EnrichContext,
} from '../../shared/enrich/index.ts';
import type { Enricher } from '../../shared/enrich/types.ts';
import { compileFilter } from '../../shared/filter/compile.ts';
import {
  assertFirehoseEvent,
  decodeBase64,
} from '../../shared/firehose/batch.ts';
import { createPartitioner } from '../../shared/firehose/partition.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import { readReingestMarker } from '../../shared/firehose/reingest-marker.ts';
import { createSerializer } from '../../shared/output/index.ts';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';

/** What a warm invocation reuses. */
interface Runtime {
  readonly config: Config;
  readonly transformer: RecordTransformer;
  /** Present when ENRICH has `eni`: prefetch before each batch. */
  readonly eniDirectory: EniDirectory | undefined;
  /** Present when ENRICH has `aws_service`: refreshed before a batch when due. */
  readonly ipRanges: IpRangesProvider | undefined;
}

/** A core error message that already names its setting: `INTERNAL_CIDRS: …`. */
const NAMED_SETTING = /^([A-Z][A-Z0-9_]*): /;

/**
 * Runs a compile step, turning its error into a ConfigError for `setting`,
 * or for the setting the message names (ENRICH=direction fails on a bad
 * INTERNAL_CIDRS value, say).
 */
function compile<T>(setting: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = (error as Error).message;
    throw new ConfigError(NAMED_SETTING.exec(message)?.[1] ?? setting, message);
  }
}

/**
 * The ip-ranges of `aws_service`, loaded once here (within the init phase)
 * and refreshed by the handler when due. A failed load does not fail the
 * cold start: see IpRangesProvider.
 */
async function loadIpRanges(
  config: Config
): Promise<IpRangesProvider | undefined> {
  if (!config.enrich.includes('aws_service')) return undefined;
  const setting =
    config.ipRangesS3Uri === undefined ? 'IP_RANGES_URL' : 'IP_RANGES_S3_URI';
  const location = compile(setting, () =>
    locationOf(config.ipRangesS3Uri, config.ipRangesUrl)
  );
  // Loaded only when needed: the S3 client adds to every cold start.
  const s3 =
    location.kind === 's3'
      ? (await import('./optional-clients.ts')).createS3Client()
      : undefined;
  const provider = new IpRangesProvider({
    location,
    ttlMs: config.ipRangesTtlSeconds * 1000,
    s3: s3 === undefined ? undefined : () => s3,
  });
  await provider.refreshIfDue(Date.now() + LOAD_TIMEOUT_MS);
  return provider;
}

/** The EC2 client is half the bundle: loaded only when `eni` is on. */
async function createEniDirectory(
  config: Config
): Promise<EniDirectory | undefined> {
  if (!config.enrich.includes('eni')) return undefined;
  const { createEc2Client } = await import('./optional-clients.ts');
  const { EniDirectory } = await import('../../shared/aws/eni-directory.ts');
  return new EniDirectory({
    client: createEc2Client(),
    ttlSeconds: config.eniCacheTtlSeconds,
    maxEntries: config.eniCacheMaxEntries,
  });
}

function buildEnrichers(config: Config, context: EnrichContext): Enricher[] {
  return compile('ENRICH', () =>
    createEnrichers(config.enrich, config.format, context)
  );
}

/**
 * Compiles the configuration into a runtime.
 *
 * @throws ConfigError when a setting cannot be compiled
 */
async function buildRuntime(config: Config): Promise<Runtime> {
  const { format } = config;
  const serializer = compile('OUTPUT_FORMAT', () =>
    createSerializer(config.outputFormat, format)
  );
  const filter = compile('FILTER', () => compileFilter(config.filter, format));
  const partitioner = compile('PARTITION_KEYS', () =>
    createPartitioner(config.partitionKeys, format)
  );
  const ipRanges = await loadIpRanges(config);
  const eniDirectory = await createEniDirectory(config);
  const enrichers = buildEnrichers(config, {
    internalCidrs: config.internalCidrs,
    ipRanges: ipRanges?.table,
    eniCache: eniDirectory,
    communityIdSeed: config.communityIdSeed,
  });
  const transformer = new RecordTransformer(
    { format, filter, enrichers, serializer, partitioner },
    {
      maxDecompressedBytes: config.maxDecompressedBytes,
      // base64 makes 3 bytes 4 characters: more output can never fit.
      maxOutputBytes: Math.floor((config.responseBudgetBytes * 3) / 4),
    }
  );
  return { config, transformer, eniDirectory, ipRanges };
}

/**
 * Fetches the ENI metadata a batch needs before the synchronous transform,
 * until `deadline` (epoch ms). Never rejects: on EC2 failure or at the
 * deadline lines stay un-enriched (counted by the cache).
 *
 * @returns what the prefetch did, or undefined without ENRICH=eni
 */
async function prefetchEnrichment(
  runtime: Runtime,
  event: unknown,
  deadline = Number.POSITIVE_INFINITY
): Promise<EniPrefetchResult | undefined> {
  const directory = runtime.eniDirectory;
  if (directory === undefined) return undefined;
  // Only with ENI enrichment on: otherwise processEvent's check is the only one.
  assertFirehoseEvent(event);
  const records: Buffer[] = [];
  for (const record of event.records) {
    const bytes = decodeBase64(record.data);
    if (bytes === undefined) continue;
    records.push(bytes.subarray(readReingestMarker(bytes).offset));
  }
  const ids = collectFieldValues(
    records,
    runtime.config.format,
    'interface-id',
    runtime.config.maxDecompressedBytes
  );
  return directory.prefetch(ids, deadline);
}

/**
 * Reloads the ip-ranges when their TTL has passed, or when the last load
 * failed and its backoff is over; stops at `deadline`. Never rejects.
 */
async function refreshEnrichment(
  runtime: Runtime,
  deadline: number
): Promise<void> {
  await runtime.ipRanges?.refreshIfDue(deadline);
}

export type { Runtime };
export { buildRuntime, prefetchEnrichment, refreshEnrichment };
