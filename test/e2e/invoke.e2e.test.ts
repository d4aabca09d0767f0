// `npm run invoke` as a user runs it: the shipped bundle on each events/
// sample with the settings in events/env/, as `sam local invoke -e … -n …`
// would. Expected results follow from the lines each event holds (see
// scripts/generate-events.mjs and events/README.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Invoked {
  results: string[];
  outputs: unknown[][];
}

function invoke(name: string, env: Record<string, string> = {}): Invoked {
  const stdout = execFileSync(
    process.execPath,
    [
      'scripts/invoke.mjs',
      `events/${name}.json`,
      '--env-vars',
      `events/env/${name}.json`,
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    }
  );
  const response = JSON.parse(stdout) as {
    records: Array<{ result: string; data: string }>;
  };
  return {
    results: response.records.map((r) => r.result),
    outputs: response.records.map((r) =>
      r.result === 'Ok'
        ? Buffer.from(r.data, 'base64')
            .toString('utf8')
            .trimEnd()
            .split('\n')
            .map((line) => JSON.parse(line))
        : []
    ),
  };
}

describe('npm run invoke on the events/ samples', () => {
  it('transforms every documented default-format record', () => {
    const { results, outputs } = invoke('firehose-v2-default');
    expect(results).toEqual(Array(9).fill('Ok'));
    expect(outputs[2]).toEqual([
      {
        version: 2,
        account_id: '123456789010',
        interface_id: 'eni-1235b8ca123456789',
        start: 1431280876,
        end: 1431280934,
        log_status: 'NODATA',
      },
    ]);
  });

  it('reads the version-5 custom order', () => {
    const { results, outputs } = invoke('firehose-v5-custom');
    expect(results).toEqual(['Ok', 'Ok']);
    expect(outputs[1]?.[0]).toMatchObject({
      pkt_dst_aws_service: 'S3',
      traffic_path: 8,
      flow_direction: 'egress',
    });
  });

  it('reads the transit gateway default format', () => {
    const { results, outputs } = invoke('firehose-tgw');
    expect(results).toEqual(['Ok', 'Ok']);
    expect(outputs[1]?.[0]).toMatchObject({
      resource_type: 'TransitGatewayAttachment',
      tgw_dst_vpc_account_id: '012345678901',
      packets_lost_no_route: 2,
      packets_lost_blackhole: 1,
    });
  });

  it('reads the ECS (v7) and reject-reason (v8) fields', () => {
    const { results, outputs } = invoke('firehose-v7-v8');
    expect(results).toEqual(['Ok', 'Ok']);
    expect(outputs[0]?.[0]).toMatchObject({
      ecs_cluster_name: 'my-cluster',
      ecs_service_name: 'web-service',
    });
    expect(outputs[1]?.[0]).toMatchObject({ reject_reason: 'BPA' });
    expect(outputs[1]?.[0]).not.toHaveProperty('ecs_cluster_name');
  });

  it('unpacks CloudWatch Logs envelopes and drops control messages', () => {
    const { results, outputs } = invoke('firehose-cloudwatch-logs');
    expect(results).toEqual(['Ok', 'Dropped', 'Ok']);
    expect(outputs[0]).toHaveLength(3);
    expect(outputs[2]).toHaveLength(3);
  });

  it('fails only the malformed records, keeping 64-bit counters exact', () => {
    // Prepare / Act
    const { results } = invoke('firehose-mixed-malformed');
    const stdout = execFileSync(
      process.execPath,
      ['scripts/invoke.mjs', 'events/firehose-mixed-malformed.json'],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }
    );
    // Assess
    expect(results).toEqual([
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
      'Dropped',
      'Ok',
    ]);
    const last = JSON.parse(stdout).records[7].data as string;
    expect(Buffer.from(last, 'base64').toString()).toContain(
      '"packets":18446744073709551615,'
    );
  });

  it('keeps srcport 65536 and protocol 256 Ok and exact, and counts both in the summary', () => {
    // Prepare: AWS's default-format example line with srcport 65536 and
    // protocol 256, which no flow holds: ports are 16-bit, 0 to 65535
    // (RFC 9293 section 3.1, https://www.rfc-editor.org/rfc/rfc9293#section-3.1;
    // RFC 768, https://www.rfc-editor.org/rfc/rfc768), protocol numbers
    // 8-bit, 0 to 255 (https://www.iana.org/assignments/protocol-numbers/protocol-numbers.xhtml)
    const line =
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 65536 22 256 99 4249 1418530010 1418530070 ACCEPT OK';
    const dir = mkdtempSync(join(tmpdir(), 'invoke-range-'));
    const file = join(dir, 'event.json');
    writeFileSync(
      file,
      JSON.stringify({
        invocationId: 'inv',
        deliveryStreamArn:
          'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
        region: 'us-east-1',
        records: [
          {
            recordId: 'r1',
            approximateArrivalTimestamp: 0,
            data: Buffer.from(line).toString('base64'),
          },
        ],
      })
    );
    // Act
    const result = spawnSync(process.execPath, ['scripts/invoke.mjs', file], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' },
    });
    rmSync(dir, { recursive: true });
    // Assess
    expect(result.status).toBe(0);
    const record = JSON.parse(result.stdout).records[0];
    expect(record.result).toBe('Ok');
    expect(JSON.parse(Buffer.from(record.data, 'base64').toString())).toEqual(
      expect.objectContaining({ srcport: 65536, dstport: 22, protocol: 256 })
    );
    const summary = result.stderr
      .split('\n')
      .filter((text) => text.includes('"message":"batch transformed"'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(summary[0]?.unexpectedValues).toEqual({
      srcport: { lines: 1, sample: '65536', recordId: 'r1' },
      protocol: { lines: 1, sample: '256', recordId: 'r1' },
    });
  });

  it('applies FILTER, ENRICH and OUTPUT_FORMAT from the shell over the file', () => {
    const { results, outputs } = invoke('firehose-v2-default', {
      FILTER: 'action = REJECT',
      ENRICH: 'protocol',
      OUTPUT_FORMAT: 'ecs',
    });
    expect(results.filter((r) => r === 'Ok')).toHaveLength(3);
    expect(outputs[1]?.[0]).toMatchObject({
      event: { outcome: 'failure' },
      network: { transport: 'tcp' },
    });
  });
});

