// Writes a maximal Firehose event: about 6.2 MB of JSON (Lambda takes
// 6,291,456 bytes) of 29-field version-5 flow-log lines, one line per record
// wrapped as {"message":"…"}, as Direct PUT delivers them. Its response
// would be about 2.5 times larger, so most records get re-ingested.
//   node scripts/make-big-event.mjs [OUT.json] [--bytes N] [--seed N]
// Deterministic for a seed. Prints the FLOW_LOG_FORMAT to run it with.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { prng, V5_29_FORMAT } from './lib/seeded.mjs';

/** Lambda's request payload limit, with room for the invoke wrapper. */
const DEFAULT_EVENT_BYTES = 6_200_000;

function lineMaker(random) {
  const int = (max) => Math.floor(random() * max);
  const ip = () => `10.${int(256)}.${int(256)}.${int(256)}`;
  const hex = (n) =>
    Array.from({ length: n }, () => int(16).toString(16)).join('');
  return () => {
    const start = 1700000000 + int(86400);
    const src = ip();
    const dst = ip();
    const packets = 1 + int(5000);
    const egress = random() < 0.5;
    return [
      5,
      src,
      dst,
      int(65536),
      [443, 22, 80, 3389, 53][int(5)],
      6,
      start,
      start + 60,
      'IPv4',
      packets,
      packets * (40 + int(1400)),
      '123456789012',
      `vpc-${hex(17)}`,
      `subnet-${hex(17)}`,
      `i-${hex(17)}`,
      `eni-${hex(17)}`,
      'us-east-1',
      `use1-az${1 + int(6)}`,
      '-',
      '-',
      random() < 0.2 ? 'REJECT' : 'ACCEPT',
      [0, 2, 3, 18, 19][int(5)],
      src,
      dst,
      egress ? '-' : 'S3',
      egress ? 'S3' : '-',
      egress ? 1 + int(8) : '-',
      egress ? 'egress' : 'ingress',
      'OK',
    ].join(' ');
  };
}

/**
 * A Firehose event whose JSON is at most `bytes` long.
 *
 * @returns the event object
 */
function makeBigEvent({ bytes = DEFAULT_EVENT_BYTES, seed = 42 } = {}) {
  const random = prng(seed);
  const nextLine = lineMaker(random);
  const event = {
    invocationId: '00540a87-5050-496a-84e4-e7d92bbaf5e2-big',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/flow-logs',
    region: 'us-east-1',
    records: [],
  };
  let size = JSON.stringify(event).length;
  for (let i = 0; ; i++) {
    const data = `${JSON.stringify({ message: nextLine() })}\n`;
    const record = {
      recordId: `49546986683135544286507457936321625675700192471156785154${String(i).padStart(6, '0')}`,
      approximateArrivalTimestamp: 1700000000000 + i,
      data: Buffer.from(data).toString('base64'),
    };
    const grown = size + JSON.stringify(record).length + (i > 0 ? 1 : 0);
    if (grown > bytes) break;
    event.records.push(record);
    size = grown;
  }
  return event;
}

function parseArgs(argv) {
  const args = { out: 'big-event.json', bytes: DEFAULT_EVENT_BYTES, seed: 42 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--bytes') args.bytes = Number(argv[++i]);
    else if (arg === '--seed') args.seed = Number(argv[++i]);
    else args.out = arg;
  }
  if (!Number.isSafeInteger(args.bytes) || args.bytes < 200) {
    throw new Error(
      `--bytes '${args.bytes}' is not allowed; expected a whole number >= 200`
    );
  }
  return args;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = parseArgs(process.argv.slice(2));
  const event = makeBigEvent(args);
  const json = JSON.stringify(event);
  writeFileSync(args.out, json);
  process.stderr.write(
    `wrote ${args.out}: ${event.records.length} records, ${json.length} bytes\n` +
      `run it with FLOW_LOG_FORMAT='${V5_29_FORMAT}'\n`
  );
}

export { makeBigEvent, V5_29_FORMAT };
