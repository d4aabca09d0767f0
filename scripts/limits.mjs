// npm run bench:limits -- [--class NAME]… [--timeout-s S] [--no-build]
// Measures the worst per-record CPU time and the peak RSS of the bundled
// handler on the hostile input classes of issue #9, each class in its own
// child process (RSS from process.resourceUsage().maxRSS in the child), and
// prints them against the targets: no record over 50 ms of CPU, no legal
// 6 MB event over 256 MiB RSS. A measurement, not a test: see docs/fuzzing.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const USAGE = `usage: npm run bench:limits -- [options]

Runs each hostile input class of issue #9 through the bundled handler
(REINGEST=false, default settings, VPC default format) in its own child
process and prints, per class: the worst CPU time of one record, the
event's CPU and wall time, and the child's peak RSS.

options:
  --class NAME    only this class (repeatable); one of:
                  ${'%CLASSES%'}
  --repeat N      single-record runs per record shape after a warm-up on good
                  records; the worst is kept
                  (default 3)
  --max-decompressed N
                  MAX_DECOMPRESSED_BYTES of the function, and the size the
                  gzip shapes inflate to (default 8388608, the largest
                  accepted value)
  --timeout-s S   a class still running after S seconds is stopped and
                  reported as such (default 180)
  --no-build      use the existing bundle instead of rebuilding it
  -h, --help      this text`;

/** Targets of issue #9. */
const RECORD_CPU_TARGET_MS = 50;
const EVENT_RSS_TARGET_MIB = 256;
/**
 * MAX_DECOMPRESSED_BYTES for the run: by default the largest value the
 * function accepts, the worst case a setting allows (--max-decompressed).
 */
let MAX_INFLATED = 8_388_608;
/** A legal event: under Lambda's 6 MB synchronous request payload. */
const EVENT_BYTES = 6_000_000;
const BUNDLE = 'dist/flow-log-processor/index.mjs';
const VPC_DEFAULT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';
const GOOD_LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

/** The 8,180-byte-class gzip: `{` then `} {` up to the inflation cap. */
function braceRuns() {
  const n = Math.floor((MAX_INFLATED - 2) / 3);
  return gzipSync(`{${'} {'.repeat(n)}}`, { level: 9 });
}

/** gzip of one envelope of as many empty log events as the cap allows. */
function tinyEvents() {
  const event = '{"id":"","timestamp":0,"message":""},';
  const head = '{"messageType":"DATA_MESSAGE","logEvents":[';
  const n = Math.floor((MAX_INFLATED - head.length - 60) / event.length);
  return gzipSync(
    `${head}${event.repeat(n)}{"id":"","timestamp":0,"message":""}]}`,
    { level: 9 }
  );
}

function spacesGzip() {
  return gzipSync(Buffer.alloc(MAX_INFLATED, 0x20), { level: 9 });
}

/** 1,000 KiB of spaces with one line at the end (Firehose's largest record). */
function spacesRaw() {
  return Buffer.concat([
    Buffer.alloc(1_024_000 - GOOD_LINE.length, 0x20),
    Buffer.from(GOOD_LINE),
  ]);
}

/** A 600 KB malformed record: one line of 600,000 non-blank bytes. */
function malformed600k() {
  return Buffer.alloc(600_000, 0x78);
}

/** A gzip bomb: 64 MiB of zeros (about 64 KB compressed). */
function bomb() {
  return gzipSync(Buffer.alloc(64 << 20), { level: 9 });
}

function goodRecord() {
  return Buffer.from(`${GOOD_LINE}\n`.repeat(50));
}

/** Records (Buffers) until the event's JSON nears EVENT_BYTES. */
function fill(shapes) {
  const out = [];
  let bytes = 200;
  for (let i = 0; ; i++) {
    const data = shapes[i % shapes.length];
    const size = Math.ceil(data.length / 3) * 4 + 90;
    if (bytes + size > EVENT_BYTES) break;
    out.push(data);
    bytes += size;
  }
  return out;
}

/** Each class: the record shapes timed alone, and the whole event. */
const CLASSES = {
  'brace-runs': () => {
    const r = braceRuns();
    return { shapes: [r], records: [r] };
  },
  'brace-runs x10': () => {
    const r = braceRuns();
    return { shapes: [r], records: Array(10).fill(r) };
  },
  'tiny-log-events': () => {
    const r = tinyEvents();
    return { shapes: [r], records: [r] };
  },
  spaces: () => {
    const g = spacesGzip();
    const raw = spacesRaw();
    return { shapes: [g, raw], records: [g, raw] };
  },
  'malformed-600k x7 + good': () => {
    const m = malformed600k();
    const g = goodRecord();
    return { shapes: [m, g], records: [...Array(7).fill(m), g] };
  },
  'legal-6MB-hostile': () => {
    const shapes = [braceRuns(), tinyEvents(), spacesGzip()];
    return { shapes, records: fill(shapes) };
  },
  'gzip-bombs x10': () => {
    const b = bomb();
    return { shapes: [b], records: Array(10).fill(b) };
  },
};

function eventOf(records) {
  return {
    invocationId: 'limits',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/limits',
    region: 'us-east-1',
    records: records.map((data, i) => ({
      recordId: `r${i}`,
      approximateArrivalTimestamp: 1_700_000_000_000 + i,
      data: data.toString('base64'),
    })),
  };
}

function context() {
  return {
    functionName: 'FlowLogProcessorFunction',
    awsRequestId: 'limits',
    invokedFunctionArn:
      'arn:aws:lambda:us-east-1:123456789012:function:FlowLogProcessorFunction',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 900_000,
  };
}

const mib = (kib) => kib / 1024;

/** Child: loads the bundle, times each shape alone, then the whole event. */
async function child(dir, repeat) {
  Object.assign(process.env, {
    FLOW_LOG_FORMAT: VPC_DEFAULT,
    REINGEST: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    MAX_DECOMPRESSED_BYTES: String(MAX_INFLATED),
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  const { handler } = await import(pathToFileURL(resolve(BUNDLE)).href);
  const shapes = JSON.parse(readFileSync(join(dir, 'shapes.json'), 'utf8'));
  // Warm the handler (JIT, lazy module state) on good records first: the
  // figure is the cost of the hostile record, not of a cold start.
  const warm = eventOf(Array(10).fill(goodRecord()));
  for (let i = 0; i < 20; i++) await handler(warm, context());
  const baseline = mib(process.resourceUsage().maxRSS);
  let worstMs = 0;
  for (const data of shapes) {
    const event = eventOf([Buffer.from(data, 'base64')]);
    for (let i = 0; i < repeat; i++) {
      const before = process.cpuUsage();
      await handler(event, context());
      const used = process.cpuUsage(before);
      worstMs = Math.max(worstMs, (used.user + used.system) / 1000);
    }
  }
  const eventText = readFileSync(join(dir, 'event.json'), 'utf8');
  const event = JSON.parse(eventText);
  const before = process.cpuUsage();
  const started = performance.now();
  const response = await handler(event, context());
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(before);
  const results = {};
  for (const r of response.records)
    results[r.result] = (results[r.result] ?? 0) + 1;
  write(
    `${JSON.stringify({
      records: event.records.length,
      eventBytes: Buffer.byteLength(eventText),
      worstRecordMs: worstMs,
      eventCpuMs: (used.user + used.system) / 1000,
      wallMs,
      baselineMiB: baseline,
      peakMiB: mib(process.resourceUsage().maxRSS),
      responseBytes: Buffer.byteLength(JSON.stringify(response)),
      results,
    })}\n`
  );
}

function measure(name, repeat, timeoutS) {
  const dir = mkdtempSync(join(tmpdir(), 'limits-'));
  try {
    const { shapes, records } = CLASSES[name]();
    writeFileSync(
      join(dir, 'shapes.json'),
      JSON.stringify(shapes.map((s) => s.toString('base64')))
    );
    writeFileSync(join(dir, 'event.json'), JSON.stringify(eventOf(records)));
    const run = spawnSync(
      process.execPath,
      [
        import.meta.filename,
        ...['--child', dir, '--repeat', String(repeat)],
        ...['--max-decompressed', String(MAX_INFLATED)],
      ],
      { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 1 << 20 }
    );
    if (run.error?.code === 'ETIMEDOUT' || run.signal === 'SIGTERM') {
      return {
        name,
        timedOut: true,
        records: records.length,
        shapeBytes: shapes.map((s) => s.length),
      };
    }
    if (run.status !== 0) {
      return {
        name,
        failed: (run.stderr || `exit ${run.status}`)
          .trim()
          .split('\n')
          .slice(-3)
          .join(' | '),
        records: records.length,
        shapeBytes: shapes.map((s) => s.length),
      };
    }
    return {
      name,
      shapeBytes: shapes.map((s) => s.length),
      ...JSON.parse(run.stdout.trim().split('\n').pop()),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const num = (n, digits = 0) =>
  n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });

function row(m, timeoutS) {
  const shapes = m.shapeBytes.map((b) => num(b)).join(' / ');
  if (m.timedOut || m.failed) {
    const what = m.timedOut
      ? `still running after ${timeoutS} s (stopped)`
      : `child failed: ${m.failed}`;
    return `| ${m.name} | ${num(m.records)} | ${shapes} | ${what} | | | | | ✗ |`;
  }
  const ok =
    m.worstRecordMs <= RECORD_CPU_TARGET_MS &&
    m.peakMiB <= EVENT_RSS_TARGET_MIB;
  const results = Object.entries(m.results)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return `| ${m.name} | ${num(m.records)} (${num(m.eventBytes / 1e6, 2)} MB) | ${shapes} | ${num(m.worstRecordMs, 1)} | ${num(m.eventCpuMs / 1000, 2)} / ${num(m.wallMs / 1000, 2)} | ${num(m.peakMiB)} (base ${num(m.baselineMiB)}) | ${results} | ${num(m.responseBytes)} | ${ok ? '✓' : '✗'} |`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      class: { type: 'string', multiple: true },
      repeat: { type: 'string', default: '3' },
      'timeout-s': { type: 'string', default: '180' },
      'max-decompressed': { type: 'string', default: '8388608' },
      'no-build': { type: 'boolean', default: false },
      child: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const names = Object.keys(CLASSES);
  if (values.help) {
    console.log(USAGE.replace('%CLASSES%', names.join(', ')));
    return;
  }
  MAX_INFLATED = Number(values['max-decompressed']);
  if (!Number.isInteger(MAX_INFLATED) || MAX_INFLATED < 1024) {
    throw new Error(
      `--max-decompressed: '${values['max-decompressed']}' is not a whole number ≥ 1024`
    );
  }
  const repeat = Number(values.repeat);
  const timeoutS = Number(values['timeout-s']);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error(`--repeat: '${values.repeat}' is not a whole number ≥ 1`);
  if (!(timeoutS > 0))
    throw new Error(
      `--timeout-s: '${values['timeout-s']}' is not a positive number`
    );
  if (values.child !== undefined) {
    await child(values.child, repeat);
    return;
  }
  const chosen = values.class ?? names;
  for (const name of chosen) {
    if (!names.includes(name))
      throw new Error(
        `--class: unknown '${name}'; one of: ${names.join(', ')}`
      );
  }
  if (!values['no-build'])
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  console.log(
    `targets: no record over ${RECORD_CPU_TARGET_MS} ms CPU; no legal 6 MB event over ${EVENT_RSS_TARGET_MIB} MiB RSS (Node ${process.version}, MAX_DECOMPRESSED_BYTES ${num(MAX_INFLATED)})\n`
  );
  console.log(
    '| class | records (event) | record bytes | worst record CPU ms | event CPU / wall s | peak RSS MiB | results | response bytes | targets |'
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  let failures = 0;
  for (const name of chosen) {
    const m = measure(name, repeat, timeoutS);
    const text = row(m, timeoutS);
    if (text.endsWith('✗ |')) failures++;
    console.log(text);
  }
  console.log(
    failures === 0
      ? '\nall classes within the targets'
      : `\n${failures} class(es) over a target`
  );
}

main().catch((error) => {
  process.stderr.write(`limits: ${error.message}\n`);
  process.exitCode = 2;
});
