/**
 * The one configured Powertools Metrics instance of the function (EMF).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { serviceName } from './logger.ts';

/** Namespace used unless POWERTOOLS_METRICS_NAMESPACE says otherwise. */
const METRICS_NAMESPACE = 'FlowLogTransform';

/** Metric names the function publishes once per invocation. */
const METRIC = {
  RECORDS_IN: 'RecordsIn',
  RECORDS_OK: 'RecordsOk',
  RECORDS_DROPPED: 'RecordsDropped',
  RECORDS_PROCESSING_FAILED: 'RecordsProcessingFailed',
  RECORDS_REINGESTED: 'RecordsReingested',
  LINES_IN: 'LinesIn',
  LINES_OUT: 'LinesOut',
  LINES_MALFORMED: 'LinesMalformed',
  BYTES_IN: 'BytesIn',
  BYTES_OUT: 'BytesOut',
  RESPONSE_BYTES: 'ResponseBytes',
  /**
   * Lines written without the keys `eni` or `aws_service` should have added:
   * EC2 failed or timed out, the ENI cache evicted the entry, or no
   * ip-ranges could be loaded.
   */
  ENRICHMENT_DEGRADED: 'EnrichmentDegraded',
} as const;

/**
 * Prefix of `DependencyFailure_<EC2|S3|IpRangesUrl|Firehose|Kinesis>`: failed
 * AWS calls per dependency (shared/observability/dependency-failures.ts).
 */
const DEPENDENCY_FAILURE_PREFIX = 'DependencyFailure';

/** The function's metrics. */
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName,
});

export { DEPENDENCY_FAILURE_PREFIX, METRIC, METRICS_NAMESPACE, metrics };
