// The ip-ranges sources of ENRICH=aws_service: S3 (IP_RANGES_S3_URI), HTTPS
// or a local HTTP stand-in (IP_RANGES_URL), a file; each read capped in size
// and stopped at its deadline; the provider's load, refresh and backoff.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import {
  AWS_IP_RANGES_URL,
  FIRST_BACKOFF_MS,
  IpRangesProvider,
  LOAD_TIMEOUT_MS,
  loadIpRanges,
  locationOf,
  MAX_IP_RANGES_BYTES,
  parseS3Uri,
} from '../../shared/aws/ip-ranges-source.ts';
import { EnrichError } from '../../shared/enrich/errors.ts';
import { parseIpRanges } from '../../shared/enrich/ip-ranges.ts';
import { DependencyFailures } from '../../shared/observability/dependency-failures.ts';
import { logger } from '../../shared/observability/logger.ts';

const s3 = mockClient(S3Client);
const client = () => new S3Client({ region: 'us-east-1' });
const FAR = Number.MAX_SAFE_INTEGER;

const DOCUMENT = JSON.stringify({
  syncToken: '1611783258',
  createDate: '2021-01-27-21-34-18',
  prefixes: [
    {
      ip_prefix: '52.20.0.0/14',
      region: 'us-east-1',
      service: 'EC2',
      network_border_group: 'us-east-1',
    },
  ],
  ipv6_prefixes: [],
});

/** An SDK-like streaming body: the async-iterable Readable Node gets. */
function body(text: string | Buffer): GetObjectCommandOutput['Body'] {
  return Readable.from([Buffer.from(text)]) as GetObjectCommandOutput['Body'];
}

const S3_LOCATION = { kind: 's3', bucket: 'b', key: 'k.json' } as const;

describe('locationOf', () => {
  it("defaults to AWS's published URL", () => {
    expect(locationOf(undefined, undefined)).toEqual({
      kind: 'url',
      url: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
    });
    expect(AWS_IP_RANGES_URL).toBe(
      'https://ip-ranges.amazonaws.com/ip-ranges.json'
    );
  });

  it('takes IP_RANGES_S3_URI as the override, and file: URLs as files', () => {
    expect(locationOf('s3://config/aws/ip-ranges.json', undefined)).toEqual({
      kind: 's3',
      bucket: 'config',
      key: 'aws/ip-ranges.json',
    });
    expect(locationOf(undefined, 'file:///tmp/ip-ranges.json')).toEqual({
      kind: 'file',
      path: '/tmp/ip-ranges.json',
    });
  });

  it('refuses anything but s3://bucket/key for IP_RANGES_S3_URI', () => {
    const act = () => parseS3Uri('https://bucket.s3.amazonaws.com/key');
    expect(act).toThrow(EnrichError);
    expect(act).toThrow('expected s3://bucket/key');
  });
});

