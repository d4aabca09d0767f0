// ENRICH=eni on gzip CloudWatch Logs subscription records: the ENI
// collector and the transform read each record once between them (issue
// #12, item 5). zlib is wrapped in a spy to count the inflations.
import * as zlib from 'node:zlib';
import {
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../functions/flow-log-processor/config.ts';
import {
  buildRuntime,
  prefetchEnrichment,
} from '../../functions/flow-log-processor/runtime.ts';
import { decodeEvent } from '../../shared/firehose/event.ts';
import { processEvent } from '../../shared/firehose/process-event.ts';
import { firehoseEvent } from '../helpers/render.ts';

vi.mock('node:zlib', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:zlib')>();
  return { ...actual, gunzipSync: vi.fn(actual.gunzipSync) };
});

const ec2 = mockClient(EC2Client);

const ENI = 'eni-1235b8ca123456789';
// The default format's example line (VPC User Guide, flow log records).
const LINE = `2 123456789010 ${ENI} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`;

/** A CloudWatch Logs subscription envelope (SubscriptionFilters.html). */
function envelope(messages: readonly string[]): string {
  return JSON.stringify({
    messageType: 'DATA_MESSAGE',
    owner: '123456789010',
    logGroup: 'vpc-flow-logs',
    logStream: ENI,
    subscriptionFilters: ['to-firehose'],
    logEvents: messages.map((message, i) => ({
      id: String(i),
      timestamp: 1418530010000,
      message,
    })),
  });
}

const GZIP_RECORDS = 5;
const event = firehoseEvent([
  ...Array.from({ length: GZIP_RECORDS }, () =>
    zlib.gzipSync(envelope([LINE, LINE])).toString('base64')
  ),
  // Already decompressed by Firehose: read, not inflated.
  Buffer.from(envelope([LINE])).toString('base64'),
]);

async function invoke(reopen: boolean) {
  const runtime = await buildRuntime(loadConfig({ ENRICH: 'eni' }));
  const decoded = decodeEvent(structuredClone(event));
  const inflations = vi.mocked(zlib.gunzipSync).mock.calls.length;
  await prefetchEnrichment(runtime, decoded);
  if (reopen) runtime.transformer.opened.clear();
  const outcome = await processEvent(decoded, {
    transformer: runtime.transformer,
    budgetBytes: runtime.config.responseBudgetBytes,
    reingester: undefined,
    deadline: Number.POSITIVE_INFINITY,
  });
  return {
    outcome,
    inflations: vi.mocked(zlib.gunzipSync).mock.calls.length - inflations,
    left: runtime.transformer.opened.size,
  };
}

describe('ENRICH=eni with gzip CloudWatch Logs records', () => {
  beforeEach(() => {
    ec2.reset();
    vi.stubEnv('AWS_REGION', 'us-east-1');
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: ENI,
          Attachment: { InstanceId: 'i-01234567890123456' },
          VpcId: 'vpc-abcdefab012345678',
        },
      ],
    });
  });

  it('inflates each gzip record once per invocation', async () => {
    // Act
    const { outcome, inflations, left } = await invoke(false);

    // Assess
    expect(inflations).toBe(GZIP_RECORDS);
    expect(left).toBe(0);
    expect(outcome.counters.ok).toBe(GZIP_RECORDS + 1);
    expect(outcome.counters.linesOut).toBe(GZIP_RECORDS * 2 + 1);
    const first = Buffer.from(
      outcome.response.records[0]!.data ?? '',
      'base64'
    ).toString();
    expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({
      interface_id: ENI,
      eni_instance_id: 'i-01234567890123456',
      eni_vpc_id: 'vpc-abcdefab012345678',
    });
  });

  it('answers exactly as when the transform opens every record itself', async () => {
    // Act
    const once = await invoke(false);
    const twice = await invoke(true);

    // Assess
    expect(twice.inflations).toBe(GZIP_RECORDS * 2);
    expect(once.outcome.response).toEqual(twice.outcome.response);
    expect(once.outcome.counters).toEqual(twice.outcome.counters);
  });
});
