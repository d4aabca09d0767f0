/**
 * The backfill's edge of the composition root: the live function's
 * adapters (functions/flow-log-processor/runtime.ts) and one processor per
 * flow-log format (shared/firehose/compose.ts), shared by the worker, `npm
 * run backfill` and the backfill tests.
 */
import { cachedTransformers } from '../../shared/backfill/compose.ts';
import type {
  Prefetch,
  TransformerFor,
} from '../../shared/backfill/object-backfill.ts';
import type { Config } from '../flow-log-processor/config.ts';
import {
  createAdapters,
  type EnrichmentAdapters,
  enrichmentDeadline,
  loadEnrichment,
  prefetchInterfaces,
  processorFor,
} from '../flow-log-processor/runtime.ts';

/** The backfill's share of the composition: the live settings per format. */
interface BackfillRuntime {
  readonly adapters: EnrichmentAdapters;
  /** One transformer per flow-log format, composed on first use. */
  readonly transformerFor: TransformerFor;
  /**
   * With ENRICH=eni: a chunk's ENI metadata, fetched until half of the time
   * left before `deadline` (epoch ms), as the handler's prefetch.
   */
  prefetchUntil(deadline: number): Prefetch | undefined;
}

/**
 * The live function's composition for the backfill (worker and `npm run
 * backfill`): the same adapters (ENI directory, ip-ranges, loaded once) and
 * one processor per format met in the objects' header lines.
 *
 * @param warn - receives each cold-start warning of a format's processor
 *   (an accepted FILTER value outside a field's documented set), once per
 *   format, as the handler logs them at its cold start
 * @throws ConfigError for a bad IP_RANGES_URL / IP_RANGES_S3_URI; a
 *   setting that does not compile for a file's format fails that object
 */
async function buildBackfillRuntime(
  config: Config,
  warn: (message: string) => void = () => {}
): Promise<BackfillRuntime> {
  const adapters = await createAdapters(config);
  await loadEnrichment(adapters);
  const transformerFor = cachedTransformers(async (format) => {
    const processor = processorFor(config, adapters, format);
    for (const warning of processor.warnings) warn(warning);
    return processor.transformer;
  });
  const prefetchUntil = (deadline: number): Prefetch | undefined => {
    if (adapters.eniDirectory === undefined) return undefined;
    return async (lines, format) => {
      const stop = enrichmentDeadline(Date.now(), deadline);
      await prefetchInterfaces(
        adapters,
        format,
        [lines],
        config.maxDecompressedBytes,
        stop
      );
    };
  };
  return { adapters, transformerFor, prefetchUntil };
}

export type { BackfillRuntime };
export { buildBackfillRuntime };
