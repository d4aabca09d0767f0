// The handler publishes the value audit and says the likely cause.
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';

// AWS's version-5 example records and their format, verbatim from
// https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
const V5_LINES = [
  '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK',
  '5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK',
];

const context = {
  functionName: 'fn',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

function event(lines: readonly string[]) {
  return {
    invocationId: 'inv',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
    region: 'us-east-1',
    records: lines.map((line, i) => ({
      recordId: `r${i}`,
      approximateArrivalTimestamp: 0,
      data: Buffer.from(line).toString('base64'),
    })),
  };
}

async function loadHandler(env: Record<string, string>) {
  vi.resetModules();
  // These tests read the log: the function's default level, not the quiet
  // one of the test run.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  return (await import('../../../functions/flow-log-processor/index.ts'))
    .handler;
}

describe('handler diagnosis', () => {
  let printed: string[];

  beforeEach(() => {
    printed = [];
    const keep = (...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
      return true;
    };
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => keep(chunk));
    }
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation(keep);
    }
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  const lines = () => printed.flatMap((text) => text.split('\n'));
  const summary = () =>
    JSON.parse(lines().find((t) => t.includes('"batch transformed"'))!);

  it('publishes UnexpectedValue_<field> and says the order may be wrong', async () => {
    // Prepare: log-status and flow-direction swapped (issue #10)
    const handler = await loadHandler({
      FLOW_LOG_FORMAT: V5_FORMAT.replace(
        '${flow-direction} ${log-status}',
        '${log-status} ${flow-direction}'
      ),
    });
    // Act
    const response = await handler(event(V5_LINES), context);
    // Assess: the lines stay Ok, the mistake is counted and explained
    expect(response.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    const emf = lines()
      .filter((text) => text.includes('"_aws"'))
      .map((text) => JSON.parse(text));
    expect(emf[0]).toMatchObject({
      'UnexpectedValue_log-status': 2,
      'UnexpectedValue_flow-direction': 2,
    });
    expect(summary()).toMatchObject({
      level: 'WARN',
      unexpectedValues: {
        'log-status': { lines: 2, sample: 'ingress', recordId: 'r0' },
      },
      likelyCause:
        "FLOW_LOG_FORMAT order may be wrong: 2 of 2 lines have log-status values like 'ingress', which is a flow-direction value",
    });
  });

  it('keeps srcport 65536 and protocol 256 exact, and counts and shows both', async () => {
    // Prepare: AWS's default-format example line with srcport 65536 and
    // protocol 256: no port is above 65535 (16 bits: RFC 9293 section 3.1,
    // https://www.rfc-editor.org/rfc/rfc9293#section-3.1; RFC 768,
    // https://www.rfc-editor.org/rfc/rfc768), no protocol number above 255
    // (8 bits: https://www.iana.org/assignments/protocol-numbers/protocol-numbers.xhtml)
    const handler = await loadHandler({ FLOW_LOG_FORMAT: VPC_DEFAULT_FORMAT });
    const line =
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 65536 22 256 99 4249 1418530010 1418530070 ACCEPT OK';
    // Act
    const response = await handler(event([line]), context);
    // Assess: Ok, values as the line has them; the audit counts both
    expect(response.records.map((r) => r.result)).toEqual(['Ok']);
    const data = Buffer.from(response.records[0]!.data!, 'base64').toString();
    expect(data).toBe(
      '{"version":2,"account_id":"123456789010","interface_id":"eni-1235b8ca123456789","srcaddr":"172.31.16.139","dstaddr":"172.31.16.21","srcport":65536,"dstport":22,"protocol":256,"packets":99,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","log_status":"OK"}\n'
    );
    const emf = lines()
      .filter((text) => text.includes('"_aws"'))
      .map((text) => JSON.parse(text));
    expect(emf[0]).toMatchObject({
      UnexpectedValue_srcport: 1,
      UnexpectedValue_protocol: 1,
    });
    expect(summary()).toMatchObject({
      unexpectedValues: {
        srcport: { lines: 1, sample: '65536', recordId: 'r0' },
        protocol: { lines: 1, sample: '256', recordId: 'r0' },
      },
      likelyCause:
        "FLOW_LOG_FORMAT may not match the flow log: 1 of 1 lines have srcport values like '65536' (expected 0 to 65535: a 16-bit TCP/UDP port)",
    });
    expect(Object.keys(summary().unexpectedValues)).toEqual([
      'srcport',
      'protocol',
    ]);
  });

  it('names both field counts when v5 lines meet the default format', async () => {
    const handler = await loadHandler({ FLOW_LOG_FORMAT: VPC_DEFAULT_FORMAT });
    await handler(event(V5_LINES), context);
    expect(summary().likelyCause).toMatch(
      /^FLOW_LOG_FORMAT has 14 fields, lines have 29: 2 of 2 records failed as too_many_fields/
    );
    expect(summary().malformedFieldCounts).toEqual({ '29': 2 });
  });

  it('logs the summary at INFO without a cause when all is well', async () => {
    const handler = await loadHandler({
      FLOW_LOG_FORMAT: V5_FORMAT,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    await handler(event(V5_LINES), context);
    expect(summary().level).toBe('INFO');
    expect(summary().likelyCause).toBeUndefined();
  });
});
