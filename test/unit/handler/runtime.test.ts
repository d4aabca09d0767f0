// The cold-start compilation of settings the core validates itself: every
// failure must surface as a ConfigError naming the setting.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
} from '../../../functions/flow-log-processor/config.ts';
import { buildRuntime } from '../../../functions/flow-log-processor/runtime.ts';

async function settingOf(env: Record<string, string>): Promise<string> {
  try {
    await buildRuntime(loadConfig(env));
  } catch (error) {
    if (error instanceof ConfigError)
      return `${error.setting}|${error.message}`;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('buildRuntime', () => {
  it.each([
    [{ OUTPUT_FORMAT: 'xml' }, 'OUTPUT_FORMAT'],
    [{ FILTER: 'vpc_id = vpc-1' }, 'FILTER'],
    [{ FILTER: 'action =' }, 'FILTER'],
    [{ ENRICH: 'geoip' }, 'ENRICH'],
    [{ ENRICH: 'tcp_flags' }, 'ENRICH'],
    [{ INTERNAL_CIDRS: '10.0.0.0/33', ENRICH: 'direction' }, 'INTERNAL_CIDRS'],
    [{ PARTITION_KEYS: 'vpc_id' }, 'PARTITION_KEYS'],
  ])('fails at cold start for %j, naming %s', async (env, setting) => {
    const result = await settingOf(env);
    expect(result.split('|')[0]).toBe(setting);
    expect(result.split('|')[1]!.startsWith(`${setting}: `)).toBe(true);
  });

  it('builds a working pipeline from valid settings', async () => {
    // Prepare
    const runtime = await buildRuntime(
      loadConfig({
        FILTER: 'action = REJECT',
        ENRICH: 'protocol',
        OUTPUT_FORMAT: 'json',
        PARTITION_KEYS: 'account_id',
      })
    );
    const line =
      '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
    // Act
    const { status, key } = runtime.transformer.transform(Buffer.from(line));
    // Assess
    expect(status).toBe('Ok');
    const output = JSON.parse(runtime.transformer.output.toBuffer().toString());
    expect(output.protocol_name).toBe('TCP');
    expect(key).toBeDefined();
    expect(runtime.eniDirectory).toBeUndefined();
  });
});
