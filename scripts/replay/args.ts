/**
 * Command-line options of `npm run replay`: parsed, validated, and refused
 * with a message naming the option, the bad value and what is allowed.
 */
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
  readonly help: boolean;
}

const USAGE = `usage: npm run replay -- [FILE|DIR|-]... [options]

Replays flow-log files through the bundled handler as Firehose would, and
writes the results as the S3 destination would.

Inputs: .log.gz / .log files as AWS writes them to S3 (the header line sets
the format), plain text, '-' for stdin, Firehose events (.json), directories.

Function settings (passed as environment variables):
  --format TEXT          FLOW_LOG_FORMAT for inputs without a header line
  --filter EXPR          FILTER
  --enrich LIST          ENRICH
  --output-format NAME   OUTPUT_FORMAT
  --partition-keys LIST  PARTITION_KEYS
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
  --progress, --no-progress
                         force the progress bar on or off (default: on a terminal)
  -h, --help             this text`;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Options taking a value, by flag. */
const VALUE_OPTIONS = {
  '--format': 'format',
  '--filter': 'filter',
  '--enrich': 'enrich',
  '--output-format': 'outputFormat',
  '--partition-keys': 'partitionKeys',
  '--buffer-size': 'bufferSize',
  '--buffer-interval': 'bufferInterval',
  '--out': 'out',
  '--prefix': 'prefix',
  '--error-prefix': 'errorPrefix',
  '--compression': 'compression',
  '--stream': 'stream',
} as const;

type ValueName = (typeof VALUE_OPTIONS)[keyof typeof VALUE_OPTIONS];

function usageError(message: string): ReplayError {
  return new ReplayError('REPLAY_USAGE', `${message}\n${USAGE}`);
}

/** Splits argv into option values, flags and inputs. */
function collect(argv: readonly string[]): {
  values: Partial<Record<ValueName, string>>;
  flags: Set<string>;
  inputs: string[];
} {
  const values: Partial<Record<ValueName, string>> = {};
  const flags = new Set<string>();
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-' || !arg.startsWith('-')) {
      inputs.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    const name = VALUE_OPTIONS[flag as keyof typeof VALUE_OPTIONS];
    if (name === undefined) {
      const known = ['--clean', '--progress', '--no-progress', '--help', '-h'];
      if (!known.includes(arg)) throw usageError(`unknown option '${arg}'`);
      flags.add(arg === '-h' ? '--help' : arg);
      continue;
    }
    const value = equals > 0 ? arg.slice(equals + 1) : argv[++i];
    if (value === undefined) throw usageError(`${flag} needs a value`);
    values[name] = value;
  }
  return { values, flags, inputs };
}

function readNumber(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
  integer: boolean
): number {
  if (text === undefined) return fallback;
  const pattern = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const value = pattern.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    const kind = integer ? 'a whole number' : 'a number';
    throw usageError(
      `${flag}: '${text}' is not allowed; expected ${kind} from ${min} to ${max}`
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

/**
 * Parses the command line.
 *
 * @throws ReplayError (REPLAY_USAGE, exit 2) on an unknown option or bad value
 * @example parseArgs(['in.log.gz', '--buffer-size', '0.5']).bufferBytes // 524288
 */
function parseArgs(argv: readonly string[]): ReplayOptions {
  const { values, flags, inputs } = collect(argv);
  checkFormat(values.format);
  const out = values.out ?? 'out/replay';
  if (out.trim() === '') throw usageError('--out: expected a folder');
  if (inputs.filter((input) => input === '-').length > 1) {
    throw usageError("'-' (stdin) can be given once");
  }
  const options: Mutable<ReplayOptions> = {
    inputs,
    format: values.format,
    filter: values.filter,
    enrich: values.enrich,
    outputFormat: values.outputFormat,
    partitionKeys: values.partitionKeys,
    bufferBytes: Math.round(
      readNumber('--buffer-size', values.bufferSize, 1, 0.2, 3, false) * MIB
    ),
    bufferIntervalMs:
      readNumber('--buffer-interval', values.bufferInterval, 60, 0, 900, true) *
      1000,
    out,
    prefix: values.prefix,
    errorPrefix: values.errorPrefix,
    compression: readCompression(values.compression),
    stream: readStream(values.stream),
    progress: flags.has('--progress')
      ? true
      : flags.has('--no-progress')
        ? false
        : undefined,
    clean: flags.has('--clean'),
    help: flags.has('--help'),
  };
  return options;
}

export type { ReplayOptions };
export { MIB, parseArgs, USAGE };
