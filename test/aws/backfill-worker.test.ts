// The deployed backfill worker against a mocked S3: it streams each object of
// the Map batch, writes the output objects where the live stream writes them,
// and refuses keys outside the source prefix its role may read.
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const s3 = mockClient(S3Client);

const KEY =
  'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d_20261124T0105Z_aa11.log.gz';
/** AWS's documented v2 example line and its default-format header. */
const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

const context = {
  invokedFunctionArn:
    'arn:aws:lambda:us-east-1:123456789012:function:stack-BackfillWorker',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

type Handler =
  typeof import('../../functions/backfill-worker/index.ts')['handler'];
let handler: Handler;

beforeAll(async () => {
  vi.stubEnv('AWS_REGION', 'us-east-1');
  // The batch's EMF line is read in backfill-worker-enrich.test.ts.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('SOURCE_BUCKET', 'archive');
  vi.stubEnv('SOURCE_PREFIX', 'AWSLogs/123456789012/');
  vi.stubEnv('DESTINATION_BUCKET', 'flow-logs-bucket');
  vi.stubEnv(
    'BACKFILL_DATA_PREFIX',
    'flow-logs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/'
  );
  vi.stubEnv(
    'BACKFILL_ERROR_PREFIX',
    'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/'
  );
  ({ handler } = await import('../../functions/backfill-worker/index.ts'));
});

describe('backfill worker', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('reads each object from the source bucket and writes the live layout to the destination', async () => {
    // Prepare
    const body = gzipSync(`${HEADER}\n${LINE}\n`);
    s3.on(GetObjectCommand, { Bucket: 'archive', Key: KEY }).resolves({
      Body: Readable.from([body]) as never,
    });
    s3.on(PutObjectCommand).resolves({});

    // Act
    const result = await handler(
      { Items: [{ Key: KEY, Size: body.length }] },
      context
    );

    // Assess
    expect(result.objects).toEqual([
      expect.objectContaining({
        key: KEY,
        linesRead: 1,
        written: 1,
        failed: 0,
      }),
    ]);
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0]!.args[0].input;
    expect(input.Bucket).toBe('flow-logs-bucket');
    expect(input.Key).toMatch(
      /^flow-logs\/year=2026\/month=11\/day=24\/hour=01\/backfill-[0-9a-f]{16}-0000\.gz$/
    );
    const written = JSON.parse(
      gunzipSync(input.Body as Buffer).toString('utf8')
    ) as Record<string, unknown>;
    expect(written).toMatchObject({
      account_id: '123456789010',
      srcaddr: '172.31.16.139',
      bytes: 4249,
    });
  });

  it('refuses a key outside SOURCE_PREFIX before reading anything', async () => {
    // Act / Assess
    await expect(
      handler({ Items: [{ Key: 'AWSLogs/999999999999/x.log.gz' }] }, context)
    ).rejects.toThrow(/outside SOURCE_PREFIX 'AWSLogs\/123456789012\/'/);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('fails the batch when an object cannot be read, so Step Functions retries it', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })
    );

    // Act / Assess
    await expect(handler({ Items: [{ Key: KEY }] }, context)).rejects.toThrow(
      'Access Denied'
    );
  });
});
