// The timing half of npm run bench, run once per Node version by
// scripts/bench.mjs (which bundles it): OURS is the shipped handler bundle
// (dist/flow-log-processor/index.mjs), loaded once per case with that case's
// settings and called as the Lambda runtime calls it — JSON.parse of the
// event text, the handler, JSON.stringify of its result — beside FLOOR,
// FLOOR-EXACT and NAIVE (baselines.ts), interleaved in rotating order over
// many rounds without forced GC. A benchmark, not a test: nothing asserts,
// but a case whose records are not all Ok is reported and not timed.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type {
  Context,
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
} from 'aws-lambda';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { floor, floorExact, naive } from './baselines.ts';
import {
  allCases,
  type BenchCase,
  type CaseSize,
  SIZE_BYTES,
} from './cases.ts';
import {
  FORMATS,
  type GeneratedEvent,
  LAMBDA_REQUEST_LIMIT,
  makeSizedEvent,
} from './generate.ts';
import { type CaseResult, formatCaseLine, median } from './report.ts';

/** RESPONSE_BUDGET_BYTES' default, which the bench runs with. */
const RESPONSE_BUDGET_BYTES = 6_000_000;

/** Records per handler call when sizing: small enough never to overflow. */
const SIZING_CHUNK = 500;

type Handler = (
  event: unknown,
  context: Context
) => Promise<FirehoseTransformationResult>;

/** Settings every case shares: no AWS call can happen, nothing is logged. */
const BASE_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  // Port 9 (discard) on loopback: re-ingestion is off, but never reach AWS.
  AWS_ENDPOINT_URL_FIREHOSE: 'http://127.0.0.1:9',
  // An overflowing record must show as not Ok, not be re-ingested.
  REINGEST: 'false',
  // One summary line and one EMF flush per invocation are left out.
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'bench',
  // The SDK's notice that it will need Node 22 from 2027, once per case.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Settings a case sets; cleared before each case. */
const CASE_KEYS = [
  'FLOW_LOG_FORMAT',
  'OUTPUT_FORMAT',
  'ENRICH',
  'IP_RANGES_URL',
];

/** The ip-ranges.json sample shipped with the code, for `aws_service`. */
const IP_RANGES_SAMPLE = 'shared/enrich/data/ip-ranges.sample.json';

const CONTEXT = {
  awsRequestId: 'bench',
  functionName: 'FlowLogProcessorFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn:
    'arn:aws:lambda:us-east-1:123456789012:function:FlowLogProcessorFunction',
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/FlowLogProcessorFunction',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 120_000,
  done() {},
  fail() {},
  succeed() {},
} as Context;

/** Imports a fresh copy of the bundle with the case's settings. */
async function loadHandler(bundle: string, spec: BenchCase): Promise<Handler> {
  for (const key of CASE_KEYS) delete process.env[key];
  Object.assign(process.env, BASE_ENV, {
    FLOW_LOG_FORMAT: FORMATS[spec.format].format,
    OUTPUT_FORMAT: spec.output,
    ...(spec.enrich.length > 0 ? { ENRICH: spec.enrich.join(',') } : {}),
    // aws_service offline: the bundled sample, not AWS's URL.
    IP_RANGES_URL: pathToFileURL(resolve(IP_RANGES_SAMPLE)).href,
  });
  // A query makes a new module instance, so its cold start reads this env.
  const url = `${pathToFileURL(resolve(bundle)).href}?case=${encodeURIComponent(spec.name)}`;
  const module = (await import(url)) as { handler: Handler };
  return module.handler;
}

/** What one record of the response takes in the response JSON. */
function entryBytes(record: object): number {
  return Buffer.byteLength(JSON.stringify(record));
}

interface Sizing {
  /** Records of the event, in order, that were not Ok (first 3). */
  readonly notOk: ReadonlyArray<{ index: number; result: string }>;
  readonly notOkCount: number;
  /** The largest record count whose response fits the budget. */
  readonly fitting: number;
  /** The response bytes of the whole event, were it answered in one. */
  readonly responseBytes: number;
}

/**
 * Runs the handler on the event in chunks small enough never to overflow,
 * so a record that is not Ok there fails for itself, and adds up each
 * record's share of one response.
 */
async function size(
  handler: Handler,
  generated: GeneratedEvent
): Promise<Sizing> {
  const { event } = generated;
  const notOk: Array<{ index: number; result: string }> = [];
  let notOkCount = 0;
  // `{"records":[` + entries joined by `,` + `]}`.
  let bytes = 14 - 1;
  let fitting = 0;
  for (let at = 0; at < event.records.length; at += SIZING_CHUNK) {
    const records = event.records.slice(at, at + SIZING_CHUNK);
    const chunk = JSON.parse(JSON.stringify({ ...event, records }));
    const response = await handler(chunk, CONTEXT);
    response.records.forEach((record, i) => {
      if (record.result !== 'Ok') {
        notOkCount++;
        if (notOk.length < 3) {
          notOk.push({ index: at + i, result: record.result });
        }
      }
      bytes += entryBytes(record) + 1;
      if (bytes <= RESPONSE_BUDGET_BYTES) fitting = at + i + 1;
    });
  }
  return { notOk, notOkCount, fitting, responseBytes: bytes };
}

