/**
 * The Firehose data-transformation handler: the AWS edge only. Configuration
 * is read at cold start; each invocation maps the event to the core, publishes
 * one metrics flush and one summary log line, and returns the response.
 */
import type { Context, FirehoseTransformationResult } from 'aws-lambda';
import type { EniPrefetchResult } from '../../shared/aws/eni-directory.ts';
import { reingester } from '../../shared/aws/reingest.ts';
import type { BatchOutcome } from '../../shared/firehose/batch.ts';
import { likelyCause } from '../../shared/firehose/diagnose.ts';
import { decodeEvent } from '../../shared/firehose/event.ts';
import { processEvent } from '../../shared/firehose/process-event.ts';
import { dependencyFailures } from '../../shared/observability/dependency-failures.ts';
import { logger } from '../../shared/observability/logger.ts';
import {
  DEPENDENCY_FAILURE_PREFIX,
  METRIC,
  metrics,
} from '../../shared/observability/metrics.ts';
import { loadConfig } from './config.ts';
import {
  buildRuntime,
  enrichmentDeadline,
  prefetchEnrichment,
  refreshEnrichment,
  SAFETY_MARGIN_MS,
} from './runtime.ts';

const config = loadConfig(process.env);
const runtime = await buildRuntime(config);
// Accepted settings worth a look: a FILTER value outside its field's
// documented set (AWS may add values), each message naming its setting.
for (const warning of runtime.processor.warnings) logger.warn(warning);
if (config.format.unknownFields.length > 0) {
  logger.warn(
    'FLOW_LOG_FORMAT has fields not in the catalogue; kept as strings',
    {
      unknownFields: config.format.unknownFields,
    }
  );
}

/**
 * Lines that went out without the keys an enricher should have added because
 * an AWS dependency failed, timed out, or its cache evicted the entry.
 */
function degradedLines(outcome: BatchOutcome): number {
  let lines = runtime.eniDirectory?.cache.takeCounts().degraded ?? 0;
  if (runtime.ipRanges !== undefined && !runtime.ipRanges.available) {
    lines += outcome.counters.lines;
  }
  return lines;
}

function publish(outcome: BatchOutcome, degraded: number): void {
  const { counters } = outcome;
  const count = 'Count';
  if (runtime.eniDirectory !== undefined || runtime.ipRanges !== undefined) {
    metrics.addMetric(METRIC.ENRICHMENT_DEGRADED, count, degraded);
  }
  for (const [dependency, n] of Object.entries(dependencyFailures.take())) {
    metrics.addMetric(`${DEPENDENCY_FAILURE_PREFIX}_${dependency}`, count, n);
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

function log(
  outcome: BatchOutcome,
  degraded: number,
  eni: EniPrefetchResult | undefined
): void {
  for (const sample of outcome.samples) {
    logger.warn('malformed record', { ...sample });
  }
  const cause = likelyCause(outcome.counters, config.format);
  const summary = {
    ...outcome.counters,
    responseBytes: outcome.responseBytes,
    ...(runtime.eniDirectory !== undefined || runtime.ipRanges !== undefined
      ? { enrichmentDegraded: degraded }
      : {}),
    ...(eni === undefined ? {} : { eniPrefetch: eni }),
  };
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
  const start = Date.now();
  const deadline =
    start + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  const enrichDeadline = enrichmentDeadline(start, deadline);
  await refreshEnrichment(runtime, enrichDeadline);
  // Checked and base64-decoded once, for the ENI prefetch and the transform.
  const decoded = decodeEvent(event);
  const eni = await prefetchEnrichment(runtime, decoded, enrichDeadline);
  const outcome = await processEvent(decoded, {
    transformer: runtime.transformer,
    budgetBytes: config.responseBudgetBytes,
    reingester: config.reingest ? reingester : undefined,
    deadline,
  });
  const degraded = degradedLines(outcome);
  log(outcome, degraded, eni);
  publish(outcome, degraded);
  return outcome.response;
}

export { handler };
