// The backfill worker runs the live function's composition: ENRICH=eni
// describes the objects' interfaces through the same ENI directory (EC2 once
// per chunk) and the lines come out enriched, and the value audit is reported
// as the handler reports it (summary line keys, UnexpectedValue_<field>).
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const s3 = mockClient(S3Client);
const ec2 = mockClient(EC2Client);

const KEY =
  'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/24/123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d_20261124T0105Z_aa11.log.gz';
const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const ENI = 'eni-1235b8ca123456789';
/** AWS's documented v2 example ("Flow log record examples"). */
const LINE = `2 123456789010 ${ENI} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`;
/**
 * The same line with its last two fields swapped, as a LogFormat that lists
 * log-status before action would write it: `action` is documented as ACCEPT
 * or REJECT, `log-status` as OK, NODATA or SKIPDATA (AWS, "Flow log
 * records", https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html).
 */
const SWAPPED = `2 123456789010 ${ENI} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 OK ACCEPT`;

const context = {
  invokedFunctionArn:
    'arn:aws:lambda:us-east-1:123456789012:function:stack-BackfillWorker',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

async function loadWorker(env: Record<string, string>) {
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('SOURCE_BUCKET', 'archive');
  vi.stubEnv('SOURCE_PREFIX', 'AWSLogs/123456789012/');
  vi.stubEnv('DESTINATION_BUCKET', 'flow-logs-bucket');
  vi.stubEnv('BACKFILL_DATA_PREFIX', 'flow-logs/');
  vi.stubEnv('BACKFILL_ERROR_PREFIX', 'errors/');
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import('../../functions/backfill-worker/index.ts')).handler;
}

function serve(lines: string[]): void {
  const body = gzipSync(`${[HEADER, ...lines].join('\n')}\n`);
  s3.on(GetObjectCommand, { Bucket: 'archive', Key: KEY }).callsFake(() => ({
    Body: Readable.from([body]),
  }));
  s3.on(PutObjectCommand).resolves({});
}

function written(): Record<string, unknown>[] {
  const put = s3
    .commandCalls(PutObjectCommand)
    .find((call) => call.args[0].input.Key?.startsWith('flow-logs/'));
  return gunzipSync(put!.args[0].input.Body as Buffer)
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('backfill worker composition', () => {
  let printed: string[];

  beforeEach(() => {
    s3.reset();
    ec2.reset();
    printed = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        printed.push(String(chunk));
        return true;
      });
    }
    for (const level of ['log', 'info', 'warn'] as const) {
      vi.spyOn(console, level).mockImplementation((...args) => {
        printed.push(args.join(' '));
      });
    }
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  function jsonLines(): Record<string, unknown>[] {
    return printed
      .flatMap((text) => text.split('\n'))
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
  }

  it('applies ENRICH=eni with the ENI directory, as the live function does', async () => {
    // Prepare
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: ENI,
          Attachment: { InstanceId: 'i-01234567890123456' },
          Groups: [{ GroupId: 'sg-0123456789abcdef0' }],
          SubnetId: 'subnet-aaaaaaaa012345678',
          VpcId: 'vpc-abcdefab012345678',
        },
      ],
    });
    serve([LINE, LINE]);
    const handler = await loadWorker({ ENRICH: 'protocol,eni' });

    // Act
    const result = await handler({ Items: [{ Key: KEY }] }, context);

    // Assess
    expect(result.objects[0]).toMatchObject({ linesRead: 2, written: 2 });
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
    expect(written()[0]).toMatchObject({
      interface_id: ENI,
      protocol_name: 'TCP',
      eni_instance_id: 'i-01234567890123456',
      eni_security_group_ids: ['sg-0123456789abcdef0'],
      eni_vpc_id: 'vpc-abcdefab012345678',
    });
    const summary = jsonLines().find(
      (line) => line.message === 'backfill batch done'
    );
    expect(summary).toMatchObject({ enrichmentDegraded: 0 });
  });

  it('reports the value audit as the handler does: summary keys and UnexpectedValue_<field>', async () => {
    // Prepare
    serve([LINE, SWAPPED, SWAPPED]);
    const handler = await loadWorker({});

    // Act
    const result = await handler({ Items: [{ Key: KEY }] }, context);

    // Assess: 2 of 3 lines hold values outside the documented sets
    expect(result.objects[0]).toMatchObject({
      linesRead: 3,
      written: 3,
      unexpectedValues: {
        action: { lines: 2, sample: 'OK', recordId: KEY },
        'log-status': { lines: 2, sample: 'ACCEPT', recordId: KEY },
      },
      likelyCause: expect.stringContaining(
        'FLOW_LOG_FORMAT order may be wrong'
      ),
    });
    const lines = jsonLines();
    expect(
      lines.find(
        (line) => line.message === 'backfill object has a likely cause'
      )
    ).toMatchObject({ key: KEY, level: 'WARN' });
    const summary = lines.find(
      (line) => line.message === 'backfill batch done'
    );
    expect(summary).toMatchObject({
      lines: 3,
      unexpectedValues: {
        action: { lines: 2, sample: 'OK' },
        'log-status': { lines: 2, sample: 'ACCEPT' },
      },
    });
    expect(summary).not.toHaveProperty('enrichmentDegraded');
    const emf = lines.filter((line) => '_aws' in line);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      LinesIn: 3,
      UnexpectedValue_action: 2,
      'UnexpectedValue_log-status': 2,
    });
  });
});
