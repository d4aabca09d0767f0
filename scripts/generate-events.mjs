// Writes the sample Firehose events in events/ from the documented AWS
// example lines
// (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html).
// Deterministic: re-running it reproduces the committed files byte for byte.
//   node scripts/generate-events.mjs
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const USAGE = `usage: node scripts/generate-events.mjs [--help]

Writes the sample Firehose events events/*.json from AWS's documented
example flow-log lines (the settings each needs are in events/env/*.json).
Deterministic: re-running it reproduces the committed files byte for byte.
See events/README.md.`;

/** `--help` prints USAGE; anything else is refused with it (exit 2). */
function readOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    process.stderr.write(`generate-events: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
}

readOptions();

const STREAM_ARN =
  'arn:aws:firehose:us-east-1:123456789012:deliverystream/flow-logs';
const ARRIVAL = 1700000000000;

const V2 = [
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
  '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
  '2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA',
  '2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
  '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK',
];

const V5 = [
  '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK',
  '5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK',
];

const TGW = [
  '6 TransitGateway 123456789010 tgw-0123456789abcdef0 tgw-attach-0a1b2c3d4e5f60708 123456789010 012345678901 vpc-0aaaaaaaaaaaaaaaa vpc-0bbbbbbbbbbbbbbbb subnet-0aaaaaaaaaaaaaaaa subnet-0bbbbbbbbbbbbbbbb eni-0aaaaaaaaaaaaaaaa eni-0bbbbbbbbbbbbbbbb use1-az1 use1-az2 tgw-attach-0f1e2d3c4b5a69788 10.0.1.10 10.1.2.20 49152 443 6 12 3456 1700000000 1700000060 OK IPv4 0 0 0 0 3 us-east-1 egress - -',
  '6 TransitGatewayAttachment 123456789010 tgw-0123456789abcdef0 tgw-attach-0a1b2c3d4e5f60708 123456789010 012345678901 vpc-0aaaaaaaaaaaaaaaa vpc-0bbbbbbbbbbbbbbbb subnet-0aaaaaaaaaaaaaaaa subnet-0bbbbbbbbbbbbbbbb eni-0aaaaaaaaaaaaaaaa eni-0bbbbbbbbbbbbbbbb use1-az1 use1-az2 tgw-attach-0f1e2d3c4b5a69788 10.0.1.10 10.1.2.20 49153 443 6 9 1200 1700000000 1700000060 OK IPv4 2 1 0 0 0 us-east-1 ingress - -',
];

const V7V8 = [
  '8 123456789010 eni-0a1b2c3d4e5f60718 10.0.1.25 10.0.2.40 45678 8080 6 10 5000 1716000000 1716000060 ACCEPT OK my-cluster 0123456789abcdef0123456789abcdef web-service -',
  '8 123456789010 eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.1.25 51234 22 6 1 40 1716000000 1716000060 REJECT OK - - - BPA',
];

function record(index, text) {
  return {
    recordId: `49546986683135544286507457936321625675700192471156785154${String(index).padStart(4, '0')}`,
    approximateArrivalTimestamp: ARRIVAL + index,
    data: Buffer.from(text).toString('base64'),
  };
}

function event(name, texts) {
  const body = {
    invocationId: `00540a87-5050-496a-84e4-e7d92bbaf5e2-${name}`,
    deliveryStreamArn: STREAM_ARN,
    region: 'us-east-1',
    records: texts.map((text, i) =>
      typeof text === 'string' ? record(i, text) : { ...record(i, ''), ...text }
    ),
  };
  writeFileSync(`events/${name}.json`, `${JSON.stringify(body, null, 2)}\n`);
}

const wrap = (line) => JSON.stringify({ message: line });

event('firehose-v2-default', [
  ...V2.map(wrap),
  `${wrap(V2[0])}\n`,
  `${V2[1]}\n`,
]);
event('firehose-v5-custom', V5.map(wrap));
event('firehose-tgw', TGW.map(wrap));
event('firehose-v7-v8', V7V8.map(wrap));

function cloudWatch(messageType, messages) {
  const envelope = {
    messageType,
    owner:
      messageType === 'CONTROL_MESSAGE' ? 'CloudwatchLogs' : '123456789010',
    logGroup: messageType === 'CONTROL_MESSAGE' ? '' : 'vpc-flow-logs',
    logStream:
      messageType === 'CONTROL_MESSAGE' ? '' : 'eni-1235b8ca123456789-all',
    subscriptionFilters:
      messageType === 'CONTROL_MESSAGE' ? [] : ['to-firehose'],
    logEvents: messages.map((message, i) => ({
      id: `3195310660696698337880902507980421114328961542429EXAMPLE${i}`,
      timestamp: 1432826855000,
      message,
    })),
  };
  return { data: gzipSync(JSON.stringify(envelope)).toString('base64') };
}

event('firehose-cloudwatch-logs', [
  cloudWatch('DATA_MESSAGE', V2.slice(0, 3)),
  cloudWatch('CONTROL_MESSAGE', [
    'CWL CONTROL MESSAGE: Checking health of destination Firehose.',
  ]),
  cloudWatch('DATA_MESSAGE', V2.slice(4)),
]);

event('firehose-mixed-malformed', [
  wrap(V2[0]),
  wrap(
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT'
  ),
  wrap(
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 twenty 4249 1418530010 1418530070 ACCEPT OK'
  ),
  wrap(V2[2]),
  { data: 'not base64!' },
  wrap(
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 18446744073709551616 1418530010 1418530070 ACCEPT OK'
  ),
  '',
  wrap(
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 18446744073709551615 4249 1418530010 1418530070 ACCEPT OK'
  ),
]);
