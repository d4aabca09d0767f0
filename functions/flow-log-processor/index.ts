/**
 * The Firehose data-transformation handler: the AWS edge only. Configuration
 * is read at cold start; each invocation maps the event to the core, publishes
 * one metrics flush and one summary log line, and returns the response.
 */
import type { Context, FirehoseTransformationResult } from 'aws-lambda';
import { reingester } from '../../shared/aws/reingest.ts';
import type { BatchOutcome } from '../../shared/firehose/batch.ts';
import { likelyCause } from '../../shared/firehose/diagnose.ts';
import { processEvent } from '../../shared/firehose/process-event.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC, metrics } from '../../shared/observability/metrics.ts';
import { loadConfig } from './config.ts';
import { buildRuntime, prefetchEnrichment } from './runtime.ts';

/**
 * Re-ingestion stops retrying this long before the invocation times out,
 * leaving time to log, flush metrics and return a 6 MB response.
 */
const REINGEST_SAFETY_MARGIN_MS = 5_000;

const config = loadConfig(process.env);
const runtime = await buildRuntime(config);
if (runtime.ipRanges !== undefined) {
  logger.info('ip-ranges loaded for aws_service', {
    source: runtime.ipRanges.source,
    createDate: runtime.ipRanges.createDate,
    prefixes: runtime.ipRanges.prefixCount,
  });
}
if (config.format.unknownFields.length > 0) {
  logger.warn(
    'FLOW_LOG_FORMAT has fields not in the catalogue; kept as strings',
    {
      unknownFields: config.format.unknownFields,
    }
  );
}

function publish(outcome: BatchOutcome, eniLookupsFailed: number): void {
  const { counters } = outcome;
  const count = 'Count';
  if (runtime.eniDirectory !== undefined) {
    metrics.addMetric(METRIC.ENRICHMENT_DEGRADED, count, eniLookupsFailed);
  }
  metrics.addMetric(METRIC.RECORDS_IN, count, counters.records);
  metrics.addMetric(METRIC.RECORDS_OK, count, counters.ok);
  metrics.addMetric(METRIC.RECORDS_DROPPED, count, counters.dropped);
  metrics.addMetric(METRIC.RECORDS_PROCESSING_FAILED, count, counters.failed);
  metrics.addMetric(METRIC.LINES_IN, count, counters.lines);
  metrics.addMetric(METRIC.LINES_OUT, count, counters.linesOut);
  metrics.addMetric(METRIC.BYTES_IN, 'Bytes', counters.bytesIn);
  metrics.addMetric(METRIC.BYTES_OUT, 'Bytes', counters.bytesOut);
  metrics.addMetric(METRIC.RECORDS_REINGESTED, count, counters.reingested);
  metrics.addMetric(METRIC.RESPONSE_BYTES, 'Bytes', outcome.responseBytes);
  let malformed = 0;
  for (const [reason, n] of Object.entries(counters.malformed)) {
    metrics.addMetric(`Malformed_${reason}`, count, n);
    malformed += n;
  }
  metrics.addMetric(METRIC.LINES_MALFORMED, count, malformed);
  for (const [field, tally] of Object.entries(counters.unexpectedValues)) {
    metrics.addMetric(`UnexpectedValue_${field}`, count, tally?.lines ?? 0);
  }
  metrics.publishStoredMetrics();
}

function log(outcome: BatchOutcome): void {
  for (const sample of outcome.samples) {
    logger.warn('malformed record', { ...sample });
  }
  const cause = likelyCause(outcome.counters, config.format);
  const summary = { ...outcome.counters, responseBytes: outcome.responseBytes };
  if (cause === undefined) logger.info('batch transformed', summary);
  else logger.warn('batch transformed', { ...summary, likelyCause: cause });
}

/**
 * Transforms one Firehose batch.
 *
 * @throws TypeError when the event is not a Firehose transformation event
 */
async function handler(
  event: unknown,
  context: Context
): Promise<FirehoseTransformationResult> {
  logger.addContext(context);
  const eniLookupsFailed = await prefetchEnrichment(runtime, event);
  const outcome = await processEvent(event, {
    transformer: runtime.transformer,
    budgetBytes: config.responseBudgetBytes,
    reingester: config.reingest ? reingester : undefined,
    deadline:
      Date.now() +
      context.getRemainingTimeInMillis() -
      REINGEST_SAFETY_MARGIN_MS,
  });
  log(outcome);
  publish(outcome, eniLookupsFailed);
  return outcome.response;
}

export { handler };
