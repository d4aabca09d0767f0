/**
 * The Firehose data-transformation handler: the AWS edge only. Configuration
 * is read at cold start; each invocation maps the event to the core, publishes
 * one metrics flush and one summary log line, and returns the response.
 */
import type { Context, FirehoseTransformationResult } from 'aws-lambda';
import { transformBatch } from '../../shared/firehose/batch.ts';
import type { BatchOutcome } from '../../shared/firehose/batch.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC, metrics } from '../../shared/observability/metrics.ts';
import { loadConfig } from './config.ts';
import { buildRuntime } from './runtime.ts';

const config = loadConfig(process.env);
const runtime = await buildRuntime(config);
if (config.format.unknownFields.length > 0) {
  logger.warn('FLOW_LOG_FORMAT has fields not in the catalogue; kept as strings', {
    unknownFields: config.format.unknownFields,
  });
}

function publish(outcome: BatchOutcome): void {
  const { counters } = outcome;
  const count = 'Count';
  metrics.addMetric(METRIC.RECORDS_IN, count, counters.records);
  metrics.addMetric(METRIC.RECORDS_OK, count, counters.ok);
  metrics.addMetric(METRIC.RECORDS_DROPPED, count, counters.dropped);
  metrics.addMetric(METRIC.RECORDS_PROCESSING_FAILED, count, counters.failed);
  metrics.addMetric(METRIC.LINES_IN, count, counters.lines);
  metrics.addMetric(METRIC.LINES_OUT, count, counters.linesOut);
  metrics.addMetric(METRIC.BYTES_IN, 'Bytes', counters.bytesIn);
  metrics.addMetric(METRIC.BYTES_OUT, 'Bytes', counters.bytesOut);
  let malformed = 0;
  for (const [reason, n] of Object.entries(counters.malformed)) {
    metrics.addMetric(`Malformed_${reason}`, count, n);
    malformed += n;
  }
  metrics.addMetric(METRIC.LINES_MALFORMED, count, malformed);
  metrics.publishStoredMetrics();
}

function log(outcome: BatchOutcome): void {
  for (const sample of outcome.samples) {
    logger.warn('malformed record', { ...sample });
  }
  logger.info('batch transformed', { ...outcome.counters });
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
  const outcome = transformBatch(event, runtime.transformer);
  log(outcome);
  publish(outcome);
  return outcome.response;
}

export { handler };
