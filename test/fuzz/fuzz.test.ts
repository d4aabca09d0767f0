/**
 * The deterministic slice of `npm run fuzz` (docs/fuzzing.md): 20,000 seeded,
 * mutated records in every framing and several formats through the bundled
 * handler (built by test/global-setup.ts), each answer checked against the
 * independent reference parser of scripts/fuzz/reference.mjs. It runs in a
 * child process, as `npm run fuzz` does, so that the bundle is the code that
 * ships, not a transformed copy. No timing is asserted; a failure lists each
 * fault class with its smallest reproducer.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** Fixed, so that every run sends the same 20,000 records. */
const SEED = 20_261_130;
const RECORDS = 20_000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface FaultClass {
  key: string;
  kind: string;
  count: number;
  reproducer: {
    profile?: string;
    records?: {
      kind: string;
      payload: string;
      expected: string;
      got: string;
    }[];
  };
}

interface Summary {
  records: number;
  crashes: number;
  lost: number;
  wrong: number;
  oversize: number;
  classes: FaultClass[];
}

function describeFault(fault: FaultClass): string {
  const records = (fault.reproducer.records ?? [])
    .map(
      (r) => `  ${r.kind} ${r.payload} → expected ${r.expected}, got ${r.got}`
    )
    .join('\n');
  return `${fault.key} ×${fault.count} (profile ${fault.reproducer.profile})\n${records}`;
}

describe('fuzz', () => {
  it('answers 20,000 mutated records once each, in order, as the reference parser does', async () => {
    // Prepare
    const args = [
      'scripts/fuzz/cli.mjs',
      ...['--records', String(RECORDS), '--seed', String(SEED)],
      ...['--shrink-ms', '1000', '--no-build', '--json'],
    ];

    // Act
    const { stdout } = await promisify(execFile)(process.execPath, args, {
      cwd: ROOT,
      maxBuffer: 64 << 20,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const summary = JSON.parse(stdout) as Summary;

    // Assess
    expect(summary.records).toBeGreaterThanOrEqual(RECORDS);
    expect(summary.classes.map(describeFault)).toEqual([]);
    expect(summary).toMatchObject({
      crashes: 0,
      lost: 0,
      wrong: 0,
      oversize: 0,
    });
  }, 300_000);
});
