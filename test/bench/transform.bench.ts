// npm run bench: times our transform beside FLOOR and NAIVE in one run, on
// generated events, and reports MB/s of flow-log text, ratios and memory.
// A benchmark, not a test: nothing here asserts.
import { execFileSync } from 'node:child_process';
import { createEnrichers, ENRICHER_NAMES } from '../../shared/enrich/index.ts';
import { transformBatch } from '../../shared/firehose/batch.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { createSerializer } from '../../shared/output/index.ts';
import { floor, floorWithOutput, naive } from './baselines.ts';
import { formatOf, makeEvent } from './generate.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 5;
const MB = 1024 * 1024;

/** Every enricher that needs no AWS call (all but eni and aws_service). */
const LOCAL_ENRICHERS = ENRICHER_NAMES.filter(
  (name) => name !== 'eni' && name !== 'aws_service'
);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Times the contenders interleaved, one run of each per round, so a noisy
 * neighbour slows them all alike; returns each one's median in ms.
 */
function timeInterleaved(actions: ReadonlyArray<() => unknown>): number[] {
  for (let i = 0; i < WARMUP; i++) for (const action of actions) action();
  const samples: number[][] = actions.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    actions.forEach((action, k) => {
      globalThis.gc?.();
      const start = process.hrtime.bigint();
      action();
      samples[k]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return samples.map(median);
}

interface Variant {
  readonly output: string;
  readonly enrich: readonly string[];
}

const PLAIN: Variant = { output: 'json', enrich: [] };

function oursFor(
  formatText: string,
  variant: Variant
): (json: string) => string {
  const format = parseFormat(formatText);
  const enrichers = createEnrichers(variant.enrich, format, {
    internalCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
  });
  const transformer = new RecordTransformer(
    {
      format,
      filter: undefined,
      enrichers,
      serializer: createSerializer(variant.output, format),
    },
    { maxDecompressedBytes: 8 * MB }
  );
  return (json) =>
    JSON.stringify(transformBatch(JSON.parse(json), transformer).response);
}

interface Row {
  name: string;
  floorMs: number;
  floorOutMs: number;
  naiveMs: number;
  oursMs: number;
  textMB: number;
}

function benchCase(
  formatName: 'v2' | 'v5',
  sizeMB: number,
  wrapped: boolean,
  variant: Variant = PLAIN
): Row {
  const event = makeEvent(formatName, sizeMB * MB, wrapped);
  const fields = parseFormat(formatOf(formatName)).fields;
  const ours = oursFor(formatOf(formatName), variant);
  const label = formatName === 'v2' ? 'v2 default (14)' : 'v5 custom (29)';
  const extra = variant === PLAIN ? '' : ` ${variant.output}+local enrichers`;
  const response = JSON.parse(ours(event.json)) as {
    records: Array<{ data: string }>;
  };
  const outputs = response.records.map((r) => Buffer.from(r.data, 'base64'));
  const [floorMs, floorOutMs, naiveMs, oursMs] = timeInterleaved([
    () => floor(event.json),
    () => floorWithOutput(event.json, outputs),
    () => naive(event.json, fields),
    () => ours(event.json),
  ]);
  return {
    name: `${label} ${sizeMB} MB ${wrapped ? 'wrapped' : 'bare'}${extra}`,
    floorMs: floorMs!,
    floorOutMs: floorOutMs!,
    naiveMs: naiveMs!,
    oursMs: oursMs!,
    textMB: event.textBytes / MB,
  };
}

function printRows(rows: Row[]): void {
  const header = [
    'case',
    'FLOOR ms',
    'FLOOR+OUT ms',
    'NAIVE ms',
    'OURS ms',
    'OURS MB/s',
    'OURS/FLOOR',
    'OURS/FLOOR+OUT',
    'NAIVE/FLOOR',
  ];
  const lines = rows.map((r) => [
    r.name,
    r.floorMs.toFixed(1),
    r.floorOutMs.toFixed(1),
    r.naiveMs.toFixed(1),
    r.oursMs.toFixed(1),
    (r.textMB / (r.oursMs / 1000)).toFixed(0),
    (r.oursMs / r.floorMs).toFixed(2),
    (r.oursMs / r.floorOutMs).toFixed(2),
    (r.naiveMs / r.floorMs).toFixed(2),
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => l[i]!.length))
  );
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  console.log(pad(header));
  for (const line of lines) console.log(pad(line));
}

/**
 * What each local enricher adds per line, keys written included: the
 * transform alone on a v5 1 MB wrapped event, each configuration in its own
 * process (one pipeline per process, as deployed), best of rounds.
 */
function printEnricherCosts(): void {
  const configs: string[][] = [[], ...LOCAL_ENRICHERS.map((name) => [name])];
  // Rounds interleave the configurations, and each keeps its least time: a
  // shared machine only ever adds time, and a slow spell hits them all.
  const best = configs.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < 3; round++) {
    configs.forEach((args, i) => {
      const ns = Number(probe('dist/bench/enricher-cost.mjs', args));
      best[i] = Math.min(best[i]!, ns);
    });
  }
  const base = best[0]!;
  const costs = LOCAL_ENRICHERS.map(
    (name, i) => `${name} ${Math.max(0, best[i + 1]! - base)}`
  );
  console.log(
    `transform alone: ${base} ns/line; each enricher adds (ns/line, keys written included): ${costs.join(', ')}`
  );
}

/** Runs a memory probe in a fresh process, so its figure is its own. */
function probe(script: string, args: readonly string[]): string {
  return execFileSync(process.execPath, ['--expose-gc', script, ...args], {
    encoding: 'utf8',
  }).trim();
}

console.log(
  `node ${process.version}, ${process.arch}, runs=${RUNS} (median), flags: ${process.execArgv.join(' ') || 'none'}`
);
const rows: Row[] = [];
for (const formatName of ['v2', 'v5'] as const) {
  for (const sizeMB of [1, 3]) {
    for (const wrapped of [false, true]) {
      rows.push(benchCase(formatName, sizeMB, wrapped));
    }
  }
}
for (const sizeMB of [1, 3]) {
  rows.push(
    benchCase('v5', sizeMB, true, { output: 'ocsf', enrich: LOCAL_ENRICHERS })
  );
}
printRows(rows);
printEnricherCosts();
console.log(probe('dist/bench/rss-child.mjs', ['v5', '3']));
