// npm run bench: times our transform beside FLOOR and NAIVE in one run, on
// generated events, and reports MB/s of flow-log text, ratios and memory.
// A benchmark, not a test: nothing here asserts.
import { execFileSync } from 'node:child_process';
import { transformBatch } from '../../shared/firehose/batch.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { JsonSerializer } from '../../shared/output/json.ts';
import { floor, naive } from './baselines.ts';
import { formatOf, makeEvent } from './generate.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 3;
const MB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(action: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) action();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    globalThis.gc?.();
    const start = process.hrtime.bigint();
    action();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

function oursFor(formatText: string): (json: string) => string {
  const format = parseFormat(formatText);
  const transformer = new RecordTransformer(
    { format, filter: undefined, enrichers: [], serializer: new JsonSerializer(format) },
    { maxDecompressedBytes: 8 * MB }
  );
  return (json) => JSON.stringify(transformBatch(JSON.parse(json), transformer).response);
}

interface Row {
  name: string;
  floorMs: number;
  naiveMs: number;
  oursMs: number;
  textMB: number;
}

function benchCase(formatName: 'v2' | 'v5', sizeMB: number, wrapped: boolean): Row {
  const event = makeEvent(formatName, sizeMB * MB, wrapped);
  const fields = parseFormat(formatOf(formatName)).fields;
  const ours = oursFor(formatOf(formatName));
  return {
    name: `${formatName === 'v2' ? 'v2 default (14)' : 'v5 custom (29)'} ${sizeMB} MB ${wrapped ? 'wrapped' : 'bare'}`,
    floorMs: time(() => floor(event.json)),
    naiveMs: time(() => naive(event.json, fields)),
    oursMs: time(() => ours(event.json)),
    textMB: event.textBytes / MB,
  };
}

function printRows(rows: Row[]): void {
  const header = ['case', 'FLOOR ms', 'NAIVE ms', 'OURS ms', 'OURS MB/s', 'OURS/FLOOR', 'NAIVE/FLOOR', 'NAIVE/OURS'];
  const lines = rows.map((r) => [
    r.name,
    r.floorMs.toFixed(1),
    r.naiveMs.toFixed(1),
    r.oursMs.toFixed(1),
    (r.textMB / (r.oursMs / 1000)).toFixed(0),
    (r.oursMs / r.floorMs).toFixed(2),
    (r.naiveMs / r.floorMs).toFixed(2),
    (r.naiveMs / r.oursMs).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

function rssOf3MbEvent(): string {
  // A fresh process, so the figure is this event's and nothing else's.
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'test/bench/rss-child.ts', 'v5', '3'],
    { encoding: 'utf8' }
  );
  return output.trim();
}

console.log(`node ${process.version}, ${process.arch}, runs=${RUNS} (median), flags: ${process.execArgv.join(' ') || 'none'}`);
const rows: Row[] = [];
for (const formatName of ['v2', 'v5'] as const) {
  for (const sizeMB of [1, 3]) {
    for (const wrapped of [false, true]) {
      rows.push(benchCase(formatName, sizeMB, wrapped));
    }
  }
}
printRows(rows);
console.log(rssOf3MbEvent());
