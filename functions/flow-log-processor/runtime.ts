/**
 * Builds, once per cold start, everything the handler needs from the
 * configuration: the pipeline, the record transformer and the AWS adapters
 * (EC2 for ENI metadata, S3 for ip-ranges.json). Any setting that cannot be
 * compiled fails here, with a ConfigError naming it.
 */
import type { EniDirectory } from '../../shared/aws/eni-directory.ts';
import {
  collectFieldValues,
  createEnrichers,
  type EnrichContext,
} from '../../shared/enrich/index.ts';
import {
  type IpRangeTable,
  loadBundledIpRanges,
} from '../../shared/enrich/ip-ranges.ts';
import type { Enricher } from '../../shared/enrich/types.ts';
import { compileFilter } from '../../shared/filter/compile.ts';
import {
  assertFirehoseEvent,
  decodeBase64,
} from '../../shared/firehose/batch.ts';
import { createPartitioner } from '../../shared/firehose/partition.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import { createSerializer } from '../../shared/output/index.ts';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';

/** What a warm invocation reuses. */
interface Runtime {
  readonly config: Config;
  readonly transformer: RecordTransformer;
  /** Present when ENRICH has `eni`: prefetch before each batch. */
  readonly eniDirectory: EniDirectory | undefined;
  /** Present when ENRICH has `aws_service`, for the cold-start log. */
  readonly ipRanges: IpRangeTable | undefined;
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

async function loadIpRanges(config: Config): Promise<IpRangeTable | undefined> {
  if (!config.enrich.includes('aws_service')) return undefined;
  const uri = config.ipRangesS3Uri;
  if (uri === undefined) return loadBundledIpRanges();
  // Loaded only when needed: the S3 client adds to every cold start.
  const { createS3Client } = await import('./optional-clients.ts');
  const { loadIpRangesFromS3 } = await import(
    '../../shared/aws/ip-ranges-source.ts'
  );
  try {
    return await loadIpRangesFromS3(createS3Client(), uri);
  } catch (error) {
    throw new ConfigError(
      'IP_RANGES_S3_URI',
      `'${uri}': ${(error as Error).message}`
    );
  }
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
    ipRanges,
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
 * Fetches the ENI metadata a batch needs before the synchronous transform.
 * Never rejects: on EC2 failure lines stay un-enriched.
 *
 * @returns how many interface ids could not be looked up
 */
async function prefetchEnrichment(
  runtime: Runtime,
  event: unknown
): Promise<number> {
  const directory = runtime.eniDirectory;
  if (directory === undefined) return 0;
  // Only with ENI enrichment on: otherwise processEvent's check is the only one.
  assertFirehoseEvent(event);
  const records: Buffer[] = [];
  for (const record of event.records) {
    const bytes = decodeBase64(record.data);
    if (bytes !== undefined) records.push(bytes);
  }
  const ids = collectFieldValues(
    records,
    runtime.config.format,
    'interface-id',
    runtime.config.maxDecompressedBytes
  );
  const result = await directory.prefetch(ids);
  return result.failed;
}

export type { Runtime };
export { buildRuntime, prefetchEnrichment };
