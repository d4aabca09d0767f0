/**
 * Command-line options of `npm run replay`, read with Node's `util.parseArgs`
 * and refused with a message naming the option, the bad value and what is
 * allowed.
 */
import { parseArgs as parseArgv } from 'node:util';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { ReplayError } from './errors.ts';
import type { Compression } from './s3-layout.ts';

/** Bytes in one "MB" of Firehose's buffering hints (MiB). */
const MIB = 1_048_576;

/** Everything the replay was asked to do. */
interface ReplayOptions {
  /** Files, directories, or `-` for stdin, in order. */
  readonly inputs: readonly string[];
  /** FLOW_LOG_FORMAT for inputs without a header line. */
  readonly format: string | undefined;
  readonly filter: string | undefined;
  readonly enrich: string | undefined;
  readonly outputFormat: string | undefined;
  readonly partitionKeys: string | undefined;
  /** A `sam local invoke --env-vars` file of function settings. */
  readonly envVars: string | undefined;
  /** Processor BufferSizeInMBs, in bytes. */
  readonly bufferBytes: number;
  /** Processor BufferIntervalInSeconds, in milliseconds. */
  readonly bufferIntervalMs: number;
  readonly out: string;
  readonly prefix: string | undefined;
  readonly errorPrefix: string | undefined;
  readonly compression: Compression;
  readonly stream: string;
  /** undefined: a progress bar only when stderr is a terminal. */
  readonly progress: boolean | undefined;
  readonly clean: boolean;
  /** Exit 0 even when records came back ProcessingFailed. */
  readonly allowFailures: boolean;
  readonly help: boolean;
}

const USAGE = `usage: npm run replay -- [FILE|DIR|-]... [options]

Replays flow-log files through the bundled handler as Firehose would, and
writes the results as the S3 destination would.

Inputs: .log.gz / .log files as AWS writes them to S3 (the header line sets
the format), plain text, '-' for stdin (a header line switches the format),
Firehose events (.json), directories.

Function settings (passed as environment variables):
  --format TEXT          FLOW_LOG_FORMAT for inputs without a header line
  --filter EXPR          FILTER
  --enrich LIST          ENRICH
  --output-format NAME   OUTPUT_FORMAT
  --partition-keys LIST  PARTITION_KEYS
  --env-vars FILE        settings from a 'sam local invoke --env-vars' file
                         (events/env/*.json); options and the shell win
Firehose settings:
  --buffer-size MB       processor buffer size, 0.2 to 3 (default 1)
  --buffer-interval S    processor buffer interval, 0 to 900 (default 60)
  --stream NAME          delivery stream name in object names (default flow-logs)
  --prefix TEXT          S3 prefix; may use !{timestamp:…} and
                         !{partitionKeyFromLambda:key}
  --error-prefix TEXT    S3 error prefix; with expressions it must use
                         !{firehose:error-output-type}
  --compression KIND     none or gzip (default none)
Replay:
  --out DIR              output folder (default out/replay)
  --clean                empty the output folder first
  --allow-failures       exit 0 even when records came back ProcessingFailed
  --progress, --no-progress
                         force the progress bar on or off (default: on a terminal)
  -h, --help             this text

Exit codes: 0 done; 1 an input could not be read; 2 a bad option or setting;
3 records came back ProcessingFailed (see the summary; --allow-failures).`;

/** The options `util.parseArgs` accepts. */
const OPTIONS = {
  format: { type: 'string' },
  filter: { type: 'string' },
  enrich: { type: 'string' },
  'output-format': { type: 'string' },
  'partition-keys': { type: 'string' },
  'env-vars': { type: 'string' },
  'buffer-size': { type: 'string' },
  'buffer-interval': { type: 'string' },
  out: { type: 'string' },
  prefix: { type: 'string' },
  'error-prefix': { type: 'string' },
  compression: { type: 'string' },
  stream: { type: 'string' },
  clean: { type: 'boolean' },
  'allow-failures': { type: 'boolean' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usageError(message: string): ReplayError {
  return new ReplayError('REPLAY_USAGE', `${message}\n${USAGE}`);
}

/** `util.parseArgs`, its errors turned into usage errors. */
function readArgv(argv: readonly string[]) {
  try {
    return parseArgv({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // Node's text names the option ("Unknown option '--bogus'", "Option
    // '--out <value>' argument missing"); its hints mention `--` handling.
    const message = (error as Error).message.split('. To specify')[0];
    throw usageError(message ?? String(error));
  }
}

function readNumber(
  flag: string,
  text: string | undefined,
  fallback: number,
  range: { min: number; max: number; integer: boolean }
): number {
  if (text === undefined) return fallback;
  const pattern = range.integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const value = pattern.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    const kind = range.integer ? 'a whole number' : 'a number';
    throw usageError(
      `${flag}: '${text}' is not allowed; expected ${kind} from ${range.min} to ${range.max}`
    );
  }
  return value;
}

function readCompression(text: string | undefined): Compression {
  const lower = (text ?? 'none').toLowerCase();
  if (lower === 'gzip') return 'gzip';
  if (lower === 'none' || lower === 'uncompressed') return 'none';
  throw usageError(
    `--compression: '${text}' is not allowed; expected none or gzip`
  );
}

function readStream(text: string | undefined): string {
  const stream = text ?? 'flow-logs';
  if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(stream)) {
    throw usageError(
      `--stream: '${stream}' is not allowed; expected 1 to 64 letters, digits, '_', '.' or '-'`
    );
  }
  return stream;
}

function checkFormat(text: string | undefined): void {
  if (text === undefined) return;
  try {
    parseFormat(text, '--format');
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

function readProgress(values: {
  progress?: boolean;
  'no-progress'?: boolean;
}): boolean | undefined {
  if (values.progress === true && values['no-progress'] === true) {
    throw usageError('--progress and --no-progress cannot both be given');
  }
  if (values.progress === true) return true;
  return values['no-progress'] === true ? false : undefined;
}

/**
 * Parses the command line.
 *
 * @throws ReplayError (REPLAY_USAGE, exit 2) on an unknown option or bad value
 * @example parseArgs(['in.log.gz', '--buffer-size', '0.5']).bufferBytes // 524288
 */
function parseArgs(argv: readonly string[]): ReplayOptions {
  const { values, positionals } = readArgv(argv);
  checkFormat(values.format);
  const out = values.out ?? 'out/replay';
  if (out.trim() === '') throw usageError('--out: expected a folder');
  if (values['env-vars']?.trim() === '') {
    throw usageError('--env-vars: expected a file');
  }
  if (positionals.filter((input) => input === '-').length > 1) {
    throw usageError("'-' (stdin) can be given once");
  }
  return {
    inputs: positionals,
    format: values.format,
    filter: values.filter,
    enrich: values.enrich,
    outputFormat: values['output-format'],
    partitionKeys: values['partition-keys'],
    envVars: values['env-vars'],
    bufferBytes: Math.round(
      readNumber('--buffer-size', values['buffer-size'], 1, {
        min: 0.2,
        max: 3,
        integer: false,
      }) * MIB
    ),
    bufferIntervalMs:
      readNumber('--buffer-interval', values['buffer-interval'], 60, {
        min: 0,
        max: 900,
        integer: true,
      }) * 1000,
    out,
    prefix: values.prefix,
    errorPrefix: values['error-prefix'],
    compression: readCompression(values.compression),
    stream: readStream(values.stream),
    progress: readProgress(values),
    clean: values.clean === true,
    allowFailures: values['allow-failures'] === true,
    help: values.help === true,
  };
}

export type { ReplayOptions };
export { MIB, parseArgs, USAGE };
