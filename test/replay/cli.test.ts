import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, ROOT, runCli } from './run-cli.ts';

const FIXTURES = join(ROOT, 'test/fixtures/replay');
const FIXTURE = join(
  FIXTURES,
  '123456789012_vpcflowlogs_us-east-1_fl-0aaaaaaaaaaaaaaaa_20261124T0000Z_0f0f0f0f.log'
);
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

let work: string;

function readJsonLines(path: string): unknown[] {
  return gunzipSync(readFileSync(path))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

function expected(name: string): unknown[] {
  return readFileSync(join(FIXTURES, 'expected', name), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'replay-test-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('replay of an S3 flow-log file', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    out = join(work, 'e2e');
    result = await runCli([FIXTURE, '--out', out, '--compression', 'gzip']);
  });

  it('writes one gzip object per 60-second batch under the default time prefix', () => {
    // Assess: one malformed line, so exit 3 (records failed).
    expect(result.code).toBe(3);
    const files = listFiles(out).filter(
      (f) => !f.startsWith('processing-failed/')
    );
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(
      new RegExp(`^2026/11/24/00/flow-logs-1-2026-11-24-00-01-00-${UUID}\\.gz$`)
    );
    expect(files[1]).toMatch(
      new RegExp(`^2026/11/24/00/flow-logs-1-2026-11-24-00-05-00-${UUID}\\.gz$`)
    );
  });

  it('writes the lines as the header line says, object by object', () => {
    // Assess
    const files = listFiles(out).filter(
      (f) => !f.startsWith('processing-failed/')
    );
    expect(readJsonLines(join(out, files[0]!))).toEqual(
      expected('2026-11-24-00-01-00.jsonl')
    );
    expect(readJsonLines(join(out, files[1]!))).toEqual(
      expected('2026-11-24-00-05-00.jsonl')
    );
  });

  it('writes the malformed line as a Firehose error record', () => {
    // Prepare
    const malformed =
      '3 10.0.1.5 10.0.2.9 x443 6 ACCEPT 1795478430 1795478505 OK';

    // Act
    const files = listFiles(out).filter((f) =>
      f.startsWith('processing-failed/')
    );

    // Assess
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(
      new RegExp(
        `^processing-failed/2026/11/24/00/flow-logs-1-2026-11-24-00-01-45-${UUID}\\.gz$`
      )
    );
    const records = readJsonLines(join(out, files[0]!)) as Array<
      Record<string, unknown>
    >;
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(Object.keys(record!).sort()).toEqual(
      [
        'attemptEndingTimestamp',
        'attemptsMade',
        'arrivalTimestamp',
        'errorCode',
        'errorMessage',
        'lambdaArn',
        'rawData',
      ].sort()
    );
    expect(record).toMatchObject({
      attemptsMade: 1,
      arrivalTimestamp: 1_795_478_505_000,
      errorCode: 'Lambda.ProcessingFailed',
      attemptEndingTimestamp: 1_795_478_520_000,
      lambdaArn: expect.stringMatching(
        /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:/
      ),
    });
    const raw = Buffer.from(record!.rawData as string, 'base64').toString(
      'utf8'
    );
    expect(JSON.parse(raw)).toEqual({ message: malformed });
  });

  it('summarises records by result and the top rejected flows', () => {
    // Assess
    expect(result.stdout).toMatch(/records in\s+6\n/);
    expect(result.stdout).toMatch(/ {2}Ok\s+5\n/);
    expect(result.stdout).toMatch(/ProcessingFailed\s+1\n/);
    expect(result.stdout).toMatch(/lines\s+6\n/);
    const top = result.stdout.slice(result.stdout.indexOf('Top rejected'));
    expect(top).toMatch(
      /2 {2}198\.51\.100\.23→10\.0\.2\.9:22\/tcp\n\s+1 {2}198\.51\.100\.23→10\.0\.2\.10:22\/tcp/
    );
  });

  it('names the failure reason, the first file:line and the likely cause', () => {
    // Assess: line 5 of the fixture (after the header) has `x443` as dstport.
    const reasons = result.stdout.slice(
      result.stdout.indexOf('ProcessingFailed records by reason')
    );
    expect(reasons).toMatch(/bad_integer\s+1, first at \S+_0f0f0f0f\.log:5\n/);
    expect(reasons).toContain('x443');
    expect(reasons).toMatch(/likely cause: 1 of 6 lines with this format/);
    expect(result.stderr).toContain(
      '1 of 6 records came back ProcessingFailed'
    );
  });

  it('draws no progress bar when stderr is not a terminal', () => {
    // Assess
    expect(result.stderr).not.toContain('\r');
  });
});

