/**
 * The e2e checks against the deployed stack (the pipeline's integration
 * stage, after deploy-dev): the deployed function answers every sample
 * event exactly as the local bundle does with the deployed environment, and
 * a record put into the stream arrives in the bucket, transformed.
 *
 *   STACK_NAME=flowlogs-transform-dev AWS_REGION=us-east-1 npm run test:integration
 *
 * Uses the AWS CLI (present on GitHub's runners) with the caller's
 * credentials: cloudformation:DescribeStacks, lambda:GetFunctionConfiguration,
 * lambda:InvokeFunction, firehose:PutRecordBatch, s3:ListBucket, s3:GetObject.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Firehose processor interval (60 s) + S3 buffer interval (300 s) + margin. */
const DELIVERY_WAIT_MS = 600_000;

/** Time between two looks at the bucket. */
const POLL_MS = 20_000;

interface FirehoseResponse {
  records: { recordId: string; result: string; data: string }[];
}

function aws(args: string[]): string {
  return execFileSync('aws', [...args, '--output', 'json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: see the file's header`);
  return value;
}

function stackOutputs(stack: string): Record<string, string> {
  const outputs = JSON.parse(
    aws([
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      stack,
      '--query',
      'Stacks[0].Outputs',
    ])
  ) as { OutputKey: string; OutputValue: string }[];
  return Object.fromEntries(outputs.map((o) => [o.OutputKey, o.OutputValue]));
}

function deployedEnvironment(fn: string): Record<string, string> {
  return JSON.parse(
    aws([
      'lambda',
      'get-function-configuration',
      '--function-name',
      fn,
      '--query',
      'Environment.Variables',
    ])
  ) as Record<string, string>;
}

function invokeDeployed(fn: string, event: string): FirehoseResponse {
  const out = join(mkdtempSync(join(tmpdir(), 'flp-')), 'response.json');
  const meta = JSON.parse(
    aws([
      'lambda',
      'invoke',
      '--function-name',
      fn,
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      `fileb://${join(ROOT, event)}`,
      out,
    ])
  ) as { FunctionError?: string };
  const body = readFileSync(out, 'utf8');
  if (meta.FunctionError) throw new Error(`${event}: ${body}`);
  return JSON.parse(body) as FirehoseResponse;
}

function invokeLocal(
  event: string,
  env: Record<string, string>
): FirehoseResponse {
  const stdout = execFileSync(process.execPath, ['scripts/invoke.mjs', event], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as FirehoseResponse;
}

/** A default-format (v2) flow-log line whose interface id is unique. */
function markedLine(marker: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `2 123456789010 ${marker} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 ${now - 60} ${now} ACCEPT OK`;
}

function putRecord(stream: string, line: string): void {
  const data = Buffer.from(`${line}\n`).toString('base64');
  aws([
    'firehose',
    'put-record-batch',
    '--delivery-stream-name',
    stream,
    '--records',
    JSON.stringify([{ Data: data }]),
  ]);
}

function objectsSince(bucket: string, since: Date): string[] {
  const listed = JSON.parse(
    aws([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--query',
      `Contents[?LastModified>='${since.toISOString()}'].Key`,
    ])
  ) as string[] | null;
  return listed ?? [];
}

function readObject(bucket: string, key: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flp-'));
  const file = join(dir, 'object');
  aws(['s3api', 'get-object', '--bucket', bucket, '--key', key, file]);
  const bytes = readFileSync(file);
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
}

async function sleep(ms: number): Promise<void> {
  await new Promise((done) => setTimeout(done, ms));
}

describe('the deployed stack', () => {
  let outputs: Record<string, string> = {};
  let env: Record<string, string> = {};

  beforeAll(() => {
    outputs = stackOutputs(required('STACK_NAME'));
    env = deployedEnvironment(outputs.FunctionName!);
  });

  const events = readdirSync(join(ROOT, 'events'))
    .filter((name) => name.endsWith('.json'))
    .map((name) => `events/${name}`);

  it.each(events)(
    'answers %s exactly as the local bundle does with its settings',
    (event) => {
      // Act
      const deployed = invokeDeployed(outputs.FunctionName!, event);
      const local = invokeLocal(event, env);

      // Assess
      expect(deployed.records).toEqual(local.records);
    }
  );

  it('delivers a record put into the stream to the bucket, transformed', async () => {
    // Prepare
    const marker = `eni-${randomBytes(8).toString('hex')}`;
    const since = new Date(Date.now() - 60_000);
    putRecord(outputs.DeliveryStreamName!, markedLine(marker));

    // Act
    let found: unknown;
    const deadline = Date.now() + DELIVERY_WAIT_MS;
    while (found === undefined && Date.now() < deadline) {
      await sleep(POLL_MS);
      for (const key of objectsSince(outputs.BucketName!, since)) {
        const line = readObject(outputs.BucketName!, key)
          .split('\n')
          .find((text) => text.includes(marker));
        if (line !== undefined) found = JSON.parse(line);
      }
    }

    // Assess
    expect(found).toMatchObject({
      version: 2,
      account_id: '123456789010',
      interface_id: marker,
      dstport: 22,
      action: 'ACCEPT',
      log_status: 'OK',
    });
  });
});
