import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../scripts/replay/args.ts';

describe('replay options', () => {
  it('reads values given as --name=value and --name value', () => {
    // Act
    const options = parseArgs([
      'a.log.gz',
      '--filter=action = REJECT',
      '--env-vars',
      'events/env/firehose-tgw.json',
      '--allow-failures',
      '-',
    ]);

    // Assess
    expect(options.inputs).toEqual(['a.log.gz', '-']);
    expect(options.filter).toBe('action = REJECT');
    expect(options.envVars).toBe('events/env/firehose-tgw.json');
    expect(options.allowFailures).toBe(true);
    expect(options.bufferBytes).toBe(1_048_576);
  });

  it('refuses --progress with --no-progress', () => {
    // Act / Assess
    expect(() => parseArgs(['--progress', '--no-progress'])).toThrow(
      '--progress and --no-progress cannot both be given'
    );
  });

  it('refuses an option without its value, naming it', () => {
    // Act / Assess
    expect(() => parseArgs(['a.log', '--out'])).toThrow("'--out <value>'");
  });
});
