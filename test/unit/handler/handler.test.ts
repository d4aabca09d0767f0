// The AWS edge: the bundled contract of the handler module as Lambda loads it.
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

const context = {
  functionName: 'fn',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

function event(datas: string[]) {
  return {
    invocationId: 'inv',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
    region: 'us-east-1',
    records: datas.map((data, i) => ({
      recordId: `r${i}`,
      approximateArrivalTimestamp: 0,
      data,
    })),
  };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function loadHandler(env: Record<string, string> = {}) {
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  return (await import('../../../functions/flow-log-processor/index.ts'))
    .handler;
}

describe('handler', () => {
  let printed: string[];

  beforeEach(() => {
    printed = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    vi.spyOn(console, 'log').mockImplementation((...args) => {
      printed.push(args.join(' '));
    });
    vi.spyOn(console, 'info').mockImplementation((...args) => {
      printed.push(args.join(' '));
    });
    vi.spyOn(console, 'warn').mockImplementation((...args) => {
      printed.push(args.join(' '));
    });
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('answers every record and publishes one metrics flush', async () => {
    // Prepare
    const handler = await loadHandler({ POWERTOOLS_LOG_LEVEL: 'INFO' });
    // Act
    const response = await handler(
      event([b64(LINE), b64(''), b64('2 1 eni')]),
      context
    );
    // Assess
    expect(response.records.map((r) => r.result)).toEqual([
      'Ok',
      'Dropped',
      'ProcessingFailed',
    ]);
    const emf = printed
      .flatMap((text) => text.split('\n'))
      .filter((text) => text.includes('"_aws"'))
      .map((text) => JSON.parse(text));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      RecordsIn: 3,
      RecordsOk: 1,
      RecordsDropped: 1,
      RecordsProcessingFailed: 1,
      Malformed_too_few_fields: 1,
    });
    const summary = printed.find((text) => text.includes('batch transformed'));
    expect(summary).toBeDefined();
  });

  it('throws a clear error for an event that is not from Firehose', async () => {
    const handler = await loadHandler();
    await expect(handler({ Records: [{ s3: {} }] }, context)).rejects.toThrow(
      "Not an Amazon Data Firehose transformation event: 'records' is missing, expected an array"
    );
  });

  it('fails at cold start on a bad setting, naming it', async () => {
    await expect(loadHandler({ OUTPUT_FORMAT: 'csv' })).rejects.toThrow(
      "OUTPUT_FORMAT: 'csv' is not allowed; expected one of json, ocsf, ecs (any case)"
    );
  });
});
