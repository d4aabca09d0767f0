// The enrichment and serializer contracts as they were before enrichers
// wrote bytes: the test-only reference (oracle) the byte writers are
// compared against in test/property/output-writers.property.test.ts.
import type { FlowLogLine } from '../../../shared/flowlog/line.ts';
import type { ByteWriter } from './byte-writer.ts';

/** Values enrichers add to one line, by output key, in insertion order. */
type Enrichment = Record<string, unknown>;

/** Writes one transformed line per flow-log line. */
interface LineSerializer {
  readonly name: string;
  write(line: FlowLogLine, enrichment: Enrichment, out: ByteWriter): void;
  refuse?(line: FlowLogLine): string | undefined;
}

/** Adds derived values for one flow-log line. */
interface Enricher {
  readonly name: string;
  enrich(line: FlowLogLine, into: Enrichment): void;
}

export type { Enricher, Enrichment, LineSerializer };
