/**
 * `npm run replay -- [FILES…] [options]`: replays flow-log files through the
 * bundled handler as Firehose would and writes the results as the S3
 * destination would. Exit codes: 0 done, 1 an input failed, 2 bad usage or
 * settings, 3 records came back ProcessingFailed (unless --allow-failures).
 * See docs/replay.md.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { relative, resolve } from 'node:path';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import type { ReplayOptions } from './args.ts';
import { parseArgs, USAGE } from './args.ts';
import { ReplayError } from './errors.ts';
import { FunctionLogTap, LEVELS } from './function-log.ts';
import { FUNCTION_NAME, lambdaArn } from './handler.ts';
import { expandInputs } from './input.ts';
import { Progress } from './progress.ts';
import { Replay } from './replay.ts';
import { resolveLayout } from './s3-layout.ts';
import type { ReplayStats } from './summary.ts';
import { formatSummary, newStats, valueWarnings } from './summary.ts';

/** Exit code when records came back ProcessingFailed. */
const EXIT_FAILED_RECORDS = 3;

/**
 * Applies a `sam local invoke --env-vars` file: `{"Parameters": {…}}` for
 * every function and `{"FlowLogProcessorFunction": {…}}` for this one (which
 * wins). Variables already set in the shell win over the file, as in
 * scripts/invoke.mjs.
 *
 * @throws ReplayError (REPLAY_USAGE) naming the file when it is not such a file
 */
async function applyEnvFile(path: string): Promise<void> {
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ReplayError(
      'REPLAY_USAGE',
      `--env-vars: '${path}' cannot be read as JSON: ${(error as Error).message}`
    );
  }
  const parameters = file?.Parameters;
  const own = file?.[FUNCTION_NAME];
  if (typeof parameters !== 'object' && typeof own !== 'object') {
    throw new ReplayError(
      'REPLAY_USAGE',
      `--env-vars: '${path}' has neither "${FUNCTION_NAME}" nor "Parameters"; expected the sam local invoke --env-vars shape, e.g. events/env/firehose-v2-default.json`
    );
  }
  const values = { ...(parameters as object), ...(own as object) };
  for (const [name, value] of Object.entries(values)) {
    if (process.env[name] === undefined) process.env[name] = String(value);
  }
}

