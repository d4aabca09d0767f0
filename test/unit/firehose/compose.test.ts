// The composition root (shared/firehose/compose.ts): one pure build of the
// processor from a validated configuration, which the handler, the backfill,
// the replay's classifier and the bench probes share.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../functions/flow-log-processor/config.ts';
import {
  ComposeError,
  composeProcessor,
  limitsOf,
} from '../../../shared/firehose/compose.ts';

/** AWS's documented v2 example ("Flow log record examples"). */
const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';

function errorOf(act: () => unknown): ComposeError {
  try {
    act();
  } catch (error) {
    if (error instanceof ComposeError) return error;
    throw error;
  }
  throw new Error('expected a ComposeError');
}

/** The module specifiers a TypeScript file imports statically. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
  return specifiers;
}

/** Every module specifier reachable from `entry` through relative imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const specifiers = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) {
        queue.push(resolve(dirname(file), specifier));
      } else specifiers.add(specifier);
    }
  }
  return specifiers;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('composeProcessor', () => {
  it('builds the configured pipeline: filter, enrichers, serializer, partitioner', () => {
    // Prepare
    const config = loadConfig({
      FILTER: 'action = REJECT',
      ENRICH: 'protocol',
      PARTITION_KEYS: 'account_id',
    });
    // Act
    const { transformer, pipeline } = composeProcessor(config);
    const { status, key } = transformer.transform(Buffer.from(LINE));
    // Assess
    expect(status).toBe('Ok');
    expect(JSON.parse(transformer.output.toBuffer().toString())).toMatchObject({
      account_id: '123456789010',
      protocol: 6,
      protocol_name: 'TCP',
    });
    expect(pipeline.partitioner?.partitionKeys(key!)).toEqual({
      account_id: '123456789010',
    });
    expect(
      transformer.transform(Buffer.from(LINE.replace('REJECT', 'ACCEPT')))
        .status
    ).toBe('Dropped');
  });

  it('caps a record output at 3/4 of the response budget: base64 writes 4 characters per 3 bytes (RFC 4648, section 4)', () => {
    // Act
    const limits = limitsOf(
      loadConfig({
        RESPONSE_BUDGET_BYTES: '6000000',
        MAX_DECOMPRESSED_BYTES: '1048576',
      })
    );
    // Assess
    expect(limits).toEqual({
      maxDecompressedBytes: 1_048_576,
      maxOutputBytes: 4_500_000,
    });
  });

  it.each([
    [{ FILTER: 'vpc_id = vpc-1' }, 'FILTER'],
    [{ OUTPUT_FORMAT: 'ocsf', FLOW_LOG_FORMAT: '${version}' }, 'OUTPUT_FORMAT'],
    [{ ENRICH: 'tcp_flags' }, 'ENRICH'],
    [{ ENRICH: 'eni' }, 'ENRICH'],
    [{ ENRICH: 'aws_service' }, 'ENRICH'],
    [{ ENRICH: 'direction', INTERNAL_CIDRS: '10.0.0.0/33' }, 'INTERNAL_CIDRS'],
    [{ PARTITION_KEYS: 'vpc_id' }, 'PARTITION_KEYS'],
  ])('refuses %j naming %s', (env, setting) => {
    // Act
    const error = errorOf(() => composeProcessor(loadConfig(env)));
    // Assess
    expect(error.setting).toBe(setting);
    expect(error.code).toBe('COMPOSE_SETTING');
  });

  it('returns one cold-start warning per FILTER value outside its documented set', () => {
    // Prepare: AWS's field table lists reject-reason "Possible values: BPA"
    const config = loadConfig({
      FLOW_LOG_FORMAT: '${version} ${action} ${reject-reason} ${traffic-path}',
      FILTER: 'reject-reason = EC or traffic-path = 9',
    });
    // Act
    const { warnings, transformer } = composeProcessor(config);
    const { status } = transformer.transform(Buffer.from('8 REJECT EC 9'));
    // Assess
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^FILTER: column 17: 'EC' is not a documented value of 'reject-reason' \(documented: BPA;/
    );
    expect(warnings[1]).toContain(
      "'9' is not a documented value of 'traffic-path' (documented: 1, 2, 3, 4, 5, 6, 7, 8;"
    );
    expect(status).toBe('Ok');
    expect(transformer.output.toBuffer().toString()).toContain('"EC"');
  });

  it('imports nothing from the AWS SDK or Powertools: adapters come in', () => {
    // Act
    const packages = [...reachable('shared/firehose/compose.ts')];
    // Assess
    expect(
      packages.filter(
        (name) =>
          name.startsWith('@aws-sdk/') ||
          name.startsWith('@aws-lambda-powertools/')
      )
    ).toEqual([]);
  });

  it('is the only place outside tests that constructs a RecordTransformer', () => {
    // Act: the class's own file shows the call in its docstring
    const own = join('shared', 'firehose', 'record-transformer.ts');
    const constructing = ['functions', 'scripts', 'shared', 'test/bench']
      .flatMap(sourceFiles)
      .filter(
        (file) =>
          file !== own &&
          readFileSync(file, 'utf8').includes('new RecordTransformer(')
      );
    // Assess
    expect(constructing).toEqual([join('shared', 'firehose', 'compose.ts')]);
  });
});
