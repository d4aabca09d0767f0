// Issue #9 items 4, 6 and 7 for ENRICH=eni: the prefetch stops at the
// invocation deadline (EC2 that never answers; many slow pages), the cache is
// bounded by entries and bytes with every line it cannot enrich counted, and
// tags named __proto__ or constructor are kept exactly. Hangs use
// never-resolving mocks and fake timers: nothing here waits on the clock.
import {
  DescribeNetworkInterfacesCommand,
  EC2Client,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../functions/flow-log-processor/config.ts';
import {
  buildRuntime,
  prefetchEnrichment,
} from '../../functions/flow-log-processor/runtime.ts';
import { EniDirectory } from '../../shared/aws/eni-directory.ts';
import {
  EniMetadataCache,
  entryBytes,
  MAX_TAG_CHARS,
} from '../../shared/enrich/eni.ts';
import { transformBatch } from '../../shared/firehose/batch.ts';
import { DependencyFailures } from '../../shared/observability/dependency-failures.ts';
import { logger } from '../../shared/observability/logger.ts';
import { firehoseEvent } from '../helpers/render.ts';

const ec2 = mockClient(EC2Client);
const client = () => new EC2Client({ region: 'us-east-1' });

const eniId = (i: number) => `eni-${i.toString(16).padStart(17, '0')}`;
const line = (id: string) =>
  `2 123456789010 ${id} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`;

function described(id: string, tags: NetworkInterface['TagSet'] = []) {
  return {
    NetworkInterfaceId: id,
    SubnetId: 'subnet-aaaaaaaa012345678',
    VpcId: 'vpc-abcdefab012345678',
    TagSet: tags,
  };
}

beforeEach(() => {
  ec2.reset();
  vi.spyOn(logger, 'error').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('ENI prefetch and the invocation deadline', () => {
  it('returns at the deadline when EC2 accepts and never answers, leaving the ids un-enriched and counted', async () => {
    // Prepare
    vi.useFakeTimers();
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .callsFake(() => new Promise(() => {}));
    const failures = new DependencyFailures();
    const directory = new EniDirectory({ client: client(), failures });
    const ids = new Set([eniId(1), eniId(2)]);
    // Act
    const pending = directory.prefetch(ids, Date.now() + 10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    const result = await pending;
    // Assess
    expect(result).toMatchObject({
      failed: 2,
      error:
        'TimeoutError: EC2 DescribeNetworkInterfaces did not answer within 10000 ms (the invocation deadline)',
    });
    expect(failures.take()).toEqual({ EC2: 1 });
    expect(directory.lookup(eniId(1))).toBeUndefined();
    expect(directory.cache.takeCounts().degraded).toBe(1);
  });

  it('asks no more pages once the deadline has passed: 10,000 ENIs at 400 ms a call', async () => {
    // Prepare: each call answers after 400 ms of fake time
    vi.useFakeTimers();
    ec2.on(DescribeNetworkInterfacesCommand).callsFake(
      (input: { Filters: { Values: string[] }[] }) =>
        new Promise((resolve) =>
          setTimeout(
            () =>
              resolve({
                NetworkInterfaces: input.Filters[0]!.Values.map((id) =>
                  described(id)
                ),
              }),
            400
          )
        )
    );
    const directory = new EniDirectory({
      client: client(),
      maxEntries: 20_000,
    });
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => eniId(i)));
    const start = Date.now();
    // Act: a 15 s function; the prefetch may use half of it less the margin
    const pending = directory.prefetch(ids, start + 5_000);
    await vi.advanceTimersByTimeAsync(20_000);
    const result = await pending;
    // Assess: 4 requests at a time, 12 rounds of 400 ms fit in 5 s: 48
    // requests of 200 ids answer; the last 2 of the 50 start at 4.8 s and are
    // cut at the deadline
    expect(result.found).toBe(48 * 200);
    expect(result.failed + result.skipped).toBe(2 * 200);
    expect(result.calls).toBe(50);
  });

  it('has at most 4 requests in flight, each of at most 200 ids', async () => {
    // Prepare: count the requests waiting for an answer
    vi.useFakeTimers();
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .callsFake((input: { Filters: { Values: string[] }[] }) => {
        inFlight++;
        most = Math.max(most, inFlight);
        sizes.push(input.Filters[0]!.Values.length);
        return new Promise((resolve) =>
          setTimeout(() => {
            inFlight--;
            resolve({ NetworkInterfaces: [] });
          }, 100)
        );
      });
    const directory = new EniDirectory({ client: client(), maxEntries: 5_000 });
    const ids = new Set(Array.from({ length: 1_900 }, (_, i) => eniId(i)));
    // Act
    const pending = directory.prefetch(ids, Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const result = await pending;
    // Assess: 10 requests (9 of 200, 1 of 100), 3 rounds of 4
    expect(most).toBe(4);
    expect(sizes).toEqual([...Array(9).fill(200), 100]);
    expect(result).toMatchObject({ calls: 10, notFound: 1_900, failed: 0 });
  });

  it('keeps the handler within its deadline: runtime prefetch with a never-answering EC2', async () => {
    // Prepare
    vi.useFakeTimers();
    vi.stubEnv('AWS_REGION', 'us-east-1');
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .callsFake(() => new Promise(() => {}));
    const runtime = await buildRuntime(loadConfig({ ENRICH: 'eni' }));
    const event = firehoseEvent([
      Buffer.from(line(eniId(7))).toString('base64'),
    ]);
    // Act
    const pending = prefetchEnrichment(runtime, event, Date.now() + 2_500);
    await vi.advanceTimersByTimeAsync(2_500);
    const result = await pending;
    const { response } = transformBatch(event, runtime.transformer);
    // Assess
    expect(result?.failed).toBe(1);
    expect(response.records[0]?.result).toBe('Ok');
    expect(runtime.eniDirectory?.cache.takeCounts().degraded).toBe(1);
    vi.unstubAllEnvs();
  });
});

describe('ENI cache limits', () => {
  it('counts every line it cannot enrich when a batch has more ENIs than the cache holds', async () => {
    // Prepare
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .callsFake((input: { Filters: { Values: string[] }[] }) => ({
        NetworkInterfaces: input.Filters[0]!.Values.map((id) => described(id)),
      }));
    const directory = new EniDirectory({ client: client(), maxEntries: 100 });
    const ids = Array.from({ length: 150 }, (_, i) => eniId(i));
    // Act
    const result = await directory.prefetch(new Set(ids));
    const enriched = ids.filter((id) => directory.lookup(id) !== undefined);
    // Assess
    expect(result).toMatchObject({ found: 100, skipped: 50 });
    expect(enriched).toHaveLength(100);
    expect(directory.cache.takeCounts()).toEqual({ degraded: 50, evicted: 0 });
  });

  it('evicts by estimated bytes, counting evictions, and never holds more than its byte bound', () => {
    // Prepare
    const meta = { securityGroupIds: [], tags: { team: 'x'.repeat(500) } };
    const one = entryBytes(eniId(0), { eni_tags: meta.tags });
    const cache = new EniMetadataCache({
      maxEntries: 1_000,
      maxBytes: one * 10,
    });
    // Act
    for (let i = 0; i < 25; i++) cache.store(eniId(i), meta);
    // Assess
    expect(cache.size).toBe(10);
    expect(cache.bytes).toBeLessThanOrEqual(one * 10);
    expect(cache.takeCounts().evicted).toBe(15);
    expect(cache.lookup(eniId(0))).toBeUndefined();
    expect(cache.lookup(eniId(24))).toBeDefined();
  });

  it('cuts tags at the per-interface cap, in EC2 order', async () => {
    // Prepare: 50 tags of 128 + 256 characters, EC2's own maximum
    const tags = Array.from({ length: 50 }, (_, i) => ({
      Key: `k${i}`.padEnd(128, 'k'),
      Value: 'v'.repeat(256),
    }));
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [described(eniId(1), tags)] });
    const directory = new EniDirectory({ client: client() });
    // Act
    const result = await directory.prefetch(new Set([eniId(1)]));
    // Assess
    const kept = directory.lookup(eniId(1))?.eni_tags as Record<string, string>;
    expect(result.tagsTruncated).toBe(1);
    expect(Object.keys(kept)).toEqual(
      tags.slice(0, Math.floor(MAX_TAG_CHARS / 384)).map((t) => t.Key)
    );
  });
});

describe('ENI tags are kept exactly', () => {
  it('writes tags named __proto__ and constructor as data, without touching a prototype', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'us-east-1');
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        described(eniId(9), [
          { Key: '__proto__', Value: 'polluted?' },
          { Key: 'constructor', Value: 'ctor' },
          { Key: 'toString', Value: 'str' },
          { Key: 'team', Value: 'net' },
        ]),
      ],
    });
    const runtime = await buildRuntime(loadConfig({ ENRICH: 'eni' }));
    const event = firehoseEvent([
      Buffer.from(line(eniId(9))).toString('base64'),
    ]);
    // Act
    await prefetchEnrichment(runtime, event);
    const { response } = transformBatch(event, runtime.transformer);
    // Assess
    const text = Buffer.from(
      response.records[0]!.data ?? '',
      'base64'
    ).toString();
    expect(text).toContain(
      '"eni_tags":{"__proto__":"polluted?","constructor":"ctor","toString":"str","team":"net"}'
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    vi.unstubAllEnvs();
  });
});
