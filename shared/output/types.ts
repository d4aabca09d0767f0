/**
 * The contracts between the transform loop, enrichers and output formats.
 */
import type { FlowLogLine } from '../flowlog/line.ts';
import type { ByteWriter } from './byte-writer.ts';
import type { LineEnrichment } from './enrichment.ts';

/**
 * Enrichment values by output key, as plain JSON-serialisable values
 * (strings, numbers, arrays, plain objects): the ENI cache's entries
 * (`eniFields`) and {@link LineEnrichment.toObject}'s answer.
 */
type Enrichment = Record<string, unknown>;

/** Writes one transformed line per flow-log line. */
interface LineSerializer {
  /** The OUTPUT_FORMAT name: `json`, `ocsf` or `ecs`. */
  readonly name: string;
  /**
   * Appends one output line, ending in `\n`, for a parsed flow-log line and
   * the enrichment computed for it (no entries when none).
   */
  write(line: FlowLogLine, enrichment: LineEnrichment, out: ByteWriter): void;
  /**
   * Why the format cannot represent this line validly (a stable code such
   * as `OCSF_NO_TIME`), or undefined when it can. Formats with no such
   * lines leave it out. O(1).
   */
  refuse?(line: FlowLogLine): string | undefined;
}

export type { Enrichment, LineSerializer };
