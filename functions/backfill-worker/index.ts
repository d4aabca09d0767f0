/**
 * The backfill worker: a child of the backfill state machine's Distributed
 * Map. Each invocation gets one ItemBatcher batch of S3 objects (flow logs
 * delivered to S3), transforms them with the live function's settings and
 * writes the output where the live stream writes. The AWS edge only: the
 * work is shared/backfill.
 */
import type { Context } from 'aws-lambda';
import { openS3Object, s3Destination } from '../../shared/aws/backfill-s3.ts';
import type {
  BackfillBatch,
  BatchResult,
} from '../../shared/backfill/batch.ts';
import { runBatch } from '../../shared/backfill/batch.ts';
import {
  cachedTransformers,
  compileLayout,
} from '../../shared/backfill/compose.ts';
import { logger } from '../../shared/observability/logger.ts';
import { loadConfig } from '../flow-log-processor/config.ts';
import { createS3Client } from '../flow-log-processor/optional-clients.ts';
import { buildRuntime } from '../flow-log-processor/runtime.ts';

/** A required setting, or a cold-start failure naming it. */
function required(name: string): string {
  const value = process.env[name]?.trim();
  if (value === undefined || value === '') {
    throw new TypeError(`${name}: is not set; the template sets it`);
  }
  return value;
}

const config = loadConfig(process.env);
const sourceBucket = required('SOURCE_BUCKET');
const sourcePrefix = process.env.SOURCE_PREFIX?.trim() ?? '';
const destinationBucket = required('DESTINATION_BUCKET');
const s3 = createS3Client();
const layout = compileLayout({
  dataPrefix: required('BACKFILL_DATA_PREFIX'),
  errorPrefix: required('BACKFILL_ERROR_PREFIX'),
  lambdaArn: '',
});
const transformerFor = cachedTransformers(
  async (format) => (await buildRuntime({ ...config, format })).transformer
);

/**
 * Backfills one batch.
 *
 * @returns per object: lines read, written, dropped, failed and the keys
 *   written (the Map Run's ResultWriter stores it)
 * @throws when an object cannot be read or written: Step Functions retries
 *   the batch, and the worker's writes are idempotent
 */
async function handler(
  event: BackfillBatch,
  context: Context
): Promise<BatchResult> {
  logger.addContext(context);
  const outside = (event?.Items ?? []).find(
    (item) => !item.Key.startsWith(sourcePrefix)
  );
  if (outside !== undefined) {
    throw new TypeError(
      `'${outside.Key}' is outside SOURCE_PREFIX '${sourcePrefix}': the worker may read only that prefix`
    );
  }
  const result = await runBatch(event, {
    open: (key) => openS3Object(s3, sourceBucket, key),
    destination: s3Destination(s3, destinationBucket),
    layout: { ...layout, lambdaArn: context.invokedFunctionArn },
    transformerFor,
    fallback: config.format,
  });
  logger.info('backfill batch done', {
    objects: result.objects.length,
    skipped: result.skipped.length,
    lines: result.objects.reduce((n, o) => n + o.linesRead, 0),
    failed: result.objects.reduce((n, o) => n + o.failed, 0),
  });
  return result;
}

export { handler };
