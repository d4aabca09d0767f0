/**
 * The composition root of the processor: the one place that turns a
 * validated configuration into the pipeline (format, filter, enrichers,
 * serializer, partitioner), its limits and the record transformer. Pure: no
 * AWS SDK, no Powertools, no environment. What needs AWS (the ENI metadata
 * of `eni`, the ip-ranges of `aws_service`) comes in as adapters, built by
 * the caller's edge:
 *
 * - the handler: functions/flow-log-processor/runtime.ts (`buildRuntime`),
 *   which adds the EC2 ENI directory, the ip-ranges source and re-ingestion;
 *   `npm run invoke`, `npm run replay`, `npm run bench` and the fuzzer load
 *   the handler bundle, so they run this composition too;
 * - the backfill worker and `npm run backfill`: one composition per
 *   flow-log format met in the objects' header lines, sharing the adapters;
 * - the replay's failure classifier and the bench's single-pipeline probes.
 *
 * Validation of the environment stays in functions/flow-log-processor
 * (config.ts, settings.ts); this file compiles what passed it, and an error
 * here names the setting whose value the core refused.
 */
import {
  createEnrichers,
  type EniCache,
  type IpRangeTable,
} from '../enrich/index.ts';
import type { Enricher } from '../enrich/types.ts';
import { compileFilter } from '../filter/compile.ts';
import type { FlowLogFormat } from '../flowlog/format.ts';
import { ECS_VPCFLOW_WRITER_KEYS } from '../output/ecs.ts';
import { createSerializer } from '../output/index.ts';
import { OCSF_UNMAPPED_WRITER_KEYS } from '../output/ocsf.ts';
import { createPartitioner } from './partition.ts';
import {
  type Pipeline,
  RecordTransformer,
  type TransformLimits,
} from './record-transformer.ts';

/**
 * The settings the processor is built from: a subset of the function's
 * Config (functions/flow-log-processor/config.ts), already validated, so a
 * Config passes as is.
 */
interface ProcessorSettings {
  /** FLOW_LOG_FORMAT, parsed. */
  readonly format: FlowLogFormat;
  /** OUTPUT_FORMAT: `json`, `ocsf` or `ecs`. */
  readonly outputFormat: string;
  /** FILTER; empty keeps every line. */
  readonly filter: string;
  /** ENRICH items, in order. */
  readonly enrich: readonly string[];
  /** INTERNAL_CIDRS, for `direction`. */
  readonly internalCidrs: readonly string[];
  /** COMMUNITY_ID_SEED, 0-65535. */
  readonly communityIdSeed: number;
  /** PARTITION_KEYS; empty means no partitioning. */
  readonly partitionKeys: readonly string[];
  /** MAX_DECOMPRESSED_BYTES: a record's gunzipped bytes, at most. */
  readonly maxDecompressedBytes: number;
  /** RESPONSE_BUDGET_BYTES: bytes of response JSON, at most. */
  readonly responseBudgetBytes: number;
  /**
   * false: never the WebAssembly JSON kernel (docs/kernel.md), only the
   * TypeScript path. Not a setting of the function (its default is on);
   * the bench's per-enricher probe times enrichers against the path they
   * run on.
   */
  readonly jsonKernel?: boolean;
}

/** What the edge supplies for the enrichers that need AWS. */
interface ProcessorAdapters {
  /** The ip-ranges table `aws_service` reads (refreshed in place). */
  readonly ipRanges?: IpRangeTable | undefined;
  /** The ENI metadata `eni` reads, filled before each batch. */
  readonly eniCache?: EniCache | undefined;
}

/** The composed processor: one per configuration (and format). */
interface Processor {
  readonly pipeline: Pipeline;
  /**
   * Cold-start warnings about accepted settings, each naming its setting:
   * `FILTER: column 17: 'EC' is not a documented value of 'reject-reason'
   * (documented: BPA; …); accepted, as AWS may add values: …`. The edge logs
   * them once.
   */
  readonly warnings: readonly string[];
  readonly limits: TransformLimits;
  /** Not re-entrant: one record at a time (see RecordTransformer). */
  readonly transformer: RecordTransformer;
}

/**
 * A setting the core refused while composing. `setting` is the environment
 * variable to fix: the step's own (FILTER for a filter that does not
 * compile), or the one its message names (`INTERNAL_CIDRS: …` from ENRICH).
 * The handler's edge turns it into its ConfigError.
 */
class ComposeError extends Error {
  readonly code = 'COMPOSE_SETTING';
  readonly setting: string;

  constructor(setting: string, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'ComposeError';
    this.setting = setting;
  }
}

/** A core error message that already names its setting: `INTERNAL_CIDRS: …`. */
const NAMED_SETTING = /^([A-Z][A-Z0-9_]*): /;

/**
 * The setting a core error message names (`INTERNAL_CIDRS: …`), or
 * `fallback` when it names none.
 *
 * @example settingNamedIn("INTERNAL_CIDRS: '10.0.0.0/33' …", 'ENRICH') // 'INTERNAL_CIDRS'
 */
function settingNamedIn(message: string, fallback: string): string {
  return NAMED_SETTING.exec(message)?.[1] ?? fallback;
}

