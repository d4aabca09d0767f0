import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
} from '../../../functions/flow-log-processor/config.ts';
import {
  SETTING_NAMES,
  SETTINGS,
  type Setting,
} from '../../../functions/flow-log-processor/settings.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    // Act
    const config = loadConfig({});
    // Assess
    expect(config.format.text).toBe(VPC_DEFAULT_FORMAT);
    expect(config).toMatchObject({
      outputFormat: 'json',
      filter: '',
      enrich: [],
      partitionKeys: [],
      responseBudgetBytes: 6_000_000,
      reingest: true,
      logLevel: 'INFO',
      serviceName: 'flow-log-processor',
      metricsNamespace: 'FlowLogTransform',
      maxDecompressedBytes: 4_194_304,
      eniCacheTtlSeconds: 900,
      eniCacheMaxEntries: 10_000,
      communityIdSeed: 0,
      ipRangesS3Uri: undefined,
      ipRangesUrl: undefined,
      ipRangesTtlSeconds: 43_200,
    });
    expect(config.internalCidrs).toContain('10.0.0.0/8');
  });

  it('trims values and treats blank ones as unset', () => {
    const config = loadConfig({
      OUTPUT_FORMAT: '  OCSF ',
      FILTER: '   ',
      ENRICH: ' protocol , time ',
      RESPONSE_BUDGET_BYTES: ' 5000000 ',
    });
    expect(config.outputFormat).toBe('ocsf');
    expect(config.filter).toBe('');
    expect(config.enrich).toEqual(['protocol', 'time']);
    expect(config.responseBudgetBytes).toBe(5_000_000);
  });

  it.each([
    [
      'REINGEST',
      'maybe',
      'CONFIG_NOT_ALLOWED',
      "REINGEST: 'maybe' is not allowed; expected true or false",
    ],
    [
      'RESPONSE_BUDGET_BYTES',
      '6291456',
      'CONFIG_OUT_OF_RANGE',
      "RESPONSE_BUDGET_BYTES: '6291456' is not allowed; expected a whole number from 1000000 to 6000000 — 6,000,000 leaves headroom under Lambda's 6,291,456-byte response limit; below 1,000,000 the answers of one full processor buffer do not fit and re-ingestion loops",
    ],
    [
      'RESPONSE_BUDGET_BYTES',
      '5e6',
      'CONFIG_NOT_INTEGER',
      "RESPONSE_BUDGET_BYTES: '5e6' is not allowed; expected a whole number from 1000000 to 6000000 — 6,000,000 leaves headroom under Lambda's 6,291,456-byte response limit; below 1,000,000 the answers of one full processor buffer do not fit and re-ingestion loops",
    ],
    [
      'MAX_DECOMPRESSED_BYTES',
      '-1',
      'CONFIG_NOT_INTEGER',
      "MAX_DECOMPRESSED_BYTES: '-1' is not allowed; expected a whole number from 1024 to 8388608 — bounds the CPU one record can cost: at 4 MiB the most hostile gzip record measured costs under 50 ms of CPU, at 8 MiB about twice that (docs/limits.md)",
    ],
    [
      'ENI_CACHE_TTL_SECONDS',
      'abc',
      'CONFIG_NOT_INTEGER',
      "ENI_CACHE_TTL_SECONDS: 'abc' is not allowed; expected a whole number from 0 to 86400 — an ENI is re-described at least daily, so moved or re-tagged interfaces show within a day",
    ],
    [
      'IP_RANGES_S3_URI',
      'https://example.com/ip-ranges.json',
      'CONFIG_PATTERN',
      "IP_RANGES_S3_URI: 'https://example.com/ip-ranges.json' is not allowed; expected s3://bucket/key with a bucket name as S3 allows and no * or blank in the key — the stack grants s3:GetObject on exactly this object, so a * in the key would grant a whole bucket",
    ],
    [
      'ENRICH',
      'protocol,,time',
      'CONFIG_EMPTY_ITEM',
      "ENRICH: 'protocol,,time' has an empty item at position 2; expected a comma-separated list of protocol, tcp_flags, traffic_path, time, ip, direction, community_id, aws_service, eni (any case) — the enrichers the function has; in the stack, eni is switched by EnableEniEnrichment so that the permission it needs follows it",
    ],
  ])(
    'refuses %s=%s naming the setting, value and what is allowed',
    (name, value, code, message) => {
      // Act
      const error = errorOf({ [name]: value });

      // Assess
      expect(error).toMatchObject({ code, setting: name, value });
      expect(error.message).toBe(message);
    }
  );

  // Issue #9 item 8: settings that broke the guarantees are refused.
  it.each([
    // Below 1 MB a full processor buffer's answers overflow: re-ingestion loops.
    ['RESPONSE_BUDGET_BYTES', '100000', 'CONFIG_OUT_OF_RANGE'],
    ['RESPONSE_BUDGET_BYTES', '999999', 'CONFIG_OUT_OF_RANGE'],
    // Lambda's limit itself leaves no headroom.
    ['RESPONSE_BUDGET_BYTES', '6000001', 'CONFIG_OUT_OF_RANGE'],
    // 64 MiB of one record cost 44 s and 2.8 GB.
    ['MAX_DECOMPRESSED_BYTES', '67108864', 'CONFIG_OUT_OF_RANGE'],
    ['MAX_DECOMPRESSED_BYTES', '16777217', 'CONFIG_OUT_OF_RANGE'],
    // 1,000,000 ENIs at 2-23 KB each need gigabytes.
    ['ENI_CACHE_MAX_ENTRIES', '1000000', 'CONFIG_OUT_OF_RANGE'],
    ['ENI_CACHE_MAX_ENTRIES', '20001', 'CONFIG_OUT_OF_RANGE'],
    ['ENI_CACHE_MAX_ENTRIES', '0', 'CONFIG_OUT_OF_RANGE'],
    ['PARTITION_KEYS', 'account-id,account_id', 'CONFIG_REPEATED_ITEM'],
    ['PARTITION_KEYS', 'year,year', 'CONFIG_REPEATED_ITEM'],
    ['POWERTOOLS_LOG_LEVEL', 'LOUD', 'CONFIG_NOT_ALLOWED'],
    // A * in the key would become s3:GetObject on the whole bucket.
    ['IP_RANGES_S3_URI', 's3://bucket/*', 'CONFIG_PATTERN'],
    ['IP_RANGES_S3_URI', 's3://bucket/ranges/*.json', 'CONFIG_PATTERN'],
    ['COMMUNITY_ID_SEED', '65536', 'CONFIG_OUT_OF_RANGE'],
    ['OUTPUT_FORMAT', 'xml', 'CONFIG_NOT_ALLOWED'],
    ['ENRICH', 'protocol,geo', 'CONFIG_NOT_ALLOWED'],
    ['ENRICH', 'protocol,PROTOCOL', 'CONFIG_REPEATED_ITEM'],
    ['FILTER', `dstport = ${'1'.repeat(4090)}`, 'CONFIG_TOO_LONG'],
    // Plain HTTP only to this machine (a local stand-in of the endpoint).
    ['IP_RANGES_URL', 'http://example.com/ip-ranges.json', 'CONFIG_PATTERN'],
    ['IP_RANGES_URL', 'ip-ranges.json', 'CONFIG_PATTERN'],
    ['IP_RANGES_URL', 'http://127.0.0.1.example.com/x', 'CONFIG_PATTERN'],
    ['IP_RANGES_TTL_SECONDS', '60', 'CONFIG_OUT_OF_RANGE'],
    ['IP_RANGES_TTL_SECONDS', '604801', 'CONFIG_OUT_OF_RANGE'],
  ])('refuses %s=%s (%s)', (name, value, code) => {
    // Act
    const error = errorOf({ [name]: value });

    // Assess
    expect(error.code).toBe(code);
    expect(error.setting).toBe(name);
  });

  it('refuses IP_RANGES_URL together with IP_RANGES_S3_URI', () => {
    const error = errorOf({
      IP_RANGES_URL: 'https://mirror.example.com/ip-ranges.json',
      IP_RANGES_S3_URI: 's3://bucket/ip-ranges.json',
    });
    expect(error).toMatchObject({
      code: 'CONFIG_NOT_ALLOWED',
      setting: 'IP_RANGES_URL',
    });
    expect(error.message).toContain(
      "IP_RANGES_URL: 'https://mirror.example.com/ip-ranges.json' is set together with IP_RANGES_S3_URI; expected IP_RANGES_URL or IP_RANGES_S3_URI, not both"
    );
  });

  it('accepts https, loopback http and file: URLs for IP_RANGES_URL', () => {
    for (const url of [
      'https://ip-ranges.amazonaws.com/ip-ranges.json',
      'http://127.0.0.1:8080/ip-ranges.json',
      'http://localhost/ip-ranges.json',
      'http://[::1]:9000/',
      'file:///opt/ip-ranges.json',
    ]) {
      expect(loadConfig({ IP_RANGES_URL: url }).ipRangesUrl).toBe(url);
    }
  });

  it('names both spellings of a key listed twice in PARTITION_KEYS', () => {
    // Act
    const error = errorOf({ PARTITION_KEYS: 'account-id,account_id' });

    // Assess
    expect(error.message).toBe(
      "PARTITION_KEYS: 'account-id,account_id' names one item twice: 'account-id' at position 1 and 'account_id' at position 2; expected a comma-separated list, each named once — each key is one S3 prefix segment; two names of the same field (account-id, account_id) would repeat it"
    );
  });

  it('refuses POWERTOOLS_LOG_LEVEL=LOUD with the levels Powertools has', () => {
    // Act
    const error = errorOf({ POWERTOOLS_LOG_LEVEL: 'LOUD' });

    // Assess
    expect(error.allowed).toBe(
      'one of TRACE, DEBUG, INFO, WARN, ERROR, SILENT, CRITICAL (any case)'
    );
  });

  it.each([
    ['RESPONSE_BUDGET_BYTES', '1000000', 1_000_000],
    ['RESPONSE_BUDGET_BYTES', '6000000', 6_000_000],
    ['MAX_DECOMPRESSED_BYTES', '8388608', 8_388_608],
    ['ENI_CACHE_MAX_ENTRIES', '20000', 20_000],
    ['COMMUNITY_ID_SEED', '65535', 65_535],
  ])('accepts %s=%s at the edge of its range', (name, value, expected) => {
    // Act
    const config = loadConfig({ [name]: value });

    // Assess
    expect(Object.values(config)).toContain(expected);
  });

  it.each([
    ['OUTPUT_FORMAT', 'OCSF', 'outputFormat', 'ocsf'],
    ['OUTPUT_FORMAT', 'Ecs', 'outputFormat', 'ecs'],
    ['ENRICH', 'Protocol,TIME', 'enrich', ['protocol', 'time']],
    ['POWERTOOLS_LOG_LEVEL', 'debug', 'logLevel', 'DEBUG'],
  ])('reads names in any case: %s=%s', (name, value, key, expected) => {
    // Act
    const config = loadConfig({ [name]: value });

    // Assess
    expect(config[key as keyof typeof config]).toEqual(expected);
  });

  it('accepts different fields as partition keys, in either spelling', () => {
    // Act
    const config = loadConfig({ PARTITION_KEYS: 'account-id,vpc_id,year' });

    // Assess
    expect(config.partitionKeys).toEqual(['account-id', 'vpc_id', 'year']);
  });

  it("wraps a compile step's message in the same error type", () => {
    // Act
    const error = new ConfigError(
      'FILTER',
      'FILTER: column 8: expected a value'
    );

    // Assess
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      setting: 'FILTER',
      message: 'FILTER: column 8: expected a value',
    });
  });

  it('reports a bad format with the token and its position', () => {
    const error = errorOf({ FLOW_LOG_FORMAT: '${version} ${bytes' });
    expect(error.setting).toBe('FLOW_LOG_FORMAT');
    expect(error.message).toContain('token 2 "${bytes" (column 12)');
  });

  it.each([
    ['true', true],
    ['FALSE', false],
    ['1', true],
    ['no', false],
  ])('reads REINGEST=%s as %s', (value, expected) => {
    expect(loadConfig({ REINGEST: value }).reingest).toBe(expected);
  });
});

describe('the settings table', () => {
  it.each(SETTING_NAMES)(
    'gives %s a reason and a default it accepts',
    (name) => {
      // Prepare
      const setting: Setting = SETTINGS[name];

      // Act
      const text =
        setting.kind === 'list'
          ? setting.default.join(',')
          : String(setting.default ?? '');

      // Assess
      expect(setting.reason.length).toBeGreaterThan(5);
      expect(setting.summary.length).toBeGreaterThan(5);
      expect(() => loadConfig({ [name]: text })).not.toThrow();
    }
  );
});
