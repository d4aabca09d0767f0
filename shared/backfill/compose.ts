/**
 * The backfill's composition: the live function's configuration, compiled
 * once per flow-log format met in the objects' header lines, and the
 * destination layout from the stream's own prefix expressions.
 */

import type { RecordTransformer } from '../firehose/record-transformer.ts';
import { compilePrefix } from '../firehose/s3-prefix.ts';
import type { FlowLogFormat } from '../flowlog/format.ts';
import type { BackfillLayout, TransformerFor } from './object-backfill.ts';

/** The Firehose stream's prefixes as template.yaml sets them. */
interface LayoutSettings {
  /** BACKFILL_DATA_PREFIX: the stream's S3 `Prefix`. */
  readonly dataPrefix: string;
  /** BACKFILL_ERROR_PREFIX: the stream's `ErrorOutputPrefix`. */
  readonly errorPrefix: string;
  readonly lambdaArn: string;
}

/**
 * Compiles the layout. A prefix with `!{firehose:random-string}` is refused:
 * it would make re-runs write new objects instead of overwriting.
 *
 * @throws PrefixError naming the setting
 */
function compileLayout(settings: LayoutSettings): BackfillLayout {
  const dataPrefix = compilePrefix(settings.dataPrefix, 'BACKFILL_DATA_PREFIX');
  const errorPrefix = compilePrefix(
    settings.errorPrefix,
    'BACKFILL_ERROR_PREFIX'
  );
  for (const [name, prefix] of [
    ['BACKFILL_DATA_PREFIX', dataPrefix],
    ['BACKFILL_ERROR_PREFIX', errorPrefix],
  ] as const) {
    if (prefix.parts.some((part) => part.kind === 'random-string')) {
      throw new TypeError(
        `${name}: '${prefix.text}' uses !{firehose:random-string}; a backfill must write the same keys on every run`
      );
    }
  }
  return { dataPrefix, errorPrefix, lambdaArn: settings.lambdaArn };
}

/**
 * One transformer per format, built on first use by `build` (the live
 * function's runtime with that format) and reused.
 */
function cachedTransformers(
  build: (format: FlowLogFormat) => Promise<RecordTransformer>
): TransformerFor {
  const cache = new Map<string, Promise<RecordTransformer>>();
  return (format) => {
    let transformer = cache.get(format.text);
    if (transformer === undefined) {
      transformer = build(format);
      cache.set(format.text, transformer);
    }
    return transformer;
  };
}

export type { LayoutSettings };
export { cachedTransformers, compileLayout };