/** Runs one compile step; its error becomes a ComposeError naming a setting. */
function step<T>(setting: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    const message = (error as Error).message;
    throw new ComposeError(settingNamedIn(message, setting), message, error);
  }
}

/**
 * The record limits of a configuration. A response carries each record's
 * output as base64, 4 characters per 3 bytes, so output past 3/4 of the
 * response budget can never be answered and fails at once.
 *
 * @example limitsOf(config) // { maxDecompressedBytes: 8388608, maxOutputBytes: 4500000 }
 */
function limitsOf(settings: ProcessorSettings): TransformLimits {
  return {
    maxDecompressedBytes: settings.maxDecompressedBytes,
    maxOutputBytes: Math.floor((settings.responseBudgetBytes * 3) / 4),
  };
}

/**
 * The object holding field-named keys that the OUTPUT_FORMAT writer also
 * adds keys of its own to, with those keys; undefined for `json`, whose top
 * level gets only field keys and enrichment keys (checked by ENRICH).
 */
function writerKeysOf(
  outputFormat: string
): { readonly object: string; readonly keys: readonly string[] } | undefined {
  if (outputFormat === 'ocsf') {
    return { object: 'unmapped', keys: OCSF_UNMAPPED_WRITER_KEYS };
  }
  if (outputFormat === 'ecs') {
    return { object: 'aws.vpcflow', keys: ECS_VPCFLOW_WRITER_KEYS };
  }
  return undefined;
}

/**
 * Refuses a format field whose output key the OUTPUT_FORMAT writer adds
 * itself next to the fields (`\${enrichment}` under OCSF `unmapped`): the
 * object would hold the key twice, and RFC 8259 §4 says names within an
 * object SHOULD be unique (readers keep either one). Cold start only.
 *
 * @throws Error naming FLOW_LOG_FORMAT, the field and the keys it must avoid
 */
function checkWriterKeys(outputFormat: string, format: FlowLogFormat): void {
  const writer = writerKeysOf(outputFormat);
  if (writer === undefined) return;
  for (const field of format.fields) {
    if (!writer.keys.includes(field.key)) continue;
    throw new Error(
      `FLOW_LOG_FORMAT: field '\${${field.name}}' writes the key '${field.key}', which OUTPUT_FORMAT=${outputFormat} also writes under '${writer.object}'; remove '\${${field.name}}' from FLOW_LOG_FORMAT or choose another OUTPUT_FORMAT (fields under '${writer.object}' must not have the output key ${writer.keys.map((k) => `'${k}'`).join(', ')})`
    );
  }
}

/**
 * Compiles the pipeline of a configuration: serializer, filter, enrichers
 * (with the adapters given) and partitioner, for `settings.format`. `warn`
 * receives each cold-start warning (a FILTER value outside its field's
 * documented set).
 *
 * @throws ComposeError naming OUTPUT_FORMAT, FLOW_LOG_FORMAT (a field key
 *   the writer adds itself, see checkWriterKeys), FILTER, ENRICH (or the setting
 *   an enricher names: INTERNAL_CIDRS, COMMUNITY_ID_SEED) or PARTITION_KEYS
 */
function composePipeline(
  settings: ProcessorSettings,
  adapters: ProcessorAdapters = {},
  warn: (message: string) => void = () => {}
): Pipeline {
  const { format } = settings;
  const serializer = step('OUTPUT_FORMAT', () =>
    createSerializer(settings.outputFormat, format)
  );
  step('FLOW_LOG_FORMAT', () => checkWriterKeys(settings.outputFormat, format));
  const filter = step('FILTER', () =>
    compileFilter(settings.filter, format, {}, warn)
  );
  const enrichers: Enricher[] = step('ENRICH', () =>
    createEnrichers(settings.enrich, format, {
      internalCidrs: settings.internalCidrs,
      ipRanges: adapters.ipRanges,
      eniCache: adapters.eniCache,
      communityIdSeed: settings.communityIdSeed,
    })
  );
  const partitioner = step('PARTITION_KEYS', () =>
    createPartitioner(settings.partitionKeys, format)
  );
  return { format, filter, enrichers, serializer, partitioner };
}

/**
 * Builds the processor of a configuration: call once per cold start (and
 * per format, in the backfill). O(settings); no I/O.
 *
 * @throws ComposeError naming the refused setting (see composePipeline)
 * @example
 * const { transformer } = composeProcessor(loadConfig(process.env));
 * if (transformer.transform(bytes).status === 'Ok') send(transformer.output.toBase64());
 */
function composeProcessor(
  settings: ProcessorSettings,
  adapters: ProcessorAdapters = {}
): Processor {
  const warnings: string[] = [];
  const pipeline = {
    ...composePipeline(settings, adapters, (message) => warnings.push(message)),
    jsonKernel: settings.jsonKernel,
  };
  const limits = limitsOf(settings);
  return {
    pipeline,
    warnings,
    limits,
    transformer: new RecordTransformer(pipeline, limits),
  };
}

export type { Processor, ProcessorAdapters, ProcessorSettings };
export {
  ComposeError,
  composePipeline,
  composeProcessor,
  limitsOf,
  settingNamedIn,
};
