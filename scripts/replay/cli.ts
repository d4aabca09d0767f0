/**
 * `npm run replay -- [FILES…] [options]`: replays flow-log files through the
 * bundled handler as Firehose would and writes the results as the S3
 * destination would. Exit codes: 0 done, 1 an input failed, 2 bad usage or
 * settings. See docs/replay.md.
 */
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { relative, resolve } from 'node:path';
import type { ReplayOptions } from './args.ts';
import { parseArgs, USAGE } from './args.ts';
import { ReplayError } from './errors.ts';
import { lambdaArn } from './handler.ts';
import { expandInputs } from './input.ts';
import { Progress } from './progress.ts';
import { Replay } from './replay.ts';
import { resolveLayout } from './s3-layout.ts';
import type { ReplayStats } from './summary.ts';
import { formatSummary, newStats } from './summary.ts';

/** The function's settings, from the options, before any import. */
function setEnvironment(options: ReplayOptions): void {
  const env = process.env;
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_LAMBDA_FUNCTION_NAME ??= 'FlowLogProcessorFunction';
  // One summary at the end replaces per-batch logs and EMF metrics.
  env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Nothing local answers PutRecordBatch: overflow comes back
  // ProcessingFailed and is reported instead of re-ingested.
  env.REINGEST = 'false';
  const settings = {
    FILTER: options.filter,
    ENRICH: options.enrich,
    OUTPUT_FORMAT: options.outputFormat,
    PARTITION_KEYS: options.partitionKeys,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (value !== undefined) env[name] = value;
  }
}

/** Empties the output folder, refusing folders that hold more than output. */
async function clean(out: string): Promise<void> {
  const path = resolve(out);
  const cwd = process.cwd();
  const inside = relative(path, cwd);
  if (path === homedir() || !inside.startsWith('..')) {
    throw new ReplayError(
      'REPLAY_USAGE',
      `--clean: refusing to empty '${out}', which contains the current folder or is the home folder`
    );
  }
  await rm(path, { recursive: true, force: true });
}

function report(stats: ReplayStats, out: string, startedAt: number): string {
  const summary = formatSummary(stats, Date.now() - startedAt);
  const total = stats.objects + stats.errorObjects;
  return `${summary}\n\nOutput: ${total} objects under ${out}/ (list them with: find ${out} -type f)\n`;
}

/** Runs the replay; resolves to the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const writeStdout = process.stdout.write.bind(process.stdout);
  // The handler logs to stdout; the summary alone goes there.
  process.stdout.write = process.stderr.write.bind(process.stderr);
  const startedAt = Date.now();
  const stats = newStats();
  let options: ReplayOptions | undefined;
  try {
    options = parseArgs(argv);
    if (options.help) {
      writeStdout(`${USAGE}\n`);
      return 0;
    }
    const inputs = options.inputs.length > 0 ? options.inputs : ['-'];
    if (options.inputs.length === 0 && process.stdin.isTTY) {
      throw new ReplayError('REPLAY_USAGE', `no input given\n${USAGE}`);
    }
    const layout = resolveLayout(
      options.prefix,
      options.errorPrefix,
      options.compression,
      options.stream
    );
    const files = await expandInputs(inputs);
    setEnvironment(options);
    if (options.clean) await clean(options.out);
    const showBar = options.progress ?? process.stderr.isTTY === true;
    const progress = new Progress(showBar ? process.stderr : undefined);
    const target = {
      outDir: options.out,
      layout,
      lambdaArn: lambdaArn(),
      stats,
    };
    try {
      await new Replay(options, target, progress).run(files);
    } finally {
      progress.clear();
    }
    writeStdout(report(stats, options.out, startedAt));
    return 0;
  } catch (error) {
    if (options !== undefined && stats.batches > 0) {
      writeStdout(report(stats, options.out, startedAt));
    }
    process.stderr.write(`replay: ${(error as Error).message}\n`);
    return error instanceof ReplayError ? error.exitCode : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
