// Writes a Firehose transformation event of generated flow-log lines, sized by
// its JSON text as Lambda counts its request payload limit (6,291,456 bytes):
// one line per record, bare or in the {"message":"…"} wrapper that Direct PUT
// delivery writes, with 56-digit Kinesis-style recordIds and millisecond
// approximateArrivalTimestamps. The default (29-field v5, wrapped, 6.2 MB)
// overflows the response budget, so most records get re-ingested.
//   node scripts/make-big-event.mjs --help
// Deterministic for a seed. Prints the FLOW_LOG_FORMAT to run it with. The
// benchmark (npm run bench) and the re-ingestion e2e test use the same code.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { prng, V5_29_FORMAT } from './lib/seeded.mjs';

/** Lambda's request payload limit: the largest legal event JSON. */
const LAMBDA_REQUEST_LIMIT = 6_291_456;

/** The make-big-event default: about 6.2 MB, under the request limit. */
const DEFAULT_EVENT_BYTES = 6_200_000;

/** The default VPC flow log format (version 2, 14 fields). */
const V2_DEFAULT_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/**
 * 40 fields: the 29 of v5, the ten ECS fields of v7 and the `reject-reason`
 * of v8, in the order of AWS's field table.
 */
const V8_40_FORMAT = `${V5_29_FORMAT} \${ecs-cluster-arn} \${ecs-cluster-name} \${ecs-container-instance-arn} \${ecs-container-instance-id} \${ecs-container-id} \${ecs-second-container-id} \${ecs-service-name} \${ecs-task-definition-arn} \${ecs-task-arn} \${ecs-task-id} \${reject-reason}`;

/** Each generator format: its LogFormat, field count and line version. */
const FORMATS = {
  v2: { format: V2_DEFAULT_FORMAT, fields: 14, label: 'v2 default (14)' },
  v5: { format: V5_29_FORMAT, fields: 29, label: 'v5 (29)' },
  v8: { format: V8_40_FORMAT, fields: 40, label: 'v7/v8 (40)' },
};

/** The first recordId: a Kinesis sequence number, 56 digits. */
const FIRST_RECORD_ID =
  49546986683135544286507457936321625675700192471156785154n;

/** Kinesis sequence numbers grow by uneven steps; this one is fixed. */
const RECORD_ID_STEP = 1_000_003_761n;

/** 2023-11-14T22:13:20Z, in ms: the first approximateArrivalTimestamp. */
const FIRST_ARRIVAL_MS = 1_700_000_000_000;

/** Public addresses inside the bundled ip-ranges sample, and others. */
const AWS_PREFIXES = ['52.4', '52.5', '54.80', '54.81', '13.54', '50.16'];
const OTHER_PREFIXES = ['34.117', '104.16', '185.199', '151.101'];

function pick(random, values) {
  return values[Math.floor(random() * values.length)];
}

/** Address makers over one PRNG. */
function addresses(random) {
  const int = (max) => Math.floor(random() * max);
  const octets = () => `${int(256)}.${1 + int(254)}`;
  const hex4 = () => int(65536).toString(16);
  return {
    private: () => (random() < 0.7 ? `10.0.${octets()}` : `172.31.${octets()}`),
    public: () =>
      `${pick(random, random() < 0.6 ? AWS_PREFIXES : OTHER_PREFIXES)}.${octets()}`,
    v6: () => `2600:1f18:${hex4()}:${hex4()}::${hex4()}`,
  };
}

/**
 * One flow: addresses, ports, protocol and counters, about as a VPC sees
 * them (mostly TCP, 60% with a public peer, 3% IPv6).
 */
function flowMaker(random) {
  const int = (max) => Math.floor(random() * max);
  const ip = addresses(random);
  return () => {
    const v6 = random() < 0.03;
    const local = v6 ? ip.v6() : ip.private();
    const remote = v6 ? ip.v6() : random() < 0.6 ? ip.public() : ip.private();
    const egress = random() < 0.5;
    const r = random();
    const protocol = r < 0.8 ? 6 : r < 0.97 ? 17 : v6 ? 58 : 1;
    const service = pick(random, [443, 22, 80, 3389, 53, 5432, 8080]);
    const ephemeral = 1024 + int(64512);
    const icmp = protocol === 1 || protocol === 58;
    const packets = 1 + int(random() < 0.9 ? 50 : 50000);
    const start = 1_700_000_000 + int(86_400);
    return {
      v6,
      egress,
      protocol,
      src: egress ? local : remote,
      dst: egress ? remote : local,
      srcport: icmp ? 0 : egress ? ephemeral : service,
      dstport: icmp ? 0 : egress ? service : ephemeral,
      packets,
      bytes: packets * (40 + int(1460)),
      start,
      end: start + 1 + int(60),
      action: random() < 0.2 ? 'REJECT' : 'ACCEPT',
      tcpFlags: protocol === 6 ? pick(random, [2, 18, 3, 19, 1, 0]) : 0,
      awsPeer: !v6 && AWS_PREFIXES.some((p) => remote.startsWith(`${p}.`)),
    };
  };
}

