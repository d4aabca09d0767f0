/**
 * The function's configuration: environment variables read and validated once,
 * at cold start, through the one table of settings (settings.ts). A bad value
 * throws a ConfigError carrying the setting, the value, what is allowed and
 * why, so the function fails to initialise instead of failing records. The
 * reference is docs/configuration.md, generated from the same table.
 */

import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import {
  type BooleanSetting,
  type ChoiceSetting,
  type IntegerSetting,
  type ListSetting,
  SETTINGS,
  type Setting,
  type SettingName,
  type TextSetting,
} from './settings.ts';

/** Everything the function reads from its environment. */
interface Config {
  readonly format: FlowLogFormat;
  readonly outputFormat: string;
  readonly filter: string;
  readonly enrich: readonly string[];
  readonly internalCidrs: readonly string[];
  readonly ipRangesS3Uri: string | undefined;
  /** IP_RANGES_URL: undefined means AWS's published URL. */
  readonly ipRangesUrl: string | undefined;
  readonly ipRangesTtlSeconds: number;
  readonly eniCacheTtlSeconds: number;
  readonly eniCacheMaxEntries: number;
  readonly partitionKeys: readonly string[];
  readonly responseBudgetBytes: number;
  readonly reingest: boolean;
  readonly maxDecompressedBytes: number;
  readonly communityIdSeed: number;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: string;
}

/**
 * Why a setting was refused:
 * - `CONFIG_NOT_INTEGER`: not a whole number written in digits;
 * - `CONFIG_OUT_OF_RANGE`: a whole number outside [min, max];
 * - `CONFIG_NOT_ALLOWED`: not one of the allowed values, or no boolean;
 * - `CONFIG_EMPTY_ITEM` / `CONFIG_REPEATED_ITEM`: a list item is empty, or
 *   names what an earlier item names;
 * - `CONFIG_TOO_LONG` / `CONFIG_PATTERN`: text longer than allowed, or not of
 *   the allowed shape;
 * - `CONFIG_INVALID`: refused by the part of the function that compiles it
 *   (format, filter, enrichers, partition keys, ip-ranges).
 */
type ConfigErrorCode =
  | 'CONFIG_NOT_INTEGER'
  | 'CONFIG_OUT_OF_RANGE'
  | 'CONFIG_NOT_ALLOWED'
  | 'CONFIG_EMPTY_ITEM'
  | 'CONFIG_REPEATED_ITEM'
  | 'CONFIG_TOO_LONG'
  | 'CONFIG_PATTERN'
  | 'CONFIG_INVALID';

/** What a ConfigError carries besides its message. */
interface ConfigErrorContext {
  readonly code: ConfigErrorCode;
  /** The environment variable. */
  readonly setting: string;
  /** The value as read (trimmed); undefined when not known to the thrower. */
  readonly value: string | undefined;
  /** What is allowed, in words: "a whole number from 0 to 86400". */
  readonly allowed: string;
  /** The problem when it is more than "is not allowed", e.g. "has an empty item at position 2". */
  readonly problem?: string;
  /** Why the limit is what it is. */
  readonly reason?: string;
}

/**
 * A refused setting: one error type for every setting, carrying the code,
 * the setting, the value and what is allowed, so that no caller parses a
 * setting name back out of a message.
 *
 * Message: `SETTING: 'value' <problem>; expected <allowed> — <reason>`.
 *
 * @example
 * new ConfigError({ code: 'CONFIG_OUT_OF_RANGE', setting: 'X', value: '9',
 *   allowed: 'a whole number from 0 to 5' }).message
 * // "X: '9' is not allowed; expected a whole number from 0 to 5"
 */
class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly setting: string;
  readonly value: string | undefined;
  readonly allowed: string;

  /**
   * @param context - code, setting, value, allowed (and problem, reason), or
   *   the setting name of an error a compile step raised
   * @param message - with a setting name: that step's message, kept as the
   *   problem (code `CONFIG_INVALID`)
   */
  constructor(context: ConfigErrorContext | string, message?: string) {
    const ctx: ConfigErrorContext =
      typeof context === 'string'
        ? {
            code: 'CONFIG_INVALID',
            setting: context,
            value: undefined,
            allowed: '',
            problem: message ?? 'is not allowed',
          }
        : context;
    super(messageOf(ctx));
    this.name = 'ConfigError';
    this.code = ctx.code;
    this.setting = ctx.setting;
    this.value = ctx.value;
    this.allowed = ctx.allowed;
  }
}

