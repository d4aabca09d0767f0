/**
 * The function's configuration: environment variables read and validated once,
 * at cold start. A bad value throws a ConfigError naming the setting, the value
 * and what is allowed, so the function fails to initialise instead of failing
 * records. The reference is docs/configuration.md.
 */

import { DEFAULT_INTERNAL_CIDRS } from '../../shared/enrich/direction.ts';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';

/** Lambda's response payload limit, in bytes. */
const LAMBDA_RESPONSE_LIMIT = 6_291_456;

/** Everything the function reads from its environment. */
interface Config {
  readonly format: FlowLogFormat;
  readonly outputFormat: string;
  readonly filter: string;
  readonly enrich: readonly string[];
  readonly internalCidrs: readonly string[];
  readonly ipRangesS3Uri: string | undefined;
  readonly eniCacheTtlSeconds: number;
  readonly eniCacheMaxEntries: number;
  readonly partitionKeys: readonly string[];
  readonly responseBudgetBytes: number;
  readonly reingest: boolean;
  readonly maxDecompressedBytes: number;
  readonly communityIdSeed: number;
}

/** A refused setting. */
class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(
      message.startsWith(`${setting}:`) ? message : `${setting}: ${message}`
    );
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** The trimmed value, or undefined when unset or blank. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function readInteger(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number
): number {
  const text = read(env, name);
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(
      name,
      `'${text}' is not allowed; expected a whole number from ${min} to ${max}`
    );
  }
  return value;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const text = read(env, name);
  if (text === undefined) return fallback;
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === '1' || lower === 'yes') return true;
  if (lower === 'false' || lower === '0' || lower === 'no') return false;
  throw new ConfigError(
    name,
    `'${text}' is not allowed; expected true or false`
  );
}

/** A comma-separated list: trimmed, empty items refused. */
function readList(
  env: Env,
  name: string,
  fallback: readonly string[]
): string[] {
  const text = read(env, name);
  if (text === undefined) return [...fallback];
  const items = text.split(',').map((item) => item.trim());
  const empty = items.indexOf('');
  if (empty >= 0) {
    throw new ConfigError(
      name,
      `'${text}' has an empty item at position ${empty + 1}; expected a comma-separated list`
    );
  }
  return items;
}

function readFormat(env: Env): FlowLogFormat {
  const text = read(env, 'FLOW_LOG_FORMAT') ?? VPC_DEFAULT_FORMAT;
  try {
    return parseFormat(text, 'FLOW_LOG_FORMAT');
  } catch (error) {
    throw new ConfigError('FLOW_LOG_FORMAT', (error as Error).message);
  }
}

function readS3Uri(env: Env, name: string): string | undefined {
  const text = read(env, name);
  if (text !== undefined && !/^s3:\/\/[^/]+\/.+/.test(text)) {
    throw new ConfigError(
      name,
      `'${text}' is not allowed; expected s3://bucket/key`
    );
  }
  return text;
}

/**
 * Reads and validates every setting. Called once per cold start.
 *
 * @param env - the environment, normally `process.env`
 * @throws ConfigError naming the setting, the value and what is allowed
 * @example const config = loadConfig(process.env);
 */
function loadConfig(env: Env): Config {
  return Object.freeze({
    format: readFormat(env),
    outputFormat: (read(env, 'OUTPUT_FORMAT') ?? 'json').toLowerCase(),
    filter: read(env, 'FILTER') ?? '',
    enrich: readList(env, 'ENRICH', []).map((name) => name.toLowerCase()),
    internalCidrs: readList(env, 'INTERNAL_CIDRS', DEFAULT_INTERNAL_CIDRS),
    ipRangesS3Uri: readS3Uri(env, 'IP_RANGES_S3_URI'),
    eniCacheTtlSeconds: readInteger(
      env,
      'ENI_CACHE_TTL_SECONDS',
      900,
      0,
      86_400
    ),
    eniCacheMaxEntries: readInteger(
      env,
      'ENI_CACHE_MAX_ENTRIES',
      10_000,
      1,
      1_000_000
    ),
    partitionKeys: readList(env, 'PARTITION_KEYS', []),
    responseBudgetBytes: readInteger(
      env,
      'RESPONSE_BUDGET_BYTES',
      6_000_000,
      100_000,
      LAMBDA_RESPONSE_LIMIT
    ),
    reingest: readBoolean(env, 'REINGEST', true),
    communityIdSeed: readInteger(env, 'COMMUNITY_ID_SEED', 0, 0, 65_535),
    maxDecompressedBytes: readInteger(
      env,
      'MAX_DECOMPRESSED_BYTES',
      8 * 1024 * 1024,
      1024,
      64 * 1024 * 1024
    ),
  });
}

export type { Config };
export { ConfigError, LAMBDA_RESPONSE_LIMIT, loadConfig };