describe('replay options and inputs', () => {
  it('draws the progress bar when asked, even off a terminal', async () => {
    // Act
    const result = await runCli([
      FIXTURE,
      '--out',
      join(work, 'bar'),
      '--progress',
      '--allow-failures',
    ]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('\r');
  });

  it('reads stdin without a header line with the default VPC format', async () => {
    // Prepare
    const lines = readFileSync(FIXTURE, 'utf8').split('\n').slice(1).join('\n');
    const out = join(work, 'stdin');

    // Act
    const result = await runCli(['-', '--out', out], lines);

    // Assess: 9-field lines against the 14-field default format all fail.
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/ProcessingFailed\s+6\n/);
    // The scanner stops at the first field that does not fit: `ACCEPT` as
    // srcport, or the missing 10th field.
    expect(result.stdout).toMatch(
      /(bad_integer|too_few_fields)\s+6, first at stdin:1\n/
    );
    expect(result.stdout).toMatch(
      /likely cause: .*(lines have 9|first such line has 9 fields)/
    );
    expect(
      listFiles(out).every((f) => f.startsWith('processing-failed/'))
    ).toBe(true);
  });

  it('refuses an unknown option with exit code 2', async () => {
    // Act
    const result = await runCli([FIXTURE, '--bogus']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
  });

  it('refuses a buffer size outside 0.2 to 3 MB with exit code 2', async () => {
    // Act
    const result = await runCli([FIXTURE, '--buffer-size', '5']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--buffer-size: '5' is not allowed; expected a number from 0.2 to 3"
    );
  });

  it('names a missing file and exits non-zero', async () => {
    // Act
    const result = await runCli([
      join(work, 'nope.log.gz'),
      '--out',
      join(work, 'missing'),
    ]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nope\.log\.gz': no such file or directory/);
  });

  it('keeps the objects of earlier batches when a gzip file breaks midway', async () => {
    // Prepare: 3000 lines, a minute of record time per 100 lines, cut at 60%.
    const header =
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const lines = [header];
    for (let i = 0; i < 3000; i++) {
      const end = 1_795_478_400 + Math.floor(i / 100) * 60;
      lines.push(
        `2 123456789012 eni-0a1b2c3d4e5f60718 10.0.${i % 256}.${(i * 7) % 256} 10.1.0.${i % 200} ${1024 + i} 443 6 ${1 + (i % 50)} ${40 + ((i * 13) % 9000)} ${end - 60} ${end} ACCEPT OK`
      );
    }
    const gz = gzipSync(`${lines.join('\n')}\n`);
    const broken = join(work, 'broken.log.gz');
    writeFileSync(broken, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const out = join(work, 'broken');

    // Act
    const result = await runCli([broken, '--out', out]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /broken\.log\.gz': is corrupt or truncated gzip after line [\d,]+:/
    );
    const objects = listFiles(out);
    expect(objects.length).toBeGreaterThan(1);
    const first = readFileSync(join(out, objects[0]!), 'utf8').split('\n');
    expect(JSON.parse(first[0]!)).toMatchObject({
      srcport: 1024,
      end: 1_795_478_400,
    });
  });
});