/** The event of a case: by its JSON size, or the largest legal one. */
async function eventFor(
  handler: Handler,
  spec: BenchCase
): Promise<{ generated: GeneratedEvent; sizing: Sizing }> {
  const options = { format: spec.format, wrapped: spec.wrapped };
  if (spec.size !== 'max') {
    const generated = makeSizedEvent({
      ...options,
      bytes: SIZE_BYTES[spec.size],
    });
    return { generated, sizing: await size(handler, generated) };
  }
  const legal = makeSizedEvent({ ...options, bytes: LAMBDA_REQUEST_LIMIT });
  const sizing = await size(handler, legal);
  if (sizing.notOkCount > 0 || sizing.fitting === legal.lines) {
    return { generated: legal, sizing };
  }
  const generated = makeSizedEvent({
    ...options,
    bytes: LAMBDA_REQUEST_LIMIT,
    records: sizing.fitting,
  });
  return { generated, sizing: await size(handler, generated) };
}

interface Contender {
  readonly name: 'FLOOR' | 'FLOOR-EXACT' | 'NAIVE' | 'OURS';
  run(): unknown;
}

/** Per contender, per round: wall ns and process CPU µs. */
type Samples = Record<string, { wall: number[]; cpu: number[] }>;

/**
 * Times the contenders over `rounds` rounds, each round in a rotated order
 * so none always runs first or after the same neighbour. No forced GC: each
 * pays for the garbage it and the others leave, as in a warm function.
 */
async function timeRounds(
  contenders: readonly Contender[],
  rounds: number,
  warmup: number,
  check: (result: unknown) => void
): Promise<Samples> {
  const samples: Samples = {};
  for (const c of contenders) samples[c.name] = { wall: [], cpu: [] };
  for (let round = -warmup; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(round + warmup + k) % contenders.length]!;
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      const result = await c.run();
      const wall = Number(process.hrtime.bigint() - start);
      const used = process.cpuUsage(cpu);
      if (c.name === 'OURS') check(result);
      if (round < 0) continue;
      samples[c.name]!.wall.push(wall);
      samples[c.name]!.cpu.push(used.user + used.system);
    }
  }
  return samples;
}

/** Median over rounds of a/b, taken per round, on wall or CPU time. */
function pairedRatio(
  samples: Samples,
  a: string,
  b: string,
  clock: 'wall' | 'cpu'
): number {
  const x = samples[a]![clock];
  const y = samples[b]![clock];
  return median(x.map((v, i) => v / y[i]!));
}

