/**
 * Where and how the S3 destination writes: object keys (evaluated prefix plus
 * Firehose's `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>` suffix), GZIP,
 * and the error records of the processing-failed prefix.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PrefixTemplate } from '../../shared/firehose/s3-prefix.ts';
import {
  compilePrefix as compileExpression,
  DEFAULT_TIME_PREFIX,
  evaluatePrefix,
  PrefixError,
} from '../../shared/firehose/s3-prefix.ts';
import { ReplayError } from './errors.ts';

/** compilePrefix, its refusal as the replay's usage error (exit 2). */
function compilePrefix(text: string, setting: string): PrefixTemplate {
  try {
    return compileExpression(text, setting);
  } catch (error) {
    if (error instanceof PrefixError) {
      throw new ReplayError('REPLAY_USAGE', error.message);
    }
    throw error;
  }
}

/** The S3 destination's compression setting. */
type Compression = 'none' | 'gzip';

/** The destination as configured by `--prefix`, `--error-prefix`… */
interface S3Layout {
  readonly prefix: PrefixTemplate | undefined;
  readonly errorPrefix: PrefixTemplate | undefined;
  readonly compression: Compression;
  readonly stream: string;
}

/** Firehose's error output type for records the function failed. */
const PROCESSING_FAILED = 'processing-failed';

/** The replay's error output type for records lacking a partition key. */
const PARTITIONING_FAILED = 'partitioning-failed';

/** The suffix's time, `YYYY-MM-DD-HH-MM-SS`. */
const SUFFIX_TIME = compilePrefix(
  "!{timestamp:yyyy'-'MM'-'dd'-'HH'-'mm'-'ss}",
  'suffix'
);

/**
 * Checks the prefix rules Firehose enforces when the stream is created.
 *
 * @throws ReplayError (REPLAY_USAGE) naming the option and the rule
 * @example resolveLayout('logs/', undefined, 'none', 'flow-logs')
 */
function resolveLayout(
  prefixText: string | undefined,
  errorPrefixText: string | undefined,
  compression: Compression,
  stream: string
): S3Layout {
  const prefix =
    prefixText === undefined
      ? undefined
      : compilePrefix(prefixText, '--prefix');
  const errorPrefix =
    errorPrefixText === undefined
      ? undefined
      : compilePrefix(errorPrefixText, '--error-prefix');
  const fail = (message: string) => new ReplayError('REPLAY_USAGE', message);
  if (prefix?.hasErrorType) {
    throw fail(
      `--prefix: '${prefix.text}' must not use !{firehose:error-output-type}; it belongs in --error-prefix`
    );
  }
  if (prefix?.hasExpressions && errorPrefix === undefined) {
    throw fail(
      `--prefix: '${prefix.text}' has expressions, so --error-prefix is required (with !{firehose:error-output-type})`
    );
  }
  if (errorPrefix?.hasExpressions && !errorPrefix.hasErrorType) {
    throw fail(
      `--error-prefix: '${errorPrefix.text}' has expressions, so it must contain !{firehose:error-output-type}`
    );
  }
  if (errorPrefix !== undefined && errorPrefix.keys.length > 0) {
    throw fail(
      `--error-prefix: '${errorPrefix.text}' must not use !{partitionKeyFromLambda:…}`
    );
  }
  return { prefix, errorPrefix, compression, stream };
}

/** Hive-style folders of every key the record carries, in response order. */
function keyFolders(keys: Readonly<Record<string, string>>): string {
  return Object.entries(keys)
    .map(([key, value]) => `${key}=${value}/`)
    .join('');
}

/**
 * The evaluated prefix of an Ok object. Without `--prefix`, records carrying
 * partition keys land under `key=value/…/YYYY/MM/DD/HH/`.
 *
 * @returns the prefix, or `{ missingKey }` when the record lacks a key
 */
function dataPrefix(
  layout: S3Layout,
  time: number,
  keys: Readonly<Record<string, string>> | undefined
): string | { missingKey: string } {
  const { prefix } = layout;
  const timeFolders = evaluatePrefix(DEFAULT_TIME_PREFIX, { time }) as string;
  if (prefix === undefined) {
    return keys === undefined ? timeFolders : keyFolders(keys) + timeFolders;
  }
  if (!prefix.hasExpressions) return prefix.text + timeFolders;
  return evaluatePrefix(prefix, { time, keys });
}

/** The evaluated prefix of an error object. */
function errorPrefixOf(
  layout: S3Layout,
  time: number,
  errorType: string
): string {
  const timeFolders = evaluatePrefix(DEFAULT_TIME_PREFIX, { time }) as string;
  const { prefix, errorPrefix } = layout;
  if (errorPrefix?.hasExpressions) {
    return evaluatePrefix(errorPrefix, { time, errorType }) as string;
  }
  const base = errorPrefix?.text ?? prefix?.text ?? '';
  return `${base}${errorType}/${timeFolders}`;
}

/**
 * A full object key: prefix, then `<stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>`,
 * then `.gz` when compressed.
 *
 * @example objectKey(layout, '2026/11/24/00/', 1795478400000)
 */
function objectKey(layout: S3Layout, prefix: string, time: number): string {
  const stamp = evaluatePrefix(SUFFIX_TIME, { time }) as string;
  const extension = layout.compression === 'gzip' ? '.gz' : '';
  return `${prefix}${layout.stream}-1-${stamp}-${randomUUID()}${extension}`;
}

/** One record of the error prefix (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html). */
interface ErrorRecord {
  attemptsMade: number;
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  rawData: string;
  lambdaArn: string;
}

/**
 * Writes one object under `outDir`, compressed when the layout says so.
 *
 * @returns the bytes written to disk
 * @throws ReplayError (REPLAY_INPUT) when the file cannot be written
 */
async function writeObject(
  outDir: string,
  layout: S3Layout,
  key: string,
  body: Buffer
): Promise<number> {
  const bytes = layout.compression === 'gzip' ? gzipSync(body) : body;
  const path = join(outDir, key);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  } catch (error) {
    throw new ReplayError(
      'REPLAY_INPUT',
      `cannot write '${path}': ${(error as Error).message}`
    );
  }
  return bytes.length;
}

export type { Compression, ErrorRecord, S3Layout };
export {
  dataPrefix,
  errorPrefixOf,
  objectKey,
  PARTITIONING_FAILED,
  PROCESSING_FAILED,
  resolveLayout,
  writeObject,
};
