/**
 * Why one failed record failed, found again with the core's record
 * transformer. The handler logs only five malformed-record samples per
 * invocation; when a batch's counters name a reason none of its samples
 * shows, the replay runs the batch's failed records through the transformer
 * here (format only: no filter, enrichment or partitioning, which never make
 * a line malformed) until it meets that reason.
 */

import { SETTINGS } from '../../functions/flow-log-processor/settings.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { createSerializer } from '../../shared/output/index.ts';

/** MAX_DECOMPRESSED_BYTES' default, from the one settings table. */
const DEFAULT_MAX_DECOMPRESSED_BYTES = SETTINGS.MAX_DECOMPRESSED_BYTES.default;

/** The reason and offending text of one failed record. */
interface Classified {
  readonly reason: string;
  readonly excerpt: string;
}

/** One transformer per format, built on first use. */
class FailureClassifier {
  private readonly transformers = new Map<string, RecordTransformer>();

  /**
   * The reason `data` (base64 record bytes) fails under `format`, or
   * undefined when it does not fail on its own. O(record bytes).
   */
  classify(format: FlowLogFormat, data: string): Classified | undefined {
    const transformer = this.transformerFor(format);
    const status = transformer.transform(Buffer.from(data, 'base64'));
    if (status !== 'ProcessingFailed' || transformer.reason === undefined) {
      return undefined;
    }
    return { reason: transformer.reason, excerpt: transformer.excerpt };
  }

  private transformerFor(format: FlowLogFormat): RecordTransformer {
    let transformer = this.transformers.get(format.text);
    if (transformer === undefined) {
      const limit = Number(process.env.MAX_DECOMPRESSED_BYTES);
      transformer = new RecordTransformer(
        {
          format,
          filter: undefined,
          enrichers: [],
          serializer: createSerializer('json', format),
        },
        {
          maxDecompressedBytes:
            limit > 0 ? limit : DEFAULT_MAX_DECOMPRESSED_BYTES,
        }
      );
      this.transformers.set(format.text, transformer);
    }
    return transformer;
  }
}

export type { Classified };
export { FailureClassifier };
