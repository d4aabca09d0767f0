/**
 * The enricher contract: each enricher adds documented keys to a line's
 * {@link Enrichment}. Enrichers are built once at cold start for a format.
 */
import type { FlowLogLine } from '../flowlog/line.ts';
import type { Enrichment } from '../output/types.ts';

/** Adds derived values for one flow-log line. Must not throw. */
interface Enricher {
  /** The ENRICH name: `protocol`, `tcp_flags`, … */
  readonly name: string;
  /** Adds this enricher's keys for `line` to `into`; absent inputs add nothing. */
  enrich(line: FlowLogLine, into: Enrichment): void;
}

export type { Enricher };