function messageOf(ctx: ConfigErrorContext): string {
  if (ctx.value === undefined) {
    const problem = ctx.problem ?? 'is not allowed';
    return problem.startsWith(`${ctx.setting}:`)
      ? problem
      : `${ctx.setting}: ${problem}`;
  }
  const reason = ctx.reason === undefined ? '' : ` — ${ctx.reason}`;
  return `${ctx.setting}: '${ctx.value}' ${ctx.problem ?? 'is not allowed'}; expected ${ctx.allowed}${reason}`;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The names of the settings of one kind, so a reader cannot take another's. */
type NameOf<K extends Setting['kind']> = {
  [N in SettingName]: (typeof SETTINGS)[N]['kind'] extends K ? N : never;
}[SettingName];

/** The trimmed value, or undefined when unset or blank. */
function read(env: Env, name: SettingName): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function refuse(
  name: SettingName,
  value: string,
  code: ConfigErrorCode,
  allowed: string,
  problem?: string
): ConfigError {
  const setting: Setting = SETTINGS[name];
  return new ConfigError({
    code,
    setting: name,
    value,
    allowed,
    ...(problem === undefined ? {} : { problem }),
    reason: setting.reason,
  });
}

/** What an integer setting allows, in words. */
function allowedInteger(setting: IntegerSetting): string {
  return `a whole number from ${setting.min} to ${setting.max}`;
}

function readInteger(env: Env, name: NameOf<'integer'>): number {
  const setting = SETTINGS[name] as IntegerSetting;
  const text = read(env, name);
  if (text === undefined) return setting.default;
  const allowed = allowedInteger(setting);
  // Digits only: Number() would also take '5e6', '0x10' and ' 1 '.
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw refuse(name, text, 'CONFIG_NOT_INTEGER', allowed);
  }
  if (value < setting.min || value > setting.max) {
    throw refuse(name, text, 'CONFIG_OUT_OF_RANGE', allowed);
  }
  return value;
}

function readBoolean(env: Env, name: NameOf<'boolean'>): boolean {
  const setting = SETTINGS[name] as BooleanSetting;
  const text = read(env, name);
  if (text === undefined) return setting.default;
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === '1' || lower === 'yes') return true;
  if (lower === 'false' || lower === '0' || lower === 'no') return false;
  throw new ConfigError({
    code: 'CONFIG_NOT_ALLOWED',
    setting: name,
    value: text,
    allowed: 'true or false',
  });
}

/** The allowed value `text` names in any case, or undefined. */
function canonical(
  values: readonly string[],
  text: string
): string | undefined {
  const lower = text.toLowerCase();
  return values.find((value) => value.toLowerCase() === lower);
}

function readChoice(env: Env, name: NameOf<'choice'>): string {
  const setting = SETTINGS[name] as ChoiceSetting;
  const text = read(env, name);
  if (text === undefined) return setting.default;
  const value = canonical(setting.values, text);
  if (value === undefined) {
    throw refuse(
      name,
      text,
      'CONFIG_NOT_ALLOWED',
      `one of ${setting.values.join(', ')} (any case)`
    );
  }
  return value;
}

/** A comma-separated list: trimmed; empty and repeated items refused. */
function readList(env: Env, name: NameOf<'list'>): readonly string[] {
  const setting = SETTINGS[name] as ListSetting;
  const text = read(env, name);
  if (text === undefined) return setting.default;
  const allowed =
    setting.values === undefined
      ? 'a comma-separated list'
      : `a comma-separated list of ${setting.values.join(', ')} (any case)`;
  const items = text.split(',').map((item) => item.trim());
  const seen = new Map<string, { item: string; position: number }>();
  return items.map((item, i) => {
    const position = i + 1;
    if (item === '') {
      throw refuse(
        name,
        text,
        'CONFIG_EMPTY_ITEM',
        allowed,
        `has an empty item at position ${position}`
      );
    }
    const value = checkItem(setting, name, text, item, position, allowed);
    const identity = setting.identity?.(value) ?? value;
    const first = seen.get(identity);
    if (first !== undefined) {
      throw refuse(
        name,
        text,
        'CONFIG_REPEATED_ITEM',
        `${allowed}, each named once`,
        `names one item twice: '${first.item}' at position ${first.position} and '${item}' at position ${position}`
      );
    }
    seen.set(identity, { item, position });
    return value;
  });
}