/** Resource ids of one generated account. */
function idMaker(random) {
  const hex = (n) =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16))
      .join('')
      .padStart(n, '0');
  return { hex, eni: () => `eni-${hex(17)}` };
}

/** A v2 line; 1% are NODATA/SKIPDATA lines with their fields `-`. */
function v2Line(random, flow, ids) {
  const f = flow();
  const eni = ids.eni();
  if (random() < 0.01) {
    const status = random() < 0.5 ? 'NODATA' : 'SKIPDATA';
    return `2 123456789012 ${eni} - - - - - - - ${f.start} ${f.end} - ${status}`;
  }
  return `2 123456789012 ${eni} ${f.src} ${f.dst} ${f.srcport} ${f.dstport} ${f.protocol} ${f.packets} ${f.bytes} ${f.start} ${f.end} ${f.action} OK`;
}

/** The 29 fields of a v5 line (without the version). */
function v5Fields(random, f, ids) {
  const awsSide = f.awsPeer ? pick(random, ['S3', 'DYNAMODB', 'EC2']) : '-';
  const path = f.egress ? 1 + Math.floor(random() * 8) : '-';
  return [
    f.src,
    f.dst,
    f.srcport,
    f.dstport,
    f.protocol,
    f.start,
    f.end,
    f.v6 ? 'IPv6' : 'IPv4',
    f.packets,
    f.bytes,
    '123456789012',
    `vpc-${ids.hex(17)}`,
    `subnet-${ids.hex(17)}`,
    `i-${ids.hex(17)}`,
    ids.eni(),
    'us-east-1',
    `use1-az${1 + Math.floor(random() * 6)}`,
    '-',
    '-',
    f.action,
    f.tcpFlags,
    f.src,
    f.dst,
    f.egress ? '-' : awsSide,
    f.egress ? awsSide : '-',
    path,
    f.egress ? 'egress' : 'ingress',
    'OK',
  ].join(' ');
}

/** The 11 v7/v8 fields: ECS task metadata on half the lines. */
function ecsFields(random, f, ids) {
  const reject = f.action === 'REJECT' && random() < 0.1 ? 'BPA' : '-';
  if (random() < 0.5) return `- - - - - - - - - - ${reject}`;
  const arn = 'arn:aws:ecs:us-east-1:123456789012';
  const task = ids.hex(32);
  const instance = ids.hex(32);
  return [
    `${arn}:cluster/web`,
    'web',
    `${arn}:container-instance/web/${instance}`,
    instance,
    ids.hex(64),
    random() < 0.3 ? ids.hex(64) : '-',
    'checkout',
    `${arn}:task-definition/checkout:42`,
    `${arn}:task/web/${task}`,
    task,
    reject,
  ].join(' ');
}

/** A line maker for a generator format name. */
function lineMaker(name, random) {
  const flow = flowMaker(random);
  const ids = idMaker(random);
  if (name === 'v2') return () => v2Line(random, flow, ids);
  if (name === 'v5') return () => `5 ${v5Fields(random, flow(), ids)}`;
  return () => {
    const f = flow();
    return `8 ${v5Fields(random, f, ids)} ${ecsFields(random, f, ids)}`;
  };
}

/**
 * A Firehose event whose JSON is at most `bytes` long (and at most `records`
 * records): one generated line per record, LF-terminated.
 *
 * @param options.format - 'v2' | 'v5' | 'v8' (see FORMATS)
 * @param options.wrapped - each line as {"message":"…"} (default true)
 * @param options.bytes - most bytes of event JSON (default 6,200,000)
 * @param options.records - most records (default unlimited)
 * @param options.seed - PRNG seed (default 42)
 * @returns `{ event, json, lines, textBytes }`: the event, its JSON text, the
 *   line count and the bytes of flow-log text (LF included, wrapper excluded)
 */