describe('loadIpRanges from S3', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('reads the object named by IP_RANGES_S3_URI', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolves({ Body: body(DOCUMENT) });
    // Act
    const table = await loadIpRanges(
      locationOf('s3://config-bucket/aws/ip-ranges.json', undefined),
      { s3: client, deadline: FAR }
    );
    // Assess
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: 'config-bucket',
      Key: 'aws/ip-ranges.json',
    });
    expect(table.createDate).toBe('2021-01-27-21-34-18');
    expect(table.source).toBe('s3://config-bucket/aws/ip-ranges.json');
    expect(table.lookup4(0x34_14_00_01)?.service).toBe('EC2');
  });

  it('refuses an object whose declared size is over the cap, before reading it', async () => {
    // Prepare
    const read = vi.fn();
    s3.on(GetObjectCommand).resolves({
      ContentLength: MAX_IP_RANGES_BYTES + 1,
      Body: { [Symbol.asyncIterator]: read } as never,
    });
    // Act
    const act = loadIpRanges(S3_LOCATION, { s3: client, deadline: FAR });
    // Assess
    await expect(act).rejects.toThrow(
      `s3://b/k.json: ${MAX_IP_RANGES_BYTES + 1} bytes is over the 8388608-byte cap of an ip-ranges document`
    );
    expect(read).not.toHaveBeenCalled();
  });

  it('stops reading a body that grows past the cap', async () => {
    // Prepare: 9 chunks of 1 MiB, no declared length
    let served = 0;
    const chunks = (function* () {
      for (; served < 9; served++) yield Buffer.alloc(1024 * 1024, 0x20);
    })();
    s3.on(GetObjectCommand).resolves({ Body: Readable.from(chunks) as never });
    // Act
    const act = loadIpRanges(S3_LOCATION, { s3: client, deadline: FAR });
    // Assess
    await expect(act).rejects.toThrow('is over the 8388608-byte cap');
    expect(served).toBeLessThanOrEqual(9);
  });

  it('names the source when the object is not JSON', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('<html>') });
    await expect(
      loadIpRanges(S3_LOCATION, { s3: client, deadline: FAR })
    ).rejects.toThrow('s3://b/k.json: is not JSON');
  });

  it('passes the SDK error through (AccessDenied)', async () => {
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
    });
    s3.on(GetObjectCommand).rejects(denied);
    await expect(
      loadIpRanges(S3_LOCATION, { s3: client, deadline: FAR })
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  describe('with a GetObject that never answers', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('stops at the deadline and aborts the call', async () => {
      // Prepare
      s3.on(GetObjectCommand).callsFake(() => new Promise(() => {}));
      const send = vi.spyOn(S3Client.prototype, 'send');
      const act = loadIpRanges(S3_LOCATION, {
        s3: client,
        deadline: Date.now() + LOAD_TIMEOUT_MS,
      });
      const settled = expect(act).rejects.toMatchObject({
        name: 'TimeoutError',
        message:
          'ip-ranges s3://b/k.json did not answer within 5000 ms (the invocation deadline)',
      });
      // Act
      await vi.advanceTimersByTimeAsync(LOAD_TIMEOUT_MS);
      // Assess
      await settled;
      const signal = (
        send.mock.calls[0]?.[1] as { abortSignal?: AbortSignal } | undefined
      )?.abortSignal;
      expect(signal?.aborted).toBe(true);
      send.mockRestore();
    });
  });
});

describe('loadIpRanges over HTTP and from a file', () => {
  let server: Server;
  let base: string;
  let answer: (res: import('node:http').ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve)
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads the document a local stand-in serves', async () => {
    answer = (res) => res.end(DOCUMENT);
    const table = await loadIpRanges(
      locationOf(undefined, `${base}/ip-ranges.json`),
      {
        deadline: FAR,
      }
    );
    expect(table.source).toBe(`${base}/ip-ranges.json`);
    expect(table.syncToken).toBe('1611783258');
  });

  it('fails with the HTTP status as the error name', async () => {
    answer = (res) => {
      res.statusCode = 503;
      res.end('busy');
    };
    await expect(
      loadIpRanges(locationOf(undefined, `${base}/x`), { deadline: FAR })
    ).rejects.toMatchObject({
      name: 'HTTP503',
      message: `GET ${base}/x answered HTTP 503 Service Unavailable`,
    });
  });

  it('refuses a chunked body that grows past the cap', async () => {
    answer = (res) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const more = () => {
        while (sent < 12) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('error', () => {});
      more();
    };
    await expect(
      loadIpRanges(locationOf(undefined, `${base}/big`), { deadline: FAR })
    ).rejects.toThrow('is over the 8388608-byte cap');
  });

  it('reads a file: URL (the bundled sample, for tests and offline runs)', async () => {
    const url = pathToFileURL(
      'shared/enrich/data/ip-ranges.sample.json'
    ).toString();
    const table = await loadIpRanges(locationOf(undefined, url), {
      deadline: FAR,
    });
    expect(table.createDate).toBe('2021-01-27-21-34-18');
    expect(table.prefixCount).toBe(16);
  });
});

