import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
} from '../../../functions/flow-log-processor/config.ts';
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
      maxDecompressedBytes: 8_388_608,
      eniCacheTtlSeconds: 900,
      eniCacheMaxEntries: 10_000,
      communityIdSeed: 0,
      ipRangesS3Uri: undefined,
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
      "REINGEST: 'maybe' is not allowed; expected true or false",
    ],
    [
      'RESPONSE_BUDGET_BYTES',
      '7000000',
      "RESPONSE_BUDGET_BYTES: '7000000' is not allowed; expected a whole number from 100000 to 6291456",
    ],
    [
      'RESPONSE_BUDGET_BYTES',
      '5e6',
      "RESPONSE_BUDGET_BYTES: '5e6' is not allowed; expected a whole number from 100000 to 6291456",
    ],
    [
      'MAX_DECOMPRESSED_BYTES',
      '-1',
      "MAX_DECOMPRESSED_BYTES: '-1' is not allowed; expected a whole number from 1024 to 67108864",
    ],
    [
      'ENI_CACHE_TTL_SECONDS',
      'abc',
      "ENI_CACHE_TTL_SECONDS: 'abc' is not allowed; expected a whole number from 0 to 86400",
    ],
    [
      'IP_RANGES_S3_URI',
      'https://example.com/ip-ranges.json',
      "IP_RANGES_S3_URI: 'https://example.com/ip-ranges.json' is not allowed; expected s3://bucket/key",
    ],
    [
      'ENRICH',
      'protocol,,time',
      "ENRICH: 'protocol,,time' has an empty item at position 2; expected a comma-separated list",
    ],
  ])(
    'refuses %s=%s naming the setting, value and what is allowed',
    (name, value, message) => {
      const error = errorOf({ [name]: value });
      expect(error.setting).toBe(name);
      expect(error.message).toBe(message);
    }
  );

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