async function runCase(
  bundle: string,
  spec: BenchCase,
  options: { rounds: number; warmup: number }
): Promise<CaseResult> {
  const handler = await loadHandler(bundle, spec);
  const { generated, sizing } = await eventFor(handler, spec);
  const { json, lines, textBytes } = generated;
  const base = {
    name: spec.name,
    records: lines,
    fields: FORMATS[spec.format].fields,
    eventBytes: json.length,
    target: spec.target,
  };
  if (sizing.notOkCount > 0) {
    return {
      ...base,
      skipped: `${sizing.notOkCount} of ${lines} records not Ok on their own (first: ${sizing.notOk.map((r) => `#${r.index} ${r.result}`).join(', ')})`,
      firstFailing: generated.event.records[sizing.notOk[0]!.index]!.data,
    };
  }
  if (sizing.responseBytes > RESPONSE_BUDGET_BYTES) {
    return {
      ...base,
      skipped: `overflow: response would take ${sizing.responseBytes.toLocaleString('en-US')} B > RESPONSE_BUDGET_BYTES; its first ${sizing.fitting.toLocaleString('en-US')} records fit (the max case)`,
    };
  }
  const ours = async () => {
    const event = JSON.parse(json) as FirehoseTransformationEvent;
    const response = await handler(event, CONTEXT);
    return { response, text: JSON.stringify(response) };
  };
  const first = await ours();
  const outputs = first.response.records.map((r) =>
    Buffer.from(r.data ?? '', 'base64')
  );
  const fields = parseFormat(FORMATS[spec.format].format).fields;
  const contenders: Contender[] = [
    { name: 'FLOOR', run: () => floor(json) },
    { name: 'FLOOR-EXACT', run: () => floorExact(json, outputs) },
    ...(spec.output === 'json'
      ? [{ name: 'NAIVE' as const, run: () => naive(json, fields) }]
      : []),
    { name: 'OURS', run: ours },
  ];
  let calls = 0;
  let notOk = 0;
  const samples = await timeRounds(
    contenders,
    options.rounds,
    options.warmup,
    (result) => {
      calls++;
      const { response } = result as Awaited<ReturnType<typeof ours>>;
      for (const r of response.records) if (r.result !== 'Ok') notOk++;
    }
  );
  const wall = (name: string) =>
    samples[name] ? median(samples[name].wall) / 1e6 : undefined;
  const cpu = (name: string) =>
    samples[name] ? median(samples[name].cpu) / 1e3 : undefined;
  return {
    ...base,
    responseBytes: first.text.length,
    textBytes,
    rounds: options.rounds,
    calls,
    notOk,
    ms: {
      floor: wall('FLOOR')!,
      exact: wall('FLOOR-EXACT')!,
      naive: wall('NAIVE'),
      ours: wall('OURS')!,
    },
    cpuMs: {
      floor: cpu('FLOOR')!,
      exact: cpu('FLOOR-EXACT')!,
      naive: cpu('NAIVE'),
      ours: cpu('OURS')!,
    },
    ratio: {
      floor: pairedRatio(samples, 'OURS', 'FLOOR', 'wall'),
      exact: pairedRatio(samples, 'OURS', 'FLOOR-EXACT', 'wall'),
      naive: samples.NAIVE
        ? pairedRatio(samples, 'NAIVE', 'OURS', 'wall')
        : undefined,
    },
    cpuRatio: {
      floor: pairedRatio(samples, 'OURS', 'FLOOR', 'cpu'),
      exact: pairedRatio(samples, 'OURS', 'FLOOR-EXACT', 'cpu'),
      naive: samples.NAIVE
        ? pairedRatio(samples, 'NAIVE', 'OURS', 'cpu')
        : undefined,
    },
  };
}

const HELP = `Usage: node dist/bench/transform.bench.mjs [options]  (npm run bench runs it)
  --bundle PATH   the handler bundle (default dist/flow-log-processor/index.mjs)
  --rounds N      timed rounds per case (default 25)
  --warmup N      untimed rounds first (default 5)
  --size S        1MB, 3MB or max; repeatable (default all three)
  --case TEXT     only cases whose name contains TEXT; repeatable
  --json FILE     also write the results as JSON to FILE
`;

function readArgs() {
  const { values } = parseArgs({
    options: {
      bundle: {
        type: 'string',
        default: 'dist/flow-log-processor/index.mjs',
      },
      rounds: { type: 'string', default: '25' },
      warmup: { type: 'string', default: '5' },
      size: { type: 'string', multiple: true },
      case: { type: 'string', multiple: true },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const count = (name: 'rounds' | 'warmup', min: number) => {
    const n = Number(values[name]);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new Error(
        `--${name} '${values[name]}' is not allowed; expected a whole number >= ${min}`
      );
    }
    return n;
  };
  const sizes = (values.size ?? ['1MB', '3MB', 'max']).map((s) => {
    const size = ({ '1MB': '1 MB', '3MB': '3 MB', max: 'max' } as const)[
      s as '1MB'
    ];
    if (size === undefined) {
      throw new Error(`--size '${s}' is not allowed; expected 1MB, 3MB or max`);
    }
    return size as CaseSize;
  });
  return {
    bundle: values.bundle,
    rounds: count('rounds', 1),
    warmup: count('warmup', 0),
    sizes,
    filters: values.case ?? [],
    json: values.json,
  };
}

async function main(): Promise<void> {
  const args = readArgs();
  const cases = allCases(args.sizes).filter(
    (c) =>
      args.filters.length === 0 || args.filters.some((f) => c.name.includes(f))
  );
  const flags = process.execArgv.join(' ') || 'none';
  console.log(
    `node ${process.version} (${process.execPath}), ${process.arch}, ${cpus()[0]?.model ?? 'cpu unknown'}; flags: ${flags}; ` +
      `${args.rounds} rounds + ${args.warmup} warm-up per case, contenders interleaved in rotating order, no forced GC`
  );
  const results: CaseResult[] = [];
  for (const spec of cases) {
    const result = await runCase(args.bundle, spec, args);
    results.push(result);
    console.log(formatCaseLine(result));
  }
  if (args.json !== undefined) {
    writeFileSync(
      args.json,
      JSON.stringify({
        node: process.version,
        execPath: process.execPath,
        flags,
        arch: process.arch,
        cpu: cpus()[0]?.model,
        rounds: args.rounds,
        warmup: args.warmup,
        results,
      })
    );
  }
}

await main();