describe('IpRangesProvider', () => {
  const good = parseIpRanges(JSON.parse(DOCUMENT), 'stand-in');
  const newer = parseIpRanges(
    {
      ...JSON.parse(DOCUMENT),
      createDate: '2026-11-24-00-00-00',
      syncToken: '2',
    },
    'stand-in'
  );
  let errors: unknown[][];

  beforeEach(() => {
    errors = [];
    vi.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args);
    });
    vi.spyOn(logger, 'info').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function provider(load: () => Promise<typeof good>, now: () => number) {
    const failures = new DependencyFailures({ now });
    const p = new IpRangesProvider({
      location: locationOf(undefined, undefined),
      ttlMs: 43_200_000,
      now,
      failures,
      load,
    });
    return { p, failures };
  }

  it('keeps records flowing when the first load fails: empty table, logged once, counted, retried after backoff', async () => {
    // Prepare
    let now = 0;
    const timeout = Object.assign(new Error('connect ETIMEDOUT'), {
      name: 'TimeoutError',
    });
    const load = vi.fn().mockRejectedValue(timeout);
    const { p, failures } = provider(load, () => now);
    // Act
    await p.refreshIfDue(FAR);
    now = FIRST_BACKOFF_MS - 1;
    await p.refreshIfDue(FAR);
    // Assess
    expect(p.available).toBe(false);
    expect(p.table.lookup4(0x34_14_00_01)).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(1);
    expect(failures.take()).toEqual({ IpRangesUrl: 1 });
    expect(errors).toEqual([
      [
        'AWS dependency failed',
        {
          dependency: 'IpRangesUrl',
          operation: 'GET https://ip-ranges.amazonaws.com/ip-ranges.json',
          errorName: 'TimeoutError',
          errorMessage: 'connect ETIMEDOUT',
          consequence:
            'lines go out without <field>_aws_service keys; next attempt in 60 s',
          repeats: 0,
        },
      ],
    ]);
    // Act: the backoff is over and the endpoint answers
    load.mockResolvedValue(good);
    now = FIRST_BACKOFF_MS;
    await p.refreshIfDue(FAR);
    // Assess
    expect(p.available).toBe(true);
    expect(p.table.lookup4(0x34_14_00_01)?.service).toBe('EC2');
  });

  it('refreshes after the TTL in the same table object, and keeps the old ranges when a refresh fails', async () => {
    // Prepare
    let now = 0;
    const load = vi.fn().mockResolvedValueOnce(good);
    const { p } = provider(load, () => now);
    await p.refreshIfDue(FAR);
    const table = p.table;
    // Act: before the TTL nothing is loaded; after it, a failure then a success
    now = 43_200_000 - 1;
    await p.refreshIfDue(FAR);
    now = 43_200_000;
    load.mockRejectedValueOnce(new Error('socket hang up'));
    await p.refreshIfDue(FAR);
    const afterFailure = table.createDate;
    now += FIRST_BACKOFF_MS;
    load.mockResolvedValueOnce(newer);
    await p.refreshIfDue(FAR);
    // Assess
    expect(load).toHaveBeenCalledTimes(3);
    expect(afterFailure).toBe('2021-01-27-21-34-18');
    expect(p.table).toBe(table);
    expect(table.createDate).toBe('2026-11-24-00-00-00');
    expect(errors[0]?.[1]).toMatchObject({
      consequence:
        'kept the ranges of 2021-01-27-21-34-18; next attempt in 60 s',
    });
  });

  it('logs the source, createDate and prefix count at load', async () => {
    // Prepare
    const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
    const { p } = provider(
      async () => good,
      () => 0
    );
    // Act
    await p.refreshIfDue(FAR);
    // Assess
    expect(info).toHaveBeenCalledWith('ip-ranges loaded for aws_service', {
      source: 'stand-in',
      createDate: '2021-01-27-21-34-18',
      syncToken: '1611783258',
      prefixes: 1,
      refreshInSeconds: 43_200,
    });
  });
});
