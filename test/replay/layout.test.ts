import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../scripts/replay/args.ts';
import { Batcher } from '../../scripts/replay/batcher.ts';
import type { PendingRecord } from '../../scripts/replay/records.ts';
import { fieldAt, wrapLine } from '../../scripts/replay/records.ts';
import {
  dataPrefix,
  errorPrefixOf,
  resolveLayout,
} from '../../scripts/replay/s3-layout.ts';
import {
  compilePrefix,
  evaluatePrefix,
} from '../../shared/firehose/s3-prefix.ts';

/** 2026-11-24T13:05:09Z. */
const TIME = Date.UTC(2026, 10, 24, 13, 5, 9);

function record(id: number, arrival: number, size: number): PendingRecord {
  return {
    recordId: String(id),
    data: '',
    size,
    arrival,
    source: 0,
    position: id,
  };
}

describe('S3 prefixes', () => {
  it('evaluates timestamp patterns with quoted literals in UTC', () => {
    // Prepare
    const prefix = compilePrefix(
      "dt=!{timestamp:yyyy'-'MM'-'dd}/h=!{timestamp:HH}/",
      '--prefix'
    );

    // Act
    const evaluated = evaluatePrefix(prefix, { time: TIME });

    // Assess
    expect(evaluated).toBe('dt=2026-11-24/h=13/');
  });

  it('puts partition keys from the function in the prefix', () => {
    // Prepare
    const layout = resolveLayout(
      'account=!{partitionKeyFromLambda:account_id}/!{timestamp:yyyy}/',
      'errors/!{firehose:error-output-type}/',
      'none',
      'flow-logs'
    );

    // Act
    const found = dataPrefix(layout, TIME, { account_id: '123456789012' });
    const missing = dataPrefix(layout, TIME, { region: 'us-east-1' });

    // Assess
    expect(found).toBe('account=123456789012/2026/');
    expect(missing).toEqual({ missingKey: 'account_id' });
  });

  it('appends the default time folders to a prefix without expressions', () => {
    // Prepare
    const layout = resolveLayout('logs/', undefined, 'none', 'flow-logs');

    // Act
    const data = dataPrefix(layout, TIME, undefined);
    const error = errorPrefixOf(layout, TIME, 'processing-failed');

    // Assess
    expect(data).toBe('logs/2026/11/24/13/');
    expect(error).toBe('logs/processing-failed/2026/11/24/13/');
  });

  it('refuses an expression prefix without an error prefix', () => {
    // Act
    const act = () =>
      resolveLayout('!{timestamp:yyyy}/', undefined, 'none', 'flow-logs');

    // Assess
    expect(act).toThrow(/--error-prefix is required/);
  });

  it('refuses an error prefix with expressions but no error-output-type', () => {
    // Act
    const act = () =>
      resolveLayout('a/', 'e/!{timestamp:yyyy}/', 'none', 'flow-logs');

    // Assess
    expect(act).toThrow(/must contain !\{firehose:error-output-type\}/);
  });

  it('refuses timestamp letters it cannot evaluate', () => {
    // Act
    const act = () => compilePrefix('!{timestamp:EEE}/', '--prefix');

    // Assess
    expect(act).toThrow(/timestamp letter 'E'/);
  });
});

describe('processor buffer', () => {
  it('sends a batch once the buffer interval has passed in record time', async () => {
    // Prepare
    const batches: string[][] = [];
    const batcher = new Batcher({ maxBytes: 1000, intervalMs: 60_000 }, (r) => {
      batches.push(r.map((x) => x.recordId));
      return Promise.resolve();
    });

    // Act
    await batcher.add(record(1, 0, 10));
    await batcher.add(record(2, 59_999, 10));
    await batcher.add(record(3, 60_000, 10));
    await batcher.close();

    // Assess
    expect(batches).toEqual([['1', '2'], ['3']]);
  });

  it('sends a batch before a record would overflow the buffer size', async () => {
    // Prepare
    const batches: string[][] = [];
    const batcher = new Batcher({ maxBytes: 100, intervalMs: 60_000 }, (r) => {
      batches.push(r.map((x) => x.recordId));
      return Promise.resolve();
    });

    // Act
    await batcher.add(record(1, 0, 60));
    await batcher.add(record(2, 0, 40));
    await batcher.add(record(3, 0, 1));
    await batcher.close();

    // Assess
    expect(batches).toEqual([['1', '2'], ['3']]);
  });

  it('does not move time back for an out-of-order record', async () => {
    // Prepare
    const batches: string[][] = [];
    const batcher = new Batcher({ maxBytes: 1000, intervalMs: 60_000 }, (r) => {
      batches.push(r.map((x) => x.recordId));
      return Promise.resolve();
    });

    // Act
    await batcher.add(record(1, 100_000, 1));
    await batcher.add(record(2, 10_000, 1));
    await batcher.add(record(3, 160_000, 1));
    await batcher.close();

    // Assess
    expect(batches).toEqual([['1', '2'], ['3']]);
  });
});

describe('records and options', () => {
  it('wraps a line as direct delivery does', () => {
    // Act
    const { data, size } = wrapLine('2 123 "x"');

    // Assess
    const text = Buffer.from(data, 'base64').toString('utf8');
    expect(text).toBe('{"message":"2 123 \\"x\\""}');
    expect(size).toBe(text.length);
  });

  it('finds a field across runs of spaces', () => {
    // Assess
    expect(fieldAt('5  a b', 1)).toBe('a');
    expect(fieldAt('5 a', 2)).toBeUndefined();
  });

  it('reads buffer hints in MiB and seconds', () => {
    // Act
    const options = parseArgs([
      'x.log',
      '--buffer-size=0.5',
      '--buffer-interval',
      '0',
    ]);

    // Assess
    expect(options.bufferBytes).toBe(524_288);
    expect(options.bufferIntervalMs).toBe(0);
    expect(options.inputs).toEqual(['x.log']);
  });

  it('refuses a bad --format naming the token', () => {
    // Act
    const act = () => parseArgs(['--format', '${version} ${account_id}']);

    // Assess
    expect(act).toThrow(/--format: token 2/);
  });
});