/** The item as allowed (canonical case), or a refusal naming it. */
function checkItem(
  setting: ListSetting,
  name: NameOf<'list'>,
  text: string,
  item: string,
  position: number,
  allowed: string
): string {
  if (setting.values === undefined) return item;
  const value = canonical(setting.values, item);
  if (value !== undefined) return value;
  throw refuse(
    name,
    text,
    'CONFIG_NOT_ALLOWED',
    allowed,
    `has unknown item '${item}' at position ${position}`
  );
}

function readText(env: Env, name: NameOf<'text'>): string | undefined {
  const setting = SETTINGS[name] as TextSetting;
  const text = read(env, name);
  if (text === undefined) return setting.default;
  if (text.length > setting.maxLength) {
    throw refuse(
      name,
      `${text.slice(0, 40)}…`,
      'CONFIG_TOO_LONG',
      `at most ${setting.maxLength} characters`,
      `has ${text.length} characters`
    );
  }
  if (
    setting.pattern !== undefined &&
    !new RegExp(setting.pattern).test(text)
  ) {
    throw refuse(
      name,
      text,
      'CONFIG_PATTERN',
      setting.patternMeaning ?? `text matching ${setting.pattern}`
    );
  }
  return text;
}

function readFormat(env: Env): FlowLogFormat {
  const text = readText(env, 'FLOW_LOG_FORMAT') ?? '';
  try {
    return parseFormat(text, 'FLOW_LOG_FORMAT');
  } catch (error) {
    throw new ConfigError('FLOW_LOG_FORMAT', (error as Error).message);
  }
}

/**
 * IP_RANGES_URL (its shape checked by the table), refused together with
 * IP_RANGES_S3_URI: one source of ip-ranges at a time.
 */
function readIpRangesUrl(env: Env): string | undefined {
  const url = readText(env, 'IP_RANGES_URL');
  if (url !== undefined && read(env, 'IP_RANGES_S3_URI') !== undefined) {
    throw refuse(
      'IP_RANGES_URL',
      url,
      'CONFIG_NOT_ALLOWED',
      'IP_RANGES_URL or IP_RANGES_S3_URI, not both (IP_RANGES_S3_URI for a function without internet access)',
      'is set together with IP_RANGES_S3_URI'
    );
  }
  return url;
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
    outputFormat: readChoice(env, 'OUTPUT_FORMAT'),
    filter: readText(env, 'FILTER') ?? '',
    enrich: readList(env, 'ENRICH'),
    internalCidrs: readList(env, 'INTERNAL_CIDRS'),
    communityIdSeed: readInteger(env, 'COMMUNITY_ID_SEED'),
    ipRangesS3Uri: readText(env, 'IP_RANGES_S3_URI'),
    ipRangesUrl: readIpRangesUrl(env),
    ipRangesTtlSeconds: readInteger(env, 'IP_RANGES_TTL_SECONDS'),
    eniCacheTtlSeconds: readInteger(env, 'ENI_CACHE_TTL_SECONDS'),
    eniCacheMaxEntries: readInteger(env, 'ENI_CACHE_MAX_ENTRIES'),
    partitionKeys: readList(env, 'PARTITION_KEYS'),
    responseBudgetBytes: readInteger(env, 'RESPONSE_BUDGET_BYTES'),
    reingest: readBoolean(env, 'REINGEST'),
    maxDecompressedBytes: readInteger(env, 'MAX_DECOMPRESSED_BYTES'),
    serviceName: readText(env, 'POWERTOOLS_SERVICE_NAME') ?? '',
    metricsNamespace: readText(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? '',
    logLevel: readChoice(env, 'POWERTOOLS_LOG_LEVEL'),
  });
}

export type { Config, ConfigErrorCode, ConfigErrorContext };
export { ConfigError, loadConfig };
