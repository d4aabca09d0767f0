import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBackfillRuntime } from '../../functions/backfill-worker/runtime.ts';
import { loadConfig } from '../../functions/flow-log-processor/config.ts';
import {
  fileDestination,
  listKeys,
  openLocal,
} from '../../scripts/backfill/local.ts';
import {
  type BatchResult,
  batchItems,
  runBatch,
} from '../../shared/backfill/batch.ts';
import { compileLayout } from '../../shared/backfill/compose.ts';
import { LineChunker } from '../../shared/backfill/line-chunks.ts';
import { outputKey, parseSourceKey } from '../../shared/backfill/source-key.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';

/** The file name AWS's "Log file path" page gives as its example. */
const AWS_EXAMPLE_KEY =
  'AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz';

const DIR = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/';
const V2_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
/** AWS's documented v2 examples ("Flow log record examples"). */
const V2_ACCEPT =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const V2_REJECT =
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const V2_NODATA =
  '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA';
/** 2^64 − 1 bytes: the counter must keep every digit. */
const V2_MAX_BYTES =
  '2 210987654321 eni-0f1e2d3c4b5a69788 10.0.0.1 10.0.0.2 443 50000 6 1 18446744073709551615 1418530010 1418530070 ACCEPT OK';
const MALFORMED_SHORT = '2 123456789010 eni-1235b8ca123456789 10.0.0.1';
const MALFORMED_NUMBER =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 twenty 4249 1418530010 1418530070 ACCEPT OK';

/** AWS's NAT-gateway example: a custom format whose fields are all strings. */
const NAT_HEADER =
  'instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr';
const NAT_LINE =
  'i-01234567890123456 eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5';

function gz(lines: string[]): Buffer {
  return gzipSync(`${lines.join('\n')}\n`);
}

async function put(root: string, key: string, body: Buffer): Promise<void> {
  await mkdir(dirname(join(root, key)), { recursive: true });
  await writeFile(join(root, key), body);
}

/** Every file under `root` with its gunzipped text, by relative path. */
async function snapshot(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of (await readdir(root, { recursive: true })).sort()) {
    const bytes = await readFile(join(root, name)).catch(() => undefined);
    if (bytes !== undefined) files.set(name, bytes);
  }
  return files;
}

