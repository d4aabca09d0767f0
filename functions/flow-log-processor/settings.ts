/**
 * The one table of settings: every environment variable the function reads,
 * with its default, what is allowed, the stack parameter that sets it and why
 * each limit is what it is. `config.ts` reads the environment only through
 * this table; docs/configuration.md is generated from it
 * (`npm run docs:settings`) and template.yaml's parameters are checked
 * against it by test/template/settings.test.ts, so the three cannot drift.
 *
 * To add a setting: add one entry to SETTINGS (kind, default, limits,
 * parameter, reason), read it in config.ts with `readSetting`, add the stack
 * parameter and the function's environment variable in template.yaml, then
 * run `npm run docs:settings`. The tests name whatever is still missing.
 */
import { LogLevel } from '@aws-lambda-powertools/logger';
import { ENRICHER_NAMES } from '../../shared/enrich/index.ts';
import { MAX_FILTER_CHARS } from '../../shared/filter/parser.ts';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';
import { MAX_FORMAT_CHARS } from '../../shared/flowlog/format.ts';
import { SERVICE_NAME } from '../../shared/observability/logger.ts';
import { METRICS_NAMESPACE } from '../../shared/observability/metrics.ts';
import { OUTPUT_FORMATS } from '../../shared/output/index.ts';

/**
 * Lambda's response payload limit for synchronous invocations, in bytes
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
const LAMBDA_RESPONSE_LIMIT = 6_291_456;

/** Where the deployed stack takes a setting's value from. */
type StackSource =
  | {
      /** The template parameter whose value becomes the variable. */
      readonly parameter: string;
      /**
       * The parameter's Default when it is not the function's default
       * written out (e.g. '' for "unset: the function's default").
       */
      readonly parameterDefault?: string;
      /** The parameter's AllowedPattern, when the template checks the text. */
      readonly pattern?: string;
    }
  | {
      /** A value fixed in the template (no parameter), and why. */
      readonly fixed: string;
      readonly why: string;
    };

/** Fields every setting has. */
interface SettingBase {
  /** One line for the docs: what the setting does. */
  readonly summary: string;
  /** Why the limits are what they are (also in the refusal message). */
  readonly reason: string;
  /** How the deployed stack sets it. */
  readonly stack: StackSource;
}