function makeEvent({
  format = 'v5',
  wrapped = true,
  bytes = DEFAULT_EVENT_BYTES,
  records: maxRecords = Number.POSITIVE_INFINITY,
  seed = 42,
} = {}) {
  const random = prng(seed);
  const nextLine = lineMaker(format, random);
  const event = {
    invocationId: '00540a87-5050-496a-84e4-e7d92bbaf5e2',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/flow-logs',
    region: 'us-east-1',
    records: [],
  };
  let size = JSON.stringify(event).length;
  let textBytes = 0;
  let recordId = FIRST_RECORD_ID;
  for (let i = 0; i < maxRecords; i++) {
    const line = nextLine();
    const data = wrapped
      ? `${JSON.stringify({ message: line })}\n`
      : `${line}\n`;
    const record = {
      recordId: String(recordId),
      approximateArrivalTimestamp: FIRST_ARRIVAL_MS + Math.floor(i / 7),
      data: Buffer.from(data).toString('base64'),
    };
    const grown = size + JSON.stringify(record).length + (i > 0 ? 1 : 0);
    if (grown > bytes) break;
    event.records.push(record);
    size = grown;
    textBytes += line.length + 1;
    recordId += RECORD_ID_STEP;
  }
  return {
    event,
    json: JSON.stringify(event),
    lines: event.records.length,
    textBytes,
  };
}

/**
 * The maximal 29-field v5 event of the re-ingestion docs and e2e test.
 *
 * @returns the event object
 */
function makeBigEvent({ bytes = DEFAULT_EVENT_BYTES, seed = 42 } = {}) {
  return makeEvent({ format: 'v5', wrapped: true, bytes, seed }).event;
}

const HELP = `Usage: node scripts/make-big-event.mjs [OUT.json] [options]

Writes a Firehose event of generated flow-log lines (one line per record),
sized by its JSON text, and prints the FLOW_LOG_FORMAT to run it with.

Options:
  --format v2|v5|v8  v2 default (14 fields), v5 (29), v7/v8 (40) (default v5)
  --bare             one bare line per record instead of {"message":"…"}
  --bytes N          most bytes of event JSON (default ${DEFAULT_EVENT_BYTES};
                     Lambda's request limit is ${LAMBDA_REQUEST_LIMIT})
  --seed N           PRNG seed (default 42)
  -h, --help         this text
`;

function readArgs(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'v5' },
      bare: { type: 'boolean', default: false },
      bytes: { type: 'string', default: String(DEFAULT_EVENT_BYTES) },
      seed: { type: 'string', default: '42' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const bytes = Number(values.bytes);
  const seed = Number(values.seed);
  if (!Object.hasOwn(FORMATS, values.format)) {
    throw new Error(
      `--format '${values.format}' is not allowed; expected v2, v5 or v8`
    );
  }
  if (!Number.isSafeInteger(bytes) || bytes < 200) {
    throw new Error(
      `--bytes '${values.bytes}' is not allowed; expected a whole number >= 200`
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new Error(
      `--seed '${values.seed}' is not allowed; expected an integer`
    );
  }
  return {
    help: values.help,
    out: positionals[0] ?? 'big-event.json',
    format: values.format,
    wrapped: !values.bare,
    bytes,
    seed,
  };
}

// Also bundled into the benchmark, whose own file is then argv[1].
const isMain =
  /make-big-event\.mjs$/.test(process.argv[1] ?? '') &&
  import.meta.url === pathToFileURL(process.argv[1] ?? '').href;

if (isMain) {
  try {
    const args = readArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(HELP);
    } else {
      const { json, lines } = makeEvent(args);
      writeFileSync(args.out, json);
      process.stderr.write(
        `wrote ${args.out}: ${lines} records, ${json.length} bytes\n` +
          `run it with FLOW_LOG_FORMAT='${FORMATS[args.format].format}'\n`
      );
    }
  } catch (error) {
    process.stderr.write(`make-big-event: ${error.message}\n${HELP}`);
    process.exitCode = 2;
  }
}

export {
  FORMATS,
  LAMBDA_REQUEST_LIMIT,
  makeBigEvent,
  makeEvent,
  V2_DEFAULT_FORMAT,
  V5_29_FORMAT,
  V8_40_FORMAT,
};
