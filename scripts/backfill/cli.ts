/**
 * `npm run backfill -- --local SRC --out DIR`: the backfill worker on a local
 * folder laid out as the source bucket (SRC's relative paths are S3 keys),
 * batched as the state machine's ItemBatcher batches, writing into DIR the
 * objects the deployed worker would write into the destination bucket (DIR's
 * relative paths are S3 keys). The live function's settings come from the
 * same environment variables (FLOW_LOG_FORMAT, FILTER, ENRICH, OUTPUT_FORMAT,
 * PARTITION_KEYS…), as in the deployed worker.
 */
import { parseArgs } from 'node:util';
import type { BatchResult } from '../../shared/backfill/batch.ts';
import {
  batchAudit,
  batchItems,
  ITEM_BATCHER,
  runBatch,
} from '../../shared/backfill/batch.ts';
import { compileLayout } from '../../shared/backfill/compose.ts';
import { fileDestination, listKeys, openLocal } from './local.ts';

const USAGE = `Usage: npm run backfill -- --local SRC --out DIR [options]

Runs the backfill worker on SRC, a folder in the S3 layout of flow logs
delivered to S3 (AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/*.log.gz),
and writes into DIR exactly the objects the deployed worker writes into the
destination bucket. Settings of the live function come from the environment
(FLOW_LOG_FORMAT for files without a header, FILTER, ENRICH, OUTPUT_FORMAT,
PARTITION_KEYS, ...).

Options:
  --local SRC            the source folder (required)
  --out DIR              the destination folder (required)
  --prefix TEXT          only keys starting with TEXT (the execution input's prefix)
  --from ISO, --to ISO   only objects whose name's time is in [from, to)
  --data-prefix EXPR     the stream's S3 Prefix (default: the template's, from
                         PARTITION_KEYS: flow-logs/!{partitionKeyFromLambda:…}/
                         or flow-logs/year=!{timestamp:yyyy}/…/hour=!{timestamp:HH}/)
  --error-prefix EXPR    the stream's ErrorOutputPrefix (default: the template's)
  --quiet                no progress line
  -h, --help             this text

Exit status: 0 when every line was written or filtered, 1 when some line
failed (written to the error prefix) or an object could not be read, 2 for
a usage error.`;

/** The template's DataPrefix and ErrorPrefix parameter defaults. */
const DATA_PREFIX = 'flow-logs/';
const ERROR_PREFIX = 'errors/';

/** The template's Prefix expression for these PARTITION_KEYS. */
function templateDataPrefix(partitionKeys: string): string {
  const keys = partitionKeys
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  if (keys.length === 0) {
    return `${DATA_PREFIX}year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/`;
  }
  return `${DATA_PREFIX}${keys.map((key) => `!{partitionKeyFromLambda:${key}}/`).join('')}`;
}

const TEMPLATE_ERROR_PREFIX = `${ERROR_PREFIX}!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      local: { type: 'string' },
      out: { type: 'string' },
      prefix: { type: 'string', default: '' },
      from: { type: 'string' },
      to: { type: 'string' },
      'data-prefix': { type: 'string' },
      'error-prefix': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  return values;
}

function total(
  results: BatchResult[],
  field: 'linesRead' | 'written' | 'dropped' | 'failed' | 'bytesIn' | 'bytesOut'
): number {
  let n = 0;
  for (const r of results) for (const o of r.objects) n += o[field];
  return n;
}

/**
 * The value audit and likely causes, as the worker logs them: one line per
 * field with unexpected values, one per object with a likely cause.
 */
function auditLines(results: BatchResult[]): string {
  const objects = results.flatMap((r) => r.objects);
  const audit = batchAudit(objects);
  const lines: string[] = [];
  for (const [field, tally] of Object.entries(audit.unexpectedValues)) {
    if (tally === undefined) continue;
    lines.push(
      `  unexpected ${field} values: ${tally.lines} lines (first: '${tally.sample}' in ${tally.recordId})`
    );
  }
  for (const object of objects) {
    if (object.likelyCause === undefined) continue;
    lines.push(`  ${object.key}: likely cause: ${object.likelyCause}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}

async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(argv);
  } catch (error) {
    process.stderr.write(`backfill: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.local === undefined || options.out === undefined) {
    process.stderr.write(
      `backfill: --local SRC and --out DIR are required\n\n${USAGE}\n`
    );
    return 2;
  }
  // Settings are read and checked before anything is written, as at cold start.
  const { loadConfig } = await import(
    '../../functions/flow-log-processor/config.ts'
  );
  const { buildBackfillRuntime } = await import(
    '../../functions/backfill-worker/runtime.ts'
  );
  const config = loadConfig(process.env);
  const layout = compileLayout({
    dataPrefix:
      options['data-prefix'] ??
      templateDataPrefix(process.env.PARTITION_KEYS ?? ''),
    errorPrefix: options['error-prefix'] ?? TEMPLATE_ERROR_PREFIX,
    lambdaArn: 'arn:aws:lambda:local:000000000000:function:backfill-worker',
  });
  // The worker's composition: the live enrichers, ENI and ip-ranges included.
  const { transformerFor, prefetchUntil } = await buildBackfillRuntime(
    config,
    (warning) => process.stderr.write(`backfill: warning: ${warning}\n`)
  );
  // No invocation deadline here: each EC2 call still has its socket timeouts.
  const prefetch = prefetchUntil(Number.POSITIVE_INFINITY);
  const src = options.local;
  const items = await listKeys(src, options.prefix);
  const batches = batchItems(items, ITEM_BATCHER);
  const started = process.hrtime.bigint();
  const results: BatchResult[] = [];
  let done = 0;
  for (const batch of batches) {
    results.push(
      await runBatch(
        { Items: batch, BatchInput: { from: options.from, to: options.to } },
        {
          open: (key) => openLocal(src, key),
          destination: fileDestination(options.out),
          layout,
          transformerFor,
          fallback: config.format,
          prefetch,
        }
      )
    );
    done += batch.length;
    if (!options.quiet && process.stderr.isTTY) {
      process.stderr.write(`\rbackfill: ${done}/${items.length} objects`);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const objects = results.reduce((n, r) => n + r.objects.length, 0);
  const skipped = results.flatMap((r) => r.skipped);
  const outputs = results.reduce(
    (n, r) => n + r.objects.reduce((m, o) => m + o.outputs.length, 0),
    0
  );
  const mb = total(results, 'bytesIn') / 1e6;
  if (!options.quiet && process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(
    [
      `backfill: ${objects} objects in ${batches.length} batches (${skipped.length} skipped: not flow-log names or outside --from/--to)`,
      `  lines read ${total(results, 'linesRead')}, written ${total(results, 'written')}, dropped ${total(results, 'dropped')}, failed ${total(results, 'failed')} (in the error prefix)`,
      `  ${outputs} objects written to ${options.out}; ${mb.toFixed(1)} MB of text in ${seconds.toFixed(1)} s (${(mb / seconds).toFixed(1)} MB/s)`,
      '',
    ].join('\n')
  );
  for (const key of skipped.slice(0, 5)) {
    process.stdout.write(`  skipped: ${key}\n`);
  }
  process.stdout.write(auditLines(results));
  return total(results, 'failed') > 0 ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`backfill: ${(error as Error).message}\n`);
  process.exitCode =
    error instanceof TypeError ||
    (error as { code?: string }).code === 'CONFIG_INVALID'
      ? 2
      : 1;
}
