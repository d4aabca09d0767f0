/**
 * The enricher contract: each enricher appends documented keys to a line's
 * {@link LineEnrichment}. Enrichers are built once at cold start for a format.
 */
import type { FlowLogLine } from '../flowlog/line.ts';
import type { LineEnrichment } from '../output/enrichment.ts';

/** Adds derived values for one flow-log line. Must not throw. */
interface Enricher {
  /** The ENRICH name: `protocol`, `tcp_flags`, … */
  readonly name: string;
  /**
   * Appends this enricher's entries for `line` to `into` (key bytes and
   * JSON value bytes); absent inputs add nothing.
   */
  enrich(line: FlowLogLine, into: LineEnrichment): void;
}

export type { Enricher };
