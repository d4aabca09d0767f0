// Between plain enrichment objects (what the tests write and read) and the
// byte entries enrichers append (LineEnrichment).
import type { Enricher } from '../../shared/enrich/types.ts';
import type { FlowLogLine } from '../../shared/flowlog/line.ts';
import { ByteWriter } from '../../shared/output/byte-writer.ts';
import {
  DIRECTION_CODE,
  ENRICHMENT_ROLE,
  LineEnrichment,
} from '../../shared/output/enrichment.ts';
import { keyBytes, writeJsonValue } from '../../shared/output/nested-writer.ts';
import type { Enrichment } from '../../shared/output/types.ts';

/** Direction words serializers map, by the code the enricher gives them. */
const DIRECTION_CODES: Readonly<Record<string, number>> = {
  inbound: DIRECTION_CODE.INBOUND,
  ingress: DIRECTION_CODE.INBOUND,
  outbound: DIRECTION_CODE.OUTBOUND,
  egress: DIRECTION_CODE.OUTBOUND,
  internal: DIRECTION_CODE.INTERNAL,
  lateral: DIRECTION_CODE.INTERNAL,
  external: DIRECTION_CODE.EXTERNAL,
};

/**
 * A LineEnrichment holding `values` in key order, with the roles the
 * enrichers give `protocol_name`, `direction` and `community_id` strings.
 */
function lineEnrichmentOf(values: Enrichment = {}): LineEnrichment {
  const enrichment = new LineEnrichment(64);
  const scratch = new ByteWriter(64);
  for (const key in values) {
    const value = values[key];
    if (value === undefined) continue;
    let role: 0 | 1 | 2 | 3 = ENRICHMENT_ROLE.OTHER;
    let code = 0;
    if (typeof value === 'string') {
      if (key === 'protocol_name') role = ENRICHMENT_ROLE.PROTOCOL_NAME;
      if (key === 'community_id') role = ENRICHMENT_ROLE.COMMUNITY_ID;
      if (key === 'direction') {
        role = ENRICHMENT_ROLE.DIRECTION;
        code = DIRECTION_CODES[value.toLowerCase()] ?? 0;
      }
    }
    scratch.reset();
    writeJsonValue(scratch, value);
    enrichment.addConst(keyBytes(key), scratch.toBuffer(), role, code);
  }
  return enrichment;
}

/** Runs enrichers over a line, as the transform loop does; returns the entries. */
function enrichLine(
  enrichers: readonly Enricher[],
  line: FlowLogLine
): LineEnrichment {
  const enrichment = new LineEnrichment(64);
  for (const enricher of enrichers) enricher.enrich(line, enrichment);
  return enrichment;
}

export { enrichLine, lineEnrichmentOf };