/** The function's settings, from the options, before any import. */
function setEnvironment(options: ReplayOptions): void {
  const env = process.env;
  env.AWS_REGION ??= 'us-east-1';
  env.AWS_LAMBDA_FUNCTION_NAME ??= FUNCTION_NAME;
  // Metrics: the summary replaces per-batch EMF lines.
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

/**
 * The level of the function's logs shown (POWERTOOLS_LOG_LEVEL, default
 * WARN). The function itself logs at INFO at least: the summary reads its
 * per-batch counters.
 */
function logLevels(): string {
  const env = process.env;
  const shown = (env.POWERTOOLS_LOG_LEVEL ?? 'WARN').toUpperCase();
  const index = LEVELS.indexOf(shown);
  if (index < 0 || index > LEVELS.indexOf('INFO')) {
    env.POWERTOOLS_LOG_LEVEL = 'INFO';
  }
  return shown;
}

/** --format, else FLOW_LOG_FORMAT (shell or --env-vars), else VPC default. */
function fallbackFormat(options: ReplayOptions): FlowLogFormat {
  const fromEnv = process.env.FLOW_LOG_FORMAT;
  const text = options.format ?? fromEnv ?? VPC_DEFAULT_FORMAT;
  const name = options.format !== undefined ? '--format' : 'FLOW_LOG_FORMAT';
  try {
    return parseFormat(text, name);
  } catch (error) {
    throw new ReplayError('REPLAY_USAGE', (error as Error).message);
  }
}

/** Empties the output folder, refusing folders that hold more than output. */
async function clean(out: string): Promise<void> {
  const path = resolve(out);
  const inside = relative(path, process.cwd());
  if (path === homedir() || !inside.startsWith('..')) {
    throw new ReplayError(
      'REPLAY_USAGE',
      `--clean: refusing to empty '${out}', which contains the current folder or is the home folder`
    );
  }
  await rm(path, { recursive: true, force: true });
}

/** A warning when the output folder already holds files. */
async function warnIfNotEmpty(out: string): Promise<string | undefined> {
  let files: number;
  try {
    const entries = await readdir(out, {
      recursive: true,
      withFileTypes: true,
    });
    files = entries.filter((entry) => entry.isFile()).length;
  } catch {
    return undefined;
  }
  if (files === 0) return undefined;
  return `replay: warning: ${out}/ already holds ${files.toLocaleString('en-US')} files from earlier runs; this run adds to them (--clean empties it first)\n`;
}

function report(stats: ReplayStats, out: string, startedAt: number): string {
  const summary = formatSummary(stats, Date.now() - startedAt);
  const total = stats.objects + stats.errorObjects;
  return `${summary}\n\nOutput: ${total} objects under ${out}/ (list them with: find ${out} -type f)\n`;
}

/** The closing line and exit code for records that failed. */
function failedExit(
  stats: ReplayStats,
  options: ReplayOptions
): { code: number; message: string } | undefined {
  if (stats.failed === 0) return undefined;
  const what = `${stats.failed.toLocaleString('en-US')} of ${stats.records.toLocaleString('en-US')} records came back ProcessingFailed; see 'ProcessingFailed records by reason' above and ${options.out}/processing-failed/`;
  return options.allowFailures
    ? { code: 0, message: `replay: ${what}\n` }
    : {
        code: EXIT_FAILED_RECORDS,
        message: `replay: ${what} (exit ${EXIT_FAILED_RECORDS}; --allow-failures exits 0)\n`,
      };
}

/** Everything before the first record: options, inputs, settings. */
async function prepare(
  argv: readonly string[],
  stats: ReplayStats,
  writeStderr: (text: string) => void
): Promise<{ options: ReplayOptions; replay: Replay } | undefined> {
  const options = parseArgs(argv);
  if (options.help) return undefined;
  if (options.inputs.length === 0 && process.stdin.isTTY) {
    throw new ReplayError('REPLAY_USAGE', `no input given\n${USAGE}`);
  }
  const inputs = options.inputs.length > 0 ? options.inputs : ['-'];
  const layout = resolveLayout(
    options.prefix,
    options.errorPrefix,
    options.compression,
    options.stream
  );
  const files = await expandInputs(inputs);
  if (options.envVars !== undefined) await applyEnvFile(options.envVars);
  setEnvironment(options);
  const tap = new FunctionLogTap(logLevels(), writeStderr);
  const fallback = fallbackFormat(options);
  const showBar = options.progress ?? process.stderr.isTTY === true;
  const progress = new Progress(showBar ? process.stderr : undefined);
  const target = { outDir: options.out, layout, lambdaArn: lambdaArn(), stats };
  const replay = new Replay(options, target, progress, { tap, fallback });
  tap.install();
  for (const note of await replay.prepare(files)) {
    writeStderr(`replay: ${note}\n`);
  }
  if (options.clean) await clean(options.out);
  else {
    const warning = await warnIfNotEmpty(options.out);
    if (warning !== undefined) writeStderr(warning);
  }
  return { options, replay };
}

/** Runs the replay; resolves to the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const writeStdout = process.stdout.write.bind(process.stdout);
  // The function's logs go through the tap; this bypasses it.
  const rawStderr = process.stderr.write.bind(process.stderr);
  const writeStderr = (text: string): void => {
    rawStderr(text);
  };
  const startedAt = Date.now();
  const stats = newStats();
  let options: ReplayOptions | undefined;
  try {
    const prepared = await prepare(argv, stats, writeStderr);
    if (prepared === undefined) {
      writeStdout(`${USAGE}\n`);
      return 0;
    }
    options = prepared.options;
    try {
      await prepared.replay.run();
    } finally {
      for (const line of prepared.replay.finish()) writeStderr(`${line}\n`);
    }
    writeStdout(report(stats, options.out, startedAt));
    for (const warning of valueWarnings(stats)) writeStderr(`${warning}\n`);
    const failed = failedExit(stats, options);
    if (failed !== undefined) writeStderr(failed.message);
    return failed?.code ?? 0;
  } catch (error) {
    if (options !== undefined && stats.batches > 0) {
      writeStdout(report(stats, options.out, startedAt));
    }
    writeStderr(`replay: ${(error as Error).message}\n`);
    return error instanceof ReplayError ? error.exitCode : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
