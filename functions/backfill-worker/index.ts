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
import { batchAudit, runBatch } from '../../shared/backfill/batch.ts';
import { compileLayout } from '../../shared/backfill/compose.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC, metrics } from '../../shared/observability/metrics.ts';
import { loadConfig } from '../flow-log-processor/config.ts';
import { createS3Client } from '../flow-log-processor/optional-clients.ts';
import {
  enrichmentDeadline,
  refreshEnrichment,
  SAFETY_MARGIN_MS,
} from '../flow-log-processor/runtime.ts';
import { buildBackfillRuntime } from './runtime.ts';

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
// The live function's composition: the same enrichers (with the ENI and
// ip-ranges adapters when ENRICH asks for them), one processor per format.
const { adapters, transformerFor, prefetchUntil } = await buildBackfillRuntime(
  config,
  (warning) => logger.warn(warning)
);

/**
 * Lines written without the keys `eni` or `aws_service` should have added
 * (the handler's EnrichmentDegraded), or undefined without those enrichers.
 */
function degradedLines(lines: number): number | undefined {
  if (adapters.eniDirectory === undefined && adapters.ipRanges === undefined) {
    return undefined;
  }
  let degraded = adapters.eniDirectory?.cache.takeCounts().degraded ?? 0;
  if (adapters.ipRanges !== undefined && !adapters.ipRanges.available) {
    degraded += lines;
  }
  return degraded;
}

/**
 * The batch's summary line and metrics, as the handler reports a Firehose
 * batch: the value audit (`unexpectedValues`, `malformedFieldCounts`,
 * `UnexpectedValue_<field>`), failures by reason, degraded enrichment, and a
 * warning with the likely cause of each object that has one.
 */
function report(result: BatchResult): void {
  const lines = result.objects.reduce((n, o) => n + o.linesRead, 0);
  const audit = batchAudit(result.objects);
  const degraded = degradedLines(lines);
  for (const object of result.objects) {
    if (object.likelyCause === undefined) continue;
    logger.warn('backfill object has a likely cause', {
      key: object.key,
      likelyCause: object.likelyCause,
    });
  }
  logger.info('backfill batch done', {
    objects: result.objects.length,
    skipped: result.skipped.length,
    lines,
    failed: result.objects.reduce((n, o) => n + o.failed, 0),
    ...audit,
    ...(degraded === undefined ? {} : { enrichmentDegraded: degraded }),
  });
  const count = 'Count';
  metrics.addMetric(METRIC.LINES_IN, count, lines);
  for (const [field, tally] of Object.entries(audit.unexpectedValues)) {
    metrics.addMetric(`UnexpectedValue_${field}`, count, tally?.lines ?? 0);
  }
  for (const [reason, n] of Object.entries(audit.malformed)) {
    metrics.addMetric(`Malformed_${reason}`, count, n ?? 0);
  }
  if (degraded !== undefined) {
    metrics.addMetric(METRIC.ENRICHMENT_DEGRADED, count, degraded);
  }
  metrics.publishStoredMetrics();
}

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
  const start = Date.now();
  const deadline =
    start + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  await refreshEnrichment(adapters, enrichmentDeadline(start, deadline));
  const result = await runBatch(event, {
    open: (key) => openS3Object(s3, sourceBucket, key),
    destination: s3Destination(s3, destinationBucket),
    layout: { ...layout, lambdaArn: context.invokedFunctionArn },
    transformerFor,
    fallback: config.format,
    prefetch: prefetchUntil(deadline),
  });
  report(result);
  return result;
}

export { handler };