describe('npm run invoke usage', () => {
  function run(args: string[]): {
    status: number | null;
    out: string;
    err: string;
  } {
    const result = spawnSync(
      process.execPath,
      ['scripts/invoke.mjs', ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
      }
    );
    return { status: result.status, out: result.stdout, err: result.stderr };
  }

  it('prints its options with --help and exits 0', () => {
    // Act
    const { status, out } = run(['--help']);

    // Assess
    expect(status).toBe(0);
    expect(out).toContain('usage: npm run invoke -- EVENT.json');
    expect(out).toContain('--env-vars FILE');
  });

  it('refuses an unknown option naming it, with exit code 2', () => {
    // Act
    const { status, err } = run(['events/firehose-tgw.json', '--bogus']);

    // Assess
    expect(status).toBe(2);
    expect(err).toContain("Unknown option '--bogus'");
  });

  it('names an --env-vars file that is not in the sam shape', () => {
    // Act: an event file is JSON but has neither key.
    const { status, err } = run([
      'events/firehose-tgw.json',
      '--env-vars',
      'events/firehose-tgw.json',
    ]);

    // Assess
    expect(status).toBe(1);
    expect(err).toContain(
      `--env-vars: 'events/firehose-tgw.json' has neither "FlowLogProcessorFunction" nor "Parameters"`
    );
  });

  it('reports the first invocation as a cold start, as Lambda does for an on-demand environment', () => {
    // Prepare: Powertools Logger's cold_start is true on the first
    // invocation of an execution environment whose
    // AWS_LAMBDA_INITIALIZATION_TYPE is on-demand
    // (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/,
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    delete env.AWS_LAMBDA_INITIALIZATION_TYPE;

    // Act
    const result = spawnSync(
      process.execPath,
      ['scripts/invoke.mjs', 'events/firehose-tgw.json'],
      { cwd: ROOT, encoding: 'utf8', env }
    );

    // Assess
    expect(result.status).toBe(0);
    const summary = result.stderr
      .split('\n')
      .filter((line) => line.includes('"message":"batch transformed"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ cold_start: true });
  });
});