function ndjson(bytes: Buffer): Record<string, unknown>[] {
  return gunzipSync(bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function backfill(
  src: string,
  out: string,
  env: Record<string, string> = {},
  range: { from?: string; to?: string } = {}
): Promise<BatchResult[]> {
  const config = loadConfig(env);
  const { transformerFor } = await buildBackfillRuntime(config);
  const keys = env.PARTITION_KEYS?.split(',') ?? [];
  const layout = compileLayout({
    dataPrefix:
      keys.length > 0
        ? `flow-logs/${keys.map((k) => `!{partitionKeyFromLambda:${k}}/`).join('')}`
        : 'flow-logs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
    errorPrefix:
      'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
    lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:backfill',
  });
  const results: BatchResult[] = [];
  for (const items of batchItems(await listKeys(src, ''), {
    maxItems: 2,
    maxInputBytes: 262_144,
  })) {
    results.push(
      await runBatch(
        { Items: items, BatchInput: range },
        {
          open: (key) => openLocal(src, key),
          destination: fileDestination(out),
          layout,
          transformerFor,
          fallback: config.format,
        }
      )
    );
  }
  return results;
}

describe('parseSourceKey', () => {
  it("reads AWS's documented flow-log object name", () => {
    // Act
    const source = parseSourceKey(AWS_EXAMPLE_KEY);

    // Assess
    expect(source).toEqual({
      key: AWS_EXAMPLE_KEY,
      account: '123456789012',
      region: 'us-east-1',
      flowLogId: 'fl-1234abcd',
      time: Date.UTC(2018, 5, 20, 16, 20),
    });
  });

  it('refuses keys that are not flow-log objects', () => {
    expect(parseSourceKey('AWSLogs/123456789012/vpcflowlogs/README')).toBe(
      undefined
    );
    expect(parseSourceKey('foo_vpcflowlogs_us-east-1.log.gz')).toBe(undefined);
  });
});

describe('outputKey', () => {
  it('is the same for the same source key and part, and differs otherwise', () => {
    const a = outputKey('p/', AWS_EXAMPLE_KEY, 0, '.gz');
    expect(outputKey('p/', AWS_EXAMPLE_KEY, 0, '.gz')).toBe(a);
    expect(outputKey('p/', AWS_EXAMPLE_KEY, 1, '.gz')).not.toBe(a);
    expect(outputKey('p/', `${AWS_EXAMPLE_KEY}x`, 0, '.gz')).not.toBe(a);
    expect(a).toMatch(/^p\/backfill-[0-9a-f]{16}-0000\.gz$/);
  });
});

describe('batchItems', () => {
  it('cuts at MaxItemsPerBatch and at MaxInputBytesPerBatch, in order', () => {
    // Prepare
    const items = Array.from({ length: 45 }, (_, i) => ({
      Key: `k${i}`,
      Size: 1,
    }));

    // Act
    const byCount = batchItems(items, { maxItems: 20, maxInputBytes: 262_144 });
    const byBytes = batchItems(items, { maxItems: 1000, maxInputBytes: 100 });

    // Assess
    expect(byCount.map((b) => b.length)).toEqual([20, 20, 5]);
    expect(byBytes.flat()).toEqual(items);
    for (const batch of byBytes) {
      expect(
        Buffer.byteLength(JSON.stringify({ Items: batch }))
      ).toBeLessThanOrEqual(100);
    }
  });
});

describe('LineChunker', () => {
  it('gives the same lines whatever the byte boundaries', () => {
    // Prepare
    const text = Buffer.from('a 1\nbb 22\r\n\nccc 333\ndddd', 'latin1');

    // Act / Assess: every split point of the input
    for (let cut = 0; cut <= text.length; cut++) {
      const chunker = new LineChunker(4, 1000);
      const pieces = [
        ...chunker.push(text.subarray(0, cut)),
        ...chunker.push(text.subarray(cut)),
        ...chunker.end(),
      ];
      const joined = Buffer.concat(
        pieces.map((p) => (p.kind === 'lines' ? p.bytes : Buffer.alloc(0)))
      );
      expect(joined.toString('latin1')).toBe(text.toString('latin1'));
    }
  });

  it('hands an over-long line out alone, with its line number, without buffering it whole', () => {
    // Prepare
    const chunker = new LineChunker(1024, 10);

    // Act
    const pieces = [
      ...chunker.push(Buffer.from('ok\n0123456789ABCDEF', 'latin1')),
      ...chunker.push(Buffer.from('GHIJ\nlast\n', 'latin1')),
      ...chunker.end(),
    ];

    // Assess
    expect(pieces).toEqual([
      { kind: 'lines', bytes: Buffer.from('ok\n'), firstLine: 1 },
      { kind: 'too-long', line: 2, bytes: Buffer.from('0123456789') },
      { kind: 'lines', bytes: Buffer.from('last\n'), firstLine: 3 },
    ]);
  });
});

describe('backfill of a folder in the S3 layout', () => {
  let src: string;
  let out: string;

  beforeEach(async () => {
    src = await mkdtemp(join(tmpdir(), 'backfill-src-'));
    out = await mkdtemp(join(tmpdir(), 'backfill-out-'));
    await put(
      src,
      `${DIR}123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d_20261124T0105Z_aa11.log.gz`,
      gz([
        V2_HEADER,
        V2_ACCEPT,
        MALFORMED_SHORT,
        V2_REJECT,
        V2_NODATA,
        MALFORMED_NUMBER,
        V2_MAX_BYTES,
      ])
    );
    await put(
      src,
      `${DIR}123456789012_vpcflowlogs_us-east-1_fl-0e0e0e0e_20261124T0210Z_bb22.log.gz`,
      gz([NAT_HEADER, NAT_LINE])
    );
    await put(src, `${DIR}notes.txt`, Buffer.from('not a flow log\n'));
  });

  afterEach(async () => {
    await rm(src, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  });

  it('writes every good line once under the hour of its file, malformed lines to the error prefix', async () => {
    // Act
    const results = await backfill(src, out);

    // Assess
    const files = await snapshot(out);
    const data = [...files.keys()].filter((k) => k.startsWith('flow-logs/'));
    expect(data).toEqual([
      expect.stringMatching(
        /^flow-logs\/year=2026\/month=11\/day=24\/hour=01\/backfill-[0-9a-f]{16}-0000\.gz$/
      ),
      expect.stringMatching(
        /^flow-logs\/year=2026\/month=11\/day=24\/hour=02\/backfill-[0-9a-f]{16}-0000\.gz$/
      ),
    ]);
    const v2 = ndjson(files.get(data[0]!)!);
    // Values from AWS's field table: account ids are strings, bytes exact.
    expect(v2.map((r) => r.srcaddr ?? null)).toEqual([
      '172.31.16.139',
      '172.31.9.69',
      null,
      '10.0.0.1',
    ]);
    expect(v2[0]).toMatchObject({
      version: 2,
      account_id: '123456789010',
      dstport: 22,
      bytes: 4249,
      action: 'ACCEPT',
      log_status: 'OK',
    });
    expect(v2[2]).toEqual({
      version: 2,
      account_id: '123456789010',
      interface_id: 'eni-1235b8ca123456789',
      start: 1431280876,
      end: 1431280934,
      log_status: 'NODATA',
    });
    expect(
      gunzipSync(files.get(data[0]!)!)
        .toString()
        .includes('"bytes":18446744073709551615')
    ).toBe(true);
    expect(ndjson(files.get(data[1]!)!)).toEqual([
      {
        instance_id: 'i-01234567890123456',
        interface_id: 'eni-1235b8ca123456789',
        srcaddr: '10.0.1.5',
        dstaddr: '10.0.0.220',
        pkt_srcaddr: '10.0.1.5',
        pkt_dstaddr: '203.0.113.5',
      },
    ]);

    const errorKeys = [...files.keys()].filter((k) => k.startsWith('errors/'));
    expect(errorKeys).toEqual([
      expect.stringMatching(
        /^errors\/processing-failed\/year=2026\/month=11\/day=24\/backfill-[0-9a-f]{16}-0000\.gz$/
      ),
    ]);
    const errors = ndjson(files.get(errorKeys[0]!)!);
    expect(
      errors.map((e) => Buffer.from(e.rawData as string, 'base64').toString())
    ).toEqual([MALFORMED_SHORT, MALFORMED_NUMBER]);
    expect(errors[0]).toMatchObject({
      attemptsMade: 1,
      errorCode: 'Lambda.ProcessingFailed',
      arrivalTimestamp: Date.UTC(2026, 10, 24, 1, 5),
      lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:backfill',
    });

    const objects = results.flatMap((r) => r.objects);
    expect(
      objects.map(({ linesRead, written, dropped, failed }) => ({
        linesRead,
        written,
        dropped,
        failed,
      }))
    ).toEqual([
      { linesRead: 6, written: 4, dropped: 0, failed: 2 },
      { linesRead: 1, written: 1, dropped: 0, failed: 0 },
    ]);
    expect(results.flatMap((r) => r.skipped)).toEqual([`${DIR}notes.txt`]);
  });

  it('changes no byte when run again', async () => {
    // Prepare
    await backfill(src, out);
    const first = await snapshot(out);

    // Act
    await backfill(src, out);

    // Assess
    expect(await snapshot(out)).toEqual(first);
  });

  it('fails an object whose format the live settings do not fit, naming it and the setting', async () => {
    // Act / Assess
    await expect(
      backfill(src, out, { FILTER: 'action = ACCEPT' })
    ).rejects.toThrow(
      /fl-0e0e0e0e_20261124T0210Z_bb22\.log\.gz: the live settings do not apply to this file's format .*FILTER: .*'action' is not in FLOW_LOG_FORMAT/
    );
  });

  it('applies FILTER and resolves partition keys per line', async () => {
    // Prepare
    await rm(
      join(
        src,
        `${DIR}123456789012_vpcflowlogs_us-east-1_fl-0e0e0e0e_20261124T0210Z_bb22.log.gz`
      )
    );

    // Act
    const results = await backfill(src, out, {
      FILTER: 'action = ACCEPT',
      PARTITION_KEYS: 'account_id',
    });

    // Assess
    const data = [...(await snapshot(out)).keys()].filter((k) =>
      k.startsWith('flow-logs/')
    );
    expect(data.map((k) => k.split('/')[1])).toEqual([
      '123456789010',
      '210987654321',
    ]);
    const v2 = results[0]!.objects[0]!;
    expect(v2).toMatchObject({
      linesRead: 6,
      written: 2,
      dropped: 2,
      failed: 2,
    });
  });

  it('skips objects outside the time range', async () => {
    // Act
    const results = await backfill(
      src,
      out,
      {},
      {
        from: '2026-11-24T02:00:00Z',
      }
    );

    // Assess
    expect(results.flatMap((r) => r.objects.map((o) => o.key))).toEqual([
      `${DIR}123456789012_vpcflowlogs_us-east-1_fl-0e0e0e0e_20261124T0210Z_bb22.log.gz`,
    ]);
  });
});

describe('buildBackfillRuntime', () => {
  it("hands a format's FILTER warning to warn once, as the handler logs it at cold start", async () => {
    // Prepare: AWS documents BPA as reject-reason's value
    // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html);
    // another one is accepted with a warning, as AWS may add values
    const text = '${version} ${srcaddr} ${action} ${reject-reason}';
    const config = loadConfig({
      FLOW_LOG_FORMAT: text,
      FILTER: 'reject-reason = EC',
    });
    const warnings: string[] = [];
    const { transformerFor } = await buildBackfillRuntime(config, (warning) =>
      warnings.push(warning)
    );

    // Act: the same format twice, as objects of one flow log arrive
    await transformerFor(parseFormat(text));
    await transformerFor(parseFormat(text));

    // Assess
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^FILTER: .*'EC'.*reject-reason/);
  });
});
