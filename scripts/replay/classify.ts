/**
 * Why one failed record failed, found again with the core's record
 * transformer. The handler logs only five malformed-record samples per
 * invocation; when a batch's counters name a reason none of its samples
 * shows, the replay runs the batch's failed records through the transformer
 * here until it meets that reason. The transformer comes from the one
 * composition root (shared/firehose/compose.ts) with the function's settings
 * (read by its config.ts), less the filter, enrichment and partitioning,
 * which never make a line malformed.
 */

import {
  type Config,
  loadConfig,
} from '../../functions/flow-log-processor/config.ts';
import { composeProcessor } from '../../shared/firehose/compose.ts';
import type { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';

/** The reason and offending text of one failed record. */
interface Classified {
  readonly reason: string;
  readonly excerpt: string;
}

/** One transformer per format, built on first use. */
class FailureClassifier {
  private readonly transformers = new Map<string, RecordTransformer>();
  /** The function's settings, read when first needed. */
  private settings: Config | undefined;

  /**
   * The reason `data` (base64 record bytes) fails under `format`, or
   * undefined when it does not fail on its own. O(record bytes).
   */
  classify(format: FlowLogFormat, data: string): Classified | undefined {
    const transformer = this.transformerFor(format);
    const { status, reason, excerpt } = transformer.transform(
      Buffer.from(data, 'base64')
    );
    if (status !== 'ProcessingFailed' || reason === undefined) {
      return undefined;
    }
    return { reason, excerpt };
  }

  private transformerFor(format: FlowLogFormat): RecordTransformer {
    let transformer = this.transformers.get(format.text);
    if (transformer === undefined) {
      // The same environment the replayed function bundle reads.
      this.settings ??= loadConfig(process.env);
      transformer = composeProcessor({
        ...this.settings,
        format,
        outputFormat: 'json',
        filter: '',
        enrich: [],
        partitionKeys: [],
      }).transformer;
      this.transformers.set(format.text, transformer);
    }
    return transformer;
  }
}

export type { Classified };
export { FailureClassifier };
