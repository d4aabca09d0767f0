// The AWS edge: the bundled contract of the handler module as Lambda loads it.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
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
  // These tests read the log: the function's default level, not the quiet
  // one of the test run.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
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
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
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

  function emfOf(): Record<string, unknown>[] {
    return printed
      .flatMap((text) => text.split('\n'))
      .filter((text) => text.includes('"_aws"'))
      .map((text) => JSON.parse(text));
  }

  function logLines(message: string): Record<string, unknown>[] {
    return printed
      .flatMap((text) => text.split('\n'))
      .filter((text) => text.includes(`"message":"${message}"`))
      .map((text) => JSON.parse(text));
  }

  it('logs cold_start true on the first invocation of an on-demand environment only', async () => {
    // Prepare: Lambda's value in an on-demand environment; Powertools
    // Logger's cold_start key follows it
    // (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/)
    const handler = await loadHandler({
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    });
    // Act
    await handler(event([b64(LINE)]), context);
    await handler(event([b64(LINE)]), context);
    // Assess
    const summaries = logLines('batch transformed');
    expect(summaries.map((line) => line.cold_start)).toEqual([true, false]);
  });

  it('logs and publishes under POWERTOOLS_SERVICE_NAME when it is set', async () => {
    // Prepare: the template sets backfill-worker for the backfill worker;
    // Powertools documents the variable as the `service` of logs and metrics
    // (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/#utility-settings)
    const handler = await loadHandler({
      POWERTOOLS_SERVICE_NAME: 'backfill-worker',
    });
    // Act
    await handler(event([b64(LINE)]), context);
    // Assess
    const [summary] = logLines('batch transformed');
    expect(summary?.service).toBe('backfill-worker');
    const emf = printed
      .filter((text) => text.includes('"_aws"'))
      .map((text) => JSON.parse(text));
    expect(emf.length).toBeGreaterThan(0);
    for (const blob of emf) expect(blob.service).toBe('backfill-worker');
  });

  it('logs under flow-log-processor when POWERTOOLS_SERVICE_NAME is unset', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', '');
    const handler = await loadHandler();
    // Act
    await handler(event([b64(LINE)]), context);
    // Assess
    const [summary] = logLines('batch transformed');
    expect(summary?.service).toBe('flow-log-processor');
  });

  it('logs an EC2 failure once per window with its name and text, and counts it', async () => {
    // Prepare
    const ec2 = mockClient(EC2Client);
    const denied = Object.assign(
      new Error(
        'You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/fn is not authorized to perform: ec2:DescribeNetworkInterfaces'
      ),
      { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }
    );
    ec2.on(DescribeNetworkInterfacesCommand).rejects(denied);
    const handler = await loadHandler({
      ENRICH: 'eni',
      AWS_REGION: 'us-east-1',
    });
    // Act: two batches, two different interfaces, within one minute
    await handler(event([b64(LINE)]), context);
    await handler(
      event([
        b64(LINE.replace('eni-1235b8ca123456789', 'eni-0000000000000000a')),
      ]),
      context
    );
    // Assess
    const failures = logLines('AWS dependency failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 'ERROR',
      dependency: 'EC2',
      operation: 'DescribeNetworkInterfaces',
      errorName: 'UnauthorizedOperation',
      errorMessage: denied.message,
      httpStatusCode: 403,
    });
    const emf = emfOf();
    expect(emf.map((m) => m.DependencyFailure_EC2)).toEqual([1, 1]);
    expect(emf.map((m) => m.EnrichmentDegraded)).toEqual([1, 1]);
    expect(emf.map((m) => m.RecordsOk)).toEqual([1, 1]);
    expect(printed.join('')).not.toContain('reserved key');
    ec2.restore();
  });

  it('starts without ip-ranges when the endpoint is unreachable, and counts the un-enriched lines', async () => {
    // Prepare: a port nothing listens on any more
    const closed = createServer();
    await new Promise<void>((resolve) =>
      closed.listen(0, '127.0.0.1', resolve)
    );
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${port}/ip-ranges.json`;
    const handler = await loadHandler({
      ENRICH: 'aws_service',
      IP_RANGES_URL: url,
    });
    // Act
    const response = await handler(event([b64(LINE), b64(LINE)]), context);
    // Assess
    expect(response.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    const failure = logLines('AWS dependency failed')[0];
    expect(failure).toMatchObject({
      dependency: 'IpRangesUrl',
      operation: `GET ${url}`,
      errorName: 'TypeError',
      errorMessage: `fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`,
      consequence:
        'lines go out without <field>_aws_service keys; next attempt in 60 s',
    });
    expect(emfOf()[0]).toMatchObject({
      EnrichmentDegraded: 2,
      DependencyFailure_IpRangesUrl: 1,
    });
  });
});