/** A whole number in [min, max]. */
interface IntegerSetting extends SettingBase {
  readonly kind: 'integer';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`), any case. */
interface BooleanSetting extends SettingBase {
  readonly kind: 'boolean';
  readonly default: boolean;
}

/** One of a closed set of names, any case, read as written in `values`. */
interface ChoiceSetting extends SettingBase {
  readonly kind: 'choice';
  readonly default: string;
  readonly values: readonly string[];
}

/** A comma-separated list; items trimmed, empty and repeated items refused. */
interface ListSetting extends SettingBase {
  readonly kind: 'list';
  readonly default: readonly string[];
  /** The allowed items (any case, read in lower case); undefined = checked later. */
  readonly values?: readonly string[];
  /**
   * Two items that name the same thing (`account-id`, `account_id`) map to
   * the same identity and are refused as a repeat.
   */
  readonly identity?: (item: string) => string;
}

/** Free text up to `maxLength` characters, optionally matching `pattern`. */
interface TextSetting extends SettingBase {
  readonly kind: 'text';
  /** The default; undefined = unset (the feature is off). */
  readonly default: string | undefined;
  readonly maxLength: number;
  /** A regular expression the whole value must match (also AllowedPattern). */
  readonly pattern?: string;
  /** What `pattern` means, for the refusal message. */
  readonly patternMeaning?: string;
}

/** One row of the table. */
type Setting =
  | IntegerSetting
  | BooleanSetting
  | ChoiceSetting
  | ListSetting
  | TextSetting;

/** The template parameter's `^(a|b)(,(a|b))*$` for a list of names. */
function listPattern(names: readonly string[]): string {
  const one = `(${names.join('|')})`;
  return `^$|^${one}(,${one})*$`;
}

/**
 * Every environment variable the function reads, in documentation order.
 * `as const satisfies` keeps each entry's kind, so `readSetting` returns a
 * number for an integer setting and a list for a list setting.
 */
const SETTINGS = {
  FLOW_LOG_FORMAT: {
    kind: 'text',
    summary:
      "the flow log's LogFormat exactly as given to AWS: `${field}` tokens separated by spaces, any order, any subset; unknown names are read as strings and logged once at cold start, except a name one edit from a documented field (`${log-stauts}`), refused as a typo ([fields.md](fields.md))",
    default: VPC_DEFAULT_FORMAT,
    maxLength: MAX_FORMAT_CHARS,
    reason:
      'every field AWS defines (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html) fits several times over, and the cold-start parse stays bounded; the template requires single spaces, as AWS writes a LogFormat',
    stack: {
      parameter: 'FlowLogFormat',
      pattern: '^\\$\\{[a-z0-9-]+\\}( \\$\\{[a-z0-9-]+\\})*$',
    },
  },
  OUTPUT_FORMAT: {
    kind: 'choice',
    summary:
      'output record format ([output-formats.md](output-formats.md)); any case, e.g. `OCSF` reads as `ocsf`',
    default: 'json',
    values: OUTPUT_FORMATS,
    reason: 'the serializers the function has',
    stack: { parameter: 'OutputFormat' },
  },
  FILTER: {
    kind: 'text',
    summary:
      "keep only lines matching this expression ([filter.md](filter.md)), e.g. `action = REJECT`; unset keeps every line; a value its field never holds (`action = reject`, `dstport = 70000`) is refused; a value outside its field's documented set (`reject-reason = EC`) is accepted with one cold-start warning, as AWS may add values ([fields.md](fields.md))",
    default: undefined,
    maxLength: MAX_FILTER_CHARS,
    reason:
      'bounds the parse and match cost per line; the template allows printable ASCII, as flow-log values are',
    stack: { parameter: 'Filter', pattern: '^[\\x20-\\x7E]*$' },
  },
  ENRICH: {
    kind: 'list',
    summary:
      'enrichers to add to each line ([enrichment.md](enrichment.md)); any case; unset adds none',
    default: [],
    values: ENRICHER_NAMES,
    reason:
      'the enrichers the function has; in the stack, eni is switched by EnableEniEnrichment so that the permission it needs follows it',
    stack: {
      parameter: 'Enrich',
      pattern: listPattern(ENRICHER_NAMES.filter((name) => name !== 'eni')),
    },
  },
  INTERNAL_CIDRS: {
    kind: 'list',
    summary:
      'IPv4/IPv6 CIDRs counted as internal by `direction` when the format has no `flow-direction`',
    default: [
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10',
      'fc00::/7',
    ],
    reason:
      'each item must parse as a CIDR (checked when `direction` is built)',
    stack: {
      parameter: 'InternalCidrs',
      parameterDefault: '',
      pattern: '^$|^[0-9a-fA-F:.]+/[0-9]{1,3}(,[0-9a-fA-F:.]+/[0-9]{1,3})*$',
    },
  },
  COMMUNITY_ID_SEED: {
    kind: 'integer',
    summary:
      'the Community ID seed (`community_id`), to match other sensors configured with one',
    default: 0,
    min: 0,
    max: 65_535,
    reason:
      'the seed is a 16-bit unsigned integer (https://github.com/corelight/community-id-spec)',
    stack: { parameter: 'CommunityIdSeed' },
  },
  IP_RANGES_S3_URI: {
    kind: 'text',
    summary:
      "`s3://bucket/key` of a copy of AWS's `ip-ranges.json`, for a function without internet access (`aws_service`); read at cold start and every `IP_RANGES_TTL_SECONDS`; unset: the function downloads https://ip-ranges.amazonaws.com/ip-ranges.json itself",
    default: undefined,
    maxLength: 1024,
    pattern: '^$|^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\\s*]+$',
    patternMeaning:
      's3://bucket/key with a bucket name as S3 allows and no * or blank in the key',
    reason:
      'the stack grants s3:GetObject on exactly this object, so a * in the key would grant a whole bucket',
    stack: { parameter: 'IpRangesS3Uri' },
  },
  IP_RANGES_URL: {
    kind: 'text',
    summary:
      "where `aws_service` downloads ip-ranges.json when `IP_RANGES_S3_URI` is unset; unset: AWS's published https://ip-ranges.amazonaws.com/ip-ranges.json. For tests and offline runs only: `http://127.0.0.1:…` or `http://localhost…` (a local stand-in of the endpoint) or `file:///…` (e.g. the bundled 16-prefix sample); not together with `IP_RANGES_S3_URI`",
    default: undefined,
    maxLength: 2048,
    pattern:
      '^(https://[^\\s]+|file:///[^\\s]+|http://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]+)?(/[^\\s]*)?)$',
    patternMeaning:
      'https://…, http://localhost… or http://127.0.0.1… (a local stand-in), or file:///path',
    reason:
      'plain HTTP only to this machine, so a deployed function never takes its ranges unauthenticated over a network; a local server or file keeps tests offline',
    stack: {
      fixed: '',
      why: "a deployed stack downloads AWS's published URL, or reads IpRangesS3Uri when it has no internet access",
    },
  },
  IP_RANGES_TTL_SECONDS: {
    kind: 'integer',
    summary:
      'how long a warm container keeps the ip-ranges (`aws_service`) before loading them again, in seconds',
    default: 43_200,
    min: 900,
    max: 604_800,
    reason:
      'AWS updates ip-ranges.json a few times a week; a reload is one download of about 1-2 MB and 0.3-0.5 s of indexing, so not more often than every 15 minutes and at least weekly',
    stack: {
      fixed: '43200',
      why: 'twelve hours keeps a warm container within a day of the published ranges',
    },
  },
  ENI_CACHE_TTL_SECONDS: {
    kind: 'integer',
    summary: 'how long an ENI lookup (`eni`) is reused, in seconds',
    default: 900,
    min: 0,
    max: 86_400,
    reason:
      'an ENI is re-described at least daily, so moved or re-tagged interfaces show within a day',
    stack: { parameter: 'EniCacheTtlSeconds' },
  },
  ENI_CACHE_MAX_ENTRIES: {
    kind: 'integer',
    summary: 'how many ENI lookups (`eni`) the function keeps',
    default: 10_000,
    min: 1,
    max: 20_000,
    reason:
      'a cached ENI takes at most about 2.3 KB of heap (tags capped at 1,024 characters; measured, docs/enrichment.md), so 20,000 entries take under 50 MB of the 512 MB function; the cache also stops at an estimated 96 MiB',
    stack: { parameter: 'EniCacheMaxEntries' },
  },
  PARTITION_KEYS: {
    kind: 'list',
    summary:
      'keys of `metadata.partitionKeys` for dynamic partitioning: fields of the format (LogFormat name or output key) and `year`, `month`, `day`, `hour` (from `start`, UTC) ([reingestion.md](reingestion.md)); unset sends none',
    default: [],
    identity: (item) => item.replaceAll('-', '_'),
    reason:
      'each key is one S3 prefix segment; two names of the same field (account-id, account_id) would repeat it',
    stack: {
      parameter: 'PartitionKeys',
      // The function gets the keys only when EnableDynamicPartitioning is
      // true; this default is what the prefix uses then.
      parameterDefault: 'account_id,year,month,day,hour',
      pattern: '^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$',
    },
  },
  RESPONSE_BUDGET_BYTES: {
    kind: 'integer',
    summary:
      'bytes of response the function builds before re-ingesting (or failing) the remaining records',
    default: 6_000_000,
    min: 1_000_000,
    max: 6_000_000,
    reason:
      "6,000,000 leaves headroom under Lambda's 6,291,456-byte response limit; below 1,000,000 the answers of one full processor buffer do not fit and re-ingestion loops",
    stack: { parameter: 'ResponseBudgetBytes' },
  },
  REINGEST: {
    kind: 'boolean',
    summary:
      're-ingest records past the response budget with `firehose:PutRecordBatch` (`false`: mark them `ProcessingFailed`)',
    default: true,
    reason: 'a switch',
    stack: { parameter: 'Reingest' },
  },
  MAX_DECOMPRESSED_BYTES: {
    kind: 'integer',
    summary:
      "cap on one gzip (CloudWatch Logs) record's decompressed size, checked while inflating; a record past it is `ProcessingFailed` (`decompressed_too_large`)",
    default: 4_194_304,
    min: 1024,
    max: 8_388_608,
    reason:
      'bounds the CPU one record can cost: at 4 MiB the most hostile gzip record measured costs under 50 ms of CPU, at 8 MiB about twice that (docs/limits.md)',
    stack: { parameter: 'MaxDecompressedBytes' },
  },
  POWERTOOLS_SERVICE_NAME: {
    kind: 'text',
    summary: 'the `service` of every log line and metric',
    default: SERVICE_NAME,
    maxLength: 255,
    reason: 'a CloudWatch dimension value holds 1-255 characters',
    stack: {
      fixed: SERVICE_NAME,
      why: "the alarms and dashboard select the function's metrics by this service dimension",
    },
  },
  POWERTOOLS_METRICS_NAMESPACE: {
    kind: 'text',
    summary: "the CloudWatch namespace of the function's metrics",
    default: METRICS_NAMESPACE,
    maxLength: 255,
    pattern: '^[0-9A-Za-z.\\-_/#: ]+$',
    patternMeaning:
      'letters, digits and . - _ / # : and space (CloudWatch namespace characters)',
    reason:
      'CloudWatch namespaces hold 1-255 of these characters (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html)',
    stack: {
      fixed: METRICS_NAMESPACE,
      why: "the alarms and dashboard read the function's metrics in this namespace",
    },
  },
  POWERTOOLS_LOG_LEVEL: {
    kind: 'choice',
    summary: 'the lowest level logged; any case',
    default: 'INFO',
    values: Object.values(LogLevel),
    reason:
      "Powertools Logger's levels (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/)",
    stack: { parameter: 'LogLevel' },
  },
} as const satisfies Record<string, Setting>;

/** The name of a setting: an environment variable. */
type SettingName = keyof typeof SETTINGS;

/** Every setting name, in table order. */
const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export type {
  BooleanSetting,
  ChoiceSetting,
  IntegerSetting,
  ListSetting,
  Setting,
  SettingName,
  StackSource,
  TextSetting,
};
export { LAMBDA_RESPONSE_LIMIT, SETTING_NAMES, SETTINGS };
