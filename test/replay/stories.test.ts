// The replay tells what went wrong, where, and what to do (issue #10 item 6):
// each mistake a new user makes is run through the CLI as they would run it.
// Expected line numbers and counts follow from the inputs built here.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRight } from '../../scripts/replay/progress.ts';
import { listFiles, runCli } from './run-cli.ts';

/** The VPC default header and the TGW-like subset used below. */
const V2_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const SHORT_HEADER = 'version srcaddr dstaddr start end log-status';

let work: string;

function v2Line(i: number): string {
  const end = 1_795_478_460 + i;
  return `2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.${i} 10.0.2.9 ${1024 + i} 443 6 1 40 ${end - 60} ${end} ACCEPT OK`;
}

function shortLine(i: number): string {
  const end = 1_795_478_460 + i;
  return `5 10.0.3.${i} 10.0.4.9 ${end - 60} ${end} OK`;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'replay-stories-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('headers on stdin', () => {
  it('switches the format at a header in the middle of stdin', async () => {
    // Prepare: what `zcat a.log.gz b.log.gz | npm run replay -- -` reads.
    const text = [
      V2_HEADER,
      v2Line(1),
      v2Line(2),
      SHORT_HEADER,
      shortLine(1),
      shortLine(2),
      shortLine(3),
      '',
    ].join('\n');
    const out = join(work, 'stdin-headers');

    // Act
    const result = await runCli(['-', '--out', out], text);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/records in\s+5\n/);
    expect(result.stdout).toMatch(/ {2}Ok\s+5\n/);
    expect(result.stdout).toMatch(/lines\s+5\n/);
  });
});

describe('settings checked before any output', () => {
  it('refuses a mixed folder naming the file whose format the filter does not fit, writing nothing', async () => {
    // Prepare: two S3-style files; FILTER names `action`, which only one has.
    const dir = join(work, 'mixed');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'a.log.gz'),
      gzipSync(`${V2_HEADER}\n${v2Line(1)}\n`)
    );
    writeFileSync(
      join(dir, 'b.log.gz'),
      gzipSync(`${SHORT_HEADER}\n${shortLine(1)}\n`)
    );
    const out = join(work, 'mixed-out');

    // Act
    const result = await runCli([
      dir,
      '--filter',
      'action = REJECT',
      '--out',
      out,
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nothing was replayed or written');
    expect(result.stderr).toMatch(/b\.log\.gz: the function refused/);
    expect(result.stderr).toContain("field 'action' is not in FLOW_LOG_FORMAT");
    expect(result.stderr).not.toMatch(/a\.log\.gz: the function refused/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('exit codes for failed records', () => {
  const lines = `${[v2Line(1), '2 123456789012 eni-1 10.0.1.1', v2Line(3)].join('\n')}\n`;

  it('exits 3 when a record failed, naming the reason and stdin:line', async () => {
    // Act
    const result = await runCli(['-', '--out', join(work, 'fail')], lines);

    // Assess: the second line has 5 of the 14 default fields.
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/too_few_fields\s+1, first at stdin:2\n/);
    expect(result.stderr).toContain(
      '1 of 3 records came back ProcessingFailed'
    );
    expect(result.stderr).toContain('--allow-failures exits 0');
  });

  it('exits 0 with --allow-failures', async () => {
    // Act
    const result = await runCli(
      ['-', '--out', join(work, 'allow'), '--allow-failures'],
      lines
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ProcessingFailed\s+1\n/);
  });
});

describe('errors name the file and line', () => {
  it('names the line longer than Firehose allows', async () => {
    // Prepare: line 3 is 1,100,000 characters, over 1,024,000.
    const path = join(work, 'long.log');
    const long = `2 ${'x'.repeat(1_100_000)}`;
    writeFileSync(path, `${V2_HEADER}\n${v2Line(1)}\n${long}\n`);

    // Act
    const result = await runCli([path, '--out', join(work, 'long')]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /long\.log': line 3 is longer than 1,024,000 characters/
    );
  });
});

describe('events and --env-vars', () => {
  it('skips non-event JSON found in a folder with a note', async () => {
    // Prepare
    const dir = join(work, 'events');
    mkdirSync(join(dir, 'env'), { recursive: true });
    const data = Buffer.from(v2Line(1)).toString('base64');
    writeFileSync(
      join(dir, 'one.json'),
      JSON.stringify({ records: [{ recordId: '1', data }] })
    );
    writeFileSync(
      join(dir, 'env', 'one.json'),
      JSON.stringify({ FlowLogProcessorFunction: { ENRICH: '' } })
    );

    // Act
    const result = await runCli([dir, '--out', join(work, 'events-out')]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /replay: skipped '.*env\/one\.json': is not a Firehose event: no 'records' array/
    );
    expect(result.stdout).toMatch(/ {2}Ok\s+1\n/);
  });

  it('reads FLOW_LOG_FORMAT from a sam local invoke --env-vars file', async () => {
    // Act: the v5 event's lines have the 29 fields its env file declares.
    const result = await runCli([
      'events/firehose-v5-custom.json',
      '--env-vars',
      'events/env/firehose-v5-custom.json',
      '--out',
      join(work, 'env-vars'),
    ]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/records in\s+2\n/);
    expect(result.stdout).toMatch(/ {2}Ok\s+2\n/);
  });

  it('names the --env-vars file that is not in the sam shape', async () => {
    // Prepare
    const path = join(work, 'not-env.json');
    writeFileSync(path, '{"FLOW_LOG_FORMAT": "${version}"}');

    // Act
    const result = await runCli([
      'events/firehose-v5-custom.json',
      '--env-vars',
      path,
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'has neither "FlowLogProcessorFunction" nor "Parameters"'
    );
  });
});

describe("the function's warnings", () => {
  it('shows a cold-start warning instead of hiding it', async () => {
    // Act: `future-field` is not (yet) a documented field.
    const result = await runCli(
      [
        '-',
        '--format',
        '${version} ${account-id} ${future-field}',
        '--out',
        join(work, 'typo'),
      ],
      '2 123456789012 OK\n'
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'function WARN: FLOW_LOG_FORMAT has fields not in the catalogue'
    );
    expect(result.stderr).toContain('future-field');
  });
});

describe('output folder', () => {
  it('warns when the output folder already holds files', async () => {
    // Prepare
    const out = join(work, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'earlier.txt'), 'x');

    // Act
    const result = await runCli(['-', '--out', out], `${v2Line(1)}\n`);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'already holds 1 files from earlier runs; this run adds to them (--clean empties it first)'
    );
    expect(listFiles(out)).toContain('earlier.txt');
  });
});

describe('--help', () => {
  it('prints the usage and exits 0', async () => {
    // Act
    const result = await runCli(['--help']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: npm run replay');
    expect(result.stdout).toContain('--allow-failures');
    expect(result.stdout).toContain('--env-vars FILE');
  });
});

describe('progress bar file names', () => {
  it('keeps the right end of an S3 object name', () => {
    // Act
    const shown = fromRight(
      '123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261124T0000Z_1a2b3c4d.log.gz',
      20
    );

    // Assess
    expect(shown).toBe('…00Z_1a2b3c4d.log.gz');
    expect(shown).toHaveLength(20);
  });
});
