/**
 * The handler's edge of the composition root: builds, once per cold start,
 * the AWS adapters the configuration asks for (EC2 for ENI metadata, HTTPS
 * or S3 for ip-ranges.json) and hands them to the pure composition
 * (shared/firehose/compose.ts), which builds the pipeline, its limits and
 * the record transformer. Any setting that cannot be compiled fails here,
 * with a ConfigError naming it; an AWS dependency that fails does not (it is
 * logged, counted and retried).
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
import { collectFieldValues } from '../../shared/enrich/index.ts';
import {
  ComposeError,
  composeProcessor,
  type Processor,
  type ProcessorSettings,
  settingNamedIn,
} from '../../shared/firehose/compose.ts';
import { DecodedEvent, decodeEvent } from '../../shared/firehose/event.ts';
import type { OpenedRecords } from '../../shared/firehose/opened-records.ts';
import type { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';

/**
 * Every AWS call stops this long before the invocation times out, leaving
 * time to log, flush metrics and return a 6 MB response.
 */
const SAFETY_MARGIN_MS = 5_000;

/**
 * Share of the time left (after the margin) that enrichment calls before the
 * transform (ENI prefetch, an ip-ranges refresh) may take: half, so the
 * transform and re-ingestion keep the other half.
 */
const ENRICHMENT_TIME_SHARE = 0.5;

/**
 * When enrichment calls made at `now` must stop: {@link ENRICHMENT_TIME_SHARE}
 * of the time left before `deadline` (epoch ms).
 *
 * @example enrichmentDeadline(0, 10_000) // 5000
 */
function enrichmentDeadline(now: number, deadline: number): number {
  return now + Math.max(0, deadline - now) * ENRICHMENT_TIME_SHARE;
}

/** The AWS adapters of the enrichers that need them; shared by every format. */
interface EnrichmentAdapters {
  /** Present when ENRICH has `eni`: prefetch before each batch. */
  readonly eniDirectory: EniDirectory | undefined;
  /** Present when ENRICH has `aws_service`: refreshed before a batch when due. */
  readonly ipRanges: IpRangesProvider | undefined;
}

/** What a warm invocation reuses. */
interface Runtime extends EnrichmentAdapters {
  readonly config: Config;
  readonly processor: Processor;
  /** `processor.transformer`. */
  readonly transformer: RecordTransformer;
}

/** A ConfigError for `setting`, from a step that is not the composition. */
function compile<T>(setting: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = (error as Error).message;
    throw new ConfigError(settingNamedIn(message, setting), message);
  }
}

/**
 * The composition (shared/firehose/compose.ts) of `settings` with the
 * adapters, its refusal turned into the ConfigError of the setting it names.
 *
 * @throws ConfigError when a setting cannot be compiled
 */
function compose(
  settings: ProcessorSettings,
  adapters: EnrichmentAdapters
): Processor {
  try {
    return composeProcessor(settings, {
      ipRanges: adapters.ipRanges?.table,
      eniCache: adapters.eniDirectory,
    });
  } catch (error) {
    if (error instanceof ComposeError) {
      throw new ConfigError(error.setting, error.message);
    }
    throw error;
  }
}

/**
 * The ip-ranges of `aws_service`, not loaded yet: its table is empty until
 * {@link loadEnrichment} (or a refresh) fills it in place.
 */
