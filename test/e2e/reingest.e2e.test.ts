// End to end as a new user would run it: the handler, configured from the
// environment only, on a maximal event of the 29-field format, re-ingesting
// through the SDK into scripts/local-firehose.mjs on 127.0.0.1.
import type {
  Context,
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withReingestMarker } from '../../shared/firehose/reingest-marker.ts';

interface LocalFirehose {
  url: string;
  received: Array<{ stream: string; data: string }>;
  options: { fail: 'http500' | 'entries' | undefined };
  close(): Promise<void>;
}
type Handler = (
  event: unknown,
  context: Context
) => Promise<FirehoseTransformationResult>;

const LAMBDA_RESPONSE_LIMIT = 6_291_456;
const BUDGET = 6_000_000;
const SAVED_ENV = { ...process.env };

let endpoint: LocalFirehose;
let handler: Handler;
let event: FirehoseTransformationEvent;

/** A Lambda context with `remainingMs` left: the retry window plus 5 s. */
function context(remainingMs: number): Context {
  const deadline = Date.now() + remainingMs;
  return {
    functionName: 'FlowLogProcessorFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:us-east-1:123456789012:function:FlowLogProcessorFunction',
    memoryLimitInMB: '256',
    awsRequestId: 'e2e',
    logGroupName: '/aws/lambda/FlowLogProcessorFunction',
    logStreamName: 'e2e',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

beforeAll(async () => {
  // Imported by URL: the scripts are plain ESM, outside the type check.
  const scripts = new URL('../../scripts/', import.meta.url);
  const local = await import(new URL('local-firehose.mjs', scripts).href);
  const big = await import(new URL('make-big-event.mjs', scripts).href);
  endpoint = (await local.startLocalFirehose()) as LocalFirehose;
  event = big.makeBigEvent() as FirehoseTransformationEvent;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_FIREHOSE: endpoint.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    FLOW_LOG_FORMAT: big.V5_29_FORMAT,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  for (const name of ['ENRICH', 'FILTER', 'PARTITION_KEYS', 'REINGEST']) {
    delete process.env[name];
  }
  vi.resetModules();
  const module = await import('../../functions/flow-log-processor/index.ts');
  handler = module.handler as Handler;
});

afterAll(async () => {
  process.env = SAVED_ENV;
  await endpoint?.close();
});

describe('re-ingestion end to end', () => {
  it('fits a 6 MB event of the 29-field format and re-ingests exactly the Dropped records', async () => {
    // Prepare
    endpoint.options.fail = undefined;
    endpoint.received.length = 0;
    expect(JSON.stringify(event).length).toBeGreaterThan(6_000_000);
    // Act
    const response = await handler(event, context(60_000));
    // Assess
    const size = Buffer.byteLength(JSON.stringify(response));
    expect(size).toBeLessThanOrEqual(BUDGET);
    expect(size).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
    expect(response.records.map((r) => r.recordId)).toEqual(
      event.records.map((r) => r.recordId)
    );
    const dropped = event.records.filter(
      (_, i) => response.records[i]?.result === 'Dropped'
    );
    const ok = response.records.filter((r) => r.result === 'Ok');
    expect(dropped.length).toBeGreaterThan(0);
    expect(ok.length + dropped.length).toBe(event.records.length);
    expect(endpoint.received).toEqual(
      dropped.map((r) => ({
        stream: 'flow-logs',
        data: withReingestMarker(Buffer.from(r.data, 'base64'), 1).toString(
          'base64'
        ),
      }))
    );
  });

  it.each([
    ['answers HTTP 500', 'http500'],
    ['fails every entry of a 200 answer', 'entries'],
  ] as const)(
    'fails the overflow records, losing none, when the endpoint %s',
    async (_, fail) => {
      // Prepare: 1.5 s of retries before the 5 s safety margin
      endpoint.options.fail = fail;
      endpoint.received.length = 0;
      // Act
      const response = await handler(event, context(6_500));
      // Assess
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(
        BUDGET
      );
      const results = response.records.map((r) => r.result);
      const ok = results.filter((r) => r === 'Ok').length;
      const failed = results.filter((r) => r === 'ProcessingFailed').length;
      expect(failed).toBeGreaterThan(0);
      expect(ok + failed).toBe(event.records.length);
      expect(endpoint.received).toEqual([]);
    }
  );
});
