// Writes samples/*.log.gz: realistic flow-log files as AWS delivers them to
// S3 (header line, gzip, S3 object naming) in three formats, for `npm start`.
// Seeded: every run writes the same bytes.
//   node scripts/generate-samples.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { prng } from './lib/seeded.mjs';

const USAGE = `usage: node scripts/generate-samples.mjs [--help]

Writes samples/*.log.gz: 25,003 flow-log lines in three formats (VPC v2
default, the 29-field v5 format, the Transit Gateway default), gzip with a
header line and S3 object names, as AWS delivers them to S3. Seeded: every
run writes the same bytes. npm start replays them; see docs/replay.md.`;

/** `--help` prints USAGE; anything else is refused with it (exit 2). */
function readOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    process.stderr.write(`generate-samples: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
}

readOptions();

/** 2026-11-24T00:00:00Z, the hour the samples cover. */
const T0 = 1_795_478_400;
/** Minutes of traffic per file: about twenty 60-second Firehose batches. */
const MINUTES = 20;

function tools(seed) {
  const random = prng(seed);
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const pick = (items) => items[Math.floor(random() * items.length)];
  // Skewed choice: a few items get most of the picks, as real traffic does.
  const skewed = (items) => items[Math.floor(random() ** 3 * items.length)];
  const hex = (n) =>
    Array.from({ length: n }, () => int(0, 15).toString(16)).join('');
  return { random, int, pick, skewed, hex };
}

const ACCOUNT = '123456789012';
// Documentation ranges (RFC 5737) stand in for internet hosts.
const SCANNERS = [
  '198.51.100.23',
  '203.0.113.77',
  '192.0.2.150',
  '198.51.100.201',
  '203.0.113.9',
];
const SCANNED_PORTS = [22, 3389, 23, 445, 1433, 5900];

/** One flow: a 5-tuple, counters, action, in a minute of the window. */
function flow(t, minute) {
  const { random, int, pick, skewed } = t;
  const start = T0 + minute * 60 + int(0, 59);
  const end = start + int(1, 60);
  const host = () => `10.0.${int(1, 4)}.${int(4, 250)}`;
  const roll = random();
  if (roll < 0.12) {
    return {
      src: skewed(SCANNERS),
      dst: host(),
      srcport: int(1024, 65535),
      dstport: skewed(SCANNED_PORTS),
      protocol: 6,
      packets: int(1, 3),
      bytes: int(40, 180),
      start,
      end,
      action: 'REJECT',
    };
  }
  if (roll < 0.2) {
    return {
      src: host(),
      dst: '10.0.0.2',
      srcport: int(1024, 65535),
      dstport: 53,
      protocol: 17,
      packets: int(1, 4),
      bytes: int(60, 400),
      start,
      end,
      action: 'ACCEPT',
    };
  }
  const outbound = random() < 0.6;
  const remote = `${pick(['52.94', '54.239', '3.5', '18.64'])}.${int(0, 255)}.${int(1, 254)}`;
  const port = pick([443, 443, 443, 80, 5432, 6379]);
  const ephemeral = int(32768, 60999);
  return outbound
    ? {
        src: host(),
        dst: remote,
        srcport: ephemeral,
        dstport: port,
        protocol: 6,
        packets: int(2, 900),
        bytes: int(120, 1_400_000),
        start,
        end,
        action: 'ACCEPT',
      }
    : {
        src: remote,
        dst: host(),
        srcport: ephemeral,
        dstport: 443,
        protocol: 6,
        packets: int(2, 400),
        bytes: int(120, 600_000),
        start,
        end,
        action: 'ACCEPT',
      };
}

const V2_FIELDS =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

function v2Line(t, f, eni) {
  if (t.random() < 0.01) {
    return `2 ${ACCOUNT} ${eni} - - - - - - - ${f.start} ${f.end} - ${t.pick(['NODATA', 'SKIPDATA'])}`;
  }
  return `2 ${ACCOUNT} ${eni} ${f.src} ${f.dst} ${f.srcport} ${f.dstport} ${f.protocol} ${f.packets} ${f.bytes} ${f.start} ${f.end} ${f.action} OK`;
}

const V5_FIELDS =
  'version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status';

function v5Line(t, f, eni) {
  const egress = f.src.startsWith('10.');
  const flags = f.protocol === 6 ? t.pick([2, 3, 18, 19, 1]) : 0;
  const service = !egress && f.src.startsWith('52.') ? 'S3' : '-';
  return [
    5,
    f.src,
    f.dst,
    f.srcport,
    f.dstport,
    f.protocol,
    f.start,
    f.end,
    'IPv4',
    f.packets,
    f.bytes,
    ACCOUNT,
    'vpc-0a1b2c3d4e5f60718',
    eni.subnet,
    eni.instance,
    eni.id,
    'us-east-1',
    t.pick(['use1-az1', 'use1-az2']),
    '-',
    '-',
    f.action,
    flags,
    f.src,
    f.dst,
    service,
    egress && f.dst.startsWith('52.') ? 'S3' : '-',
    egress ? t.pick([1, 8]) : '-',
    egress ? 'egress' : 'ingress',
    'OK',
  ].join(' ');
}

const TGW_FIELDS =
  'version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service';

function tgwLine(t, f) {
  const a = {
    att: 'tgw-attach-0a1b2c3d4e5f60718',
    vpc: 'vpc-0a1b2c3d4e5f60718',
    subnet: 'subnet-0a1b2c3d4e5f60718',
    eni: 'eni-0a1b2c3d4e5f60718',
    az: 'use1-az1',
  };
  const b = {
    att: 'tgw-attach-0f1e2d3c4b5a69788',
    vpc: 'vpc-0f1e2d3c4b5a69788',
    subnet: 'subnet-0f1e2d3c4b5a69788',
    eni: 'eni-0f1e2d3c4b5a69788',
    az: 'use1-az2',
  };
  const [src, dst] = t.random() < 0.5 ? [a, b] : [b, a];
  const lost = t.random() < 0.02 ? t.int(1, 20) : 0;
  const dstAddr = `10.1.${t.int(1, 4)}.${t.int(4, 250)}`;
  return [
    6,
    'TransitGateway',
    ACCOUNT,
    'tgw-0123456789abcdef0',
    src.att,
    ACCOUNT,
    ACCOUNT,
    src.vpc,
    dst.vpc,
    src.subnet,
    dst.subnet,
    src.eni,
    dst.eni,
    src.az,
    dst.az,
    dst.att,
    f.src.startsWith('10.') ? f.src : '10.0.1.10',
    dstAddr,
    f.srcport,
    f.dstport,
    f.protocol,
    f.packets,
    f.bytes,
    f.start,
    f.end,
    'OK',
    'IPv4',
    0,
    lost,
    0,
    0,
    f.protocol === 6 ? 3 : 0,
    'us-east-1',
    t.pick(['ingress', 'egress']),
    '-',
    '-',
  ].join(' ');
}

function file(seed, lines, header, toLine) {
  const t = tools(seed);
  const out = [header];
  for (let i = 0; i < lines; i++) {
    out.push(toLine(t, flow(t, Math.floor((i * MINUTES) / lines))));
  }
  return out;
}

const SAMPLES = [
  {
    name: `${ACCOUNT}_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261124T0000Z_1a2b3c4d.log.gz`,
    lines: () => {
      const enis = [
        'eni-0a1b2c3d4e5f60718',
        'eni-0b2c3d4e5f6071829',
        'eni-0c3d4e5f607182930',
      ];
      const out = file(1, 12_000, V2_FIELDS, (t, f) =>
        v2Line(t, f, t.pick(enis))
      );
      // Three damaged lines, as a cut-off upload might leave: they come back
      // ProcessingFailed and land in processing-failed/.
      out.splice(
        4000,
        0,
        `2 ${ACCOUNT} eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.9 443`
      );
      out.splice(
        8000,
        0,
        `2 ${ACCOUNT} eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.9 x443 80 6 1 40 ${T0 + 480} ${T0 + 540} ACCEPT OK`
      );
      out.splice(
        11000,
        0,
        `2 ${ACCOUNT} eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.9 443 80 6 1 40 ${T0 + 660} ${T0 + 720} ACCEPT OK extra`
      );
      return out;
    },
  },
  {
    name: `${ACCOUNT}_vpcflowlogs_us-east-1_fl-0fedcba9876543210_20261124T0000Z_5e6f7a8b.log.gz`,
    lines: () => {
      const enis = [1, 2, 3, 4].map((n) => ({
        id: `eni-0${n}1b2c3d4e5f60718`,
        subnet: `subnet-0${n}1b2c3d4e5f60718`,
        instance: `i-0${n}1b2c3d4e5f60718`,
      }));
      return file(2, 8_000, V5_FIELDS, (t, f) => v5Line(t, f, t.pick(enis)));
    },
  },
  {
    name: `${ACCOUNT}_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_20261124T0000Z_9c0d1e2f.log.gz`,
    lines: () => file(3, 5_000, TGW_FIELDS, tgwLine),
  },
];

mkdirSync('samples', { recursive: true });
let total = 0;
for (const sample of SAMPLES) {
  const gz = gzipSync(`${sample.lines().join('\n')}\n`, { level: 9 });
  writeFileSync(`samples/${sample.name}`, gz);
  total += gz.length;
  console.log(`samples/${sample.name}  ${gz.length} bytes`);
}
console.log(`total ${total} bytes`);