async function createIpRanges(
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
  return new IpRangesProvider({
    location,
    ttlMs: config.ipRangesTtlSeconds * 1000,
    s3: s3 === undefined ? undefined : () => s3,
  });
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

/**
 * Creates the adapters ENRICH asks for, without any AWS call yet.
 *
 * @throws ConfigError for a bad IP_RANGES_URL / IP_RANGES_S3_URI
 */
async function createAdapters(config: Config): Promise<EnrichmentAdapters> {
  return {
    ipRanges: await createIpRanges(config),
    eniDirectory: await createEniDirectory(config),
  };
}

/**
 * Loads the ip-ranges once, within the init phase; the handler refreshes
 * them when due. A failed load does not fail the cold start: see
 * IpRangesProvider.
 */
async function loadEnrichment(adapters: EnrichmentAdapters): Promise<void> {
  await adapters.ipRanges?.refreshIfDue(Date.now() + LOAD_TIMEOUT_MS);
}

/**
 * Compiles the configuration into a runtime: the adapters, then the
 * composition (so a bad setting fails before any AWS call), then the first
 * ip-ranges load.
 *
 * @throws ConfigError when a setting cannot be compiled
 */
async function buildRuntime(config: Config): Promise<Runtime> {
  const adapters = await createAdapters(config);
  const processor = compose(config, adapters);
  await loadEnrichment(adapters);
  return {
    config,
    processor,
    transformer: processor.transformer,
    ...adapters,
  };
}

/**
 * One processor per flow-log format with the same settings and adapters:
 * the backfill meets a format in each object's header line.
 *
 * @throws ConfigError when the settings do not compile for `format`
 */
function processorFor(
  config: Config,
  adapters: EnrichmentAdapters,
  format: FlowLogFormat
): Processor {
  return compose({ ...config, format }, adapters);
}

/**
 * Fetches the ENI metadata of the interface ids in `records` (decoded
 * record bytes) until `deadline` (epoch ms). Never rejects. With `keepIn`,
 * the records the collection opens are kept there for the transform
 * (collectFieldValues).
 *
 * @returns what the prefetch did, or undefined without ENRICH=eni
 */
async function prefetchInterfaces(
  adapters: EnrichmentAdapters,
  format: FlowLogFormat,
  records: readonly Buffer[],
  maxDecompressedBytes: number,
  deadline: number,
  keepIn?: OpenedRecords
): Promise<EniPrefetchResult | undefined> {
  const directory = adapters.eniDirectory;
  if (directory === undefined) return undefined;
  const ids = collectFieldValues(
    records,
    format,
    'interface-id',
    maxDecompressedBytes,
    keepIn
  );
  return directory.prefetch(ids, deadline);
}

/**
 * Fetches the ENI metadata a batch needs before the synchronous transform,
 * until `deadline` (epoch ms). Never rejects: on EC2 failure or at the
 * deadline lines stay un-enriched (counted by the cache). Reads the records'
 * bytes the transform reads: pass the {@link DecodedEvent} to both, and
 * each gzip record or CloudWatch Logs envelope is opened once, here, for
 * both (the transformer's `opened`, within its byte cap).
 *
 * @throws TypeError when ENRICH has `eni` and `event` is not a Firehose
 *   transformation event
 * @returns what the prefetch did, or undefined without ENRICH=eni
 */
async function prefetchEnrichment(
  runtime: Runtime,
  event: unknown,
  deadline = Number.POSITIVE_INFINITY
): Promise<EniPrefetchResult | undefined> {
  if (runtime.eniDirectory === undefined) return undefined;
  const decoded = event instanceof DecodedEvent ? event : decodeEvent(event);
  const { format, maxDecompressedBytes } = runtime.config;
  return prefetchInterfaces(
    runtime,
    format,
    decoded.decodedRecords(),
    maxDecompressedBytes,
    deadline,
    runtime.transformer.opened
  );
}

/**
 * Reloads the ip-ranges when their TTL has passed, or when the last load
 * failed and its backoff is over; stops at `deadline`. Never rejects.
 */
async function refreshEnrichment(
  adapters: EnrichmentAdapters,
  deadline: number
): Promise<void> {
  await adapters.ipRanges?.refreshIfDue(deadline);
}

export type { EnrichmentAdapters, Runtime };
export {
  buildRuntime,
  createAdapters,
  ENRICHMENT_TIME_SHARE,
  enrichmentDeadline,
  loadEnrichment,
  prefetchEnrichment,
  prefetchInterfaces,
  processorFor,
  refreshEnrichment,
  SAFETY_MARGIN_MS,
};
