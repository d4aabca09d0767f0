// The local enrichers a format has inputs for, as the output and Parquet
// tests run them (aws_service on the bundled sample table).
import {
  createEnrichers,
  LOCAL_ENRICHERS,
  loadBundledIpRanges,
} from '../../shared/enrich/index.ts';
import type { Enricher } from '../../shared/enrich/types.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';

/** Every local enricher whose input fields `format` has. */
function localEnrichersFor(format: FlowLogFormat): Enricher[] {
  const context = {
    internalCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
    ipRanges: loadBundledIpRanges(),
  };
  return LOCAL_ENRICHERS.flatMap((name) => {
    try {
      return createEnrichers([name], format, context);
    } catch {
      return []; // ENRICH_MISSING_FIELDS: the format lacks its inputs
    }
  });
}

export { localEnrichersFor };
