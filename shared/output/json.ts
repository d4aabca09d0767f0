/**
 * OUTPUT_FORMAT=json: one flat JSON object per line, keys in format order,
 * absent fields omitted, integers as exact JSON numbers, then enrichment keys.
 */
import { CLOSE_BRACE, LF, OPEN_BRACE, QUOTE } from '../flowlog/bytes.ts';
import type { FlowLogFormat } from '../flowlog/format.ts';
import { FIELD_KIND, type FlowLogLine } from '../flowlog/line.ts';
import type { ByteWriter } from './byte-writer.ts';
import type { LineEnrichment } from './enrichment.ts';
import type { LineSerializer } from './types.ts';

/**
 * Writes lines as flat JSON by copying field bytes: no field string is made.
 * O(line bytes) per line.
 *
 * @example new JsonSerializer(format).write(line, NO_ENRICHMENT, writer)
 */
class JsonSerializer implements LineSerializer {
  readonly name = 'json';
  /** `,"key":` for integers, `,"key":"` for strings, per field position. */
  private readonly prefixes: readonly Buffer[];
  /** Sum of the prefixes' lengths: the keys' share of a line's bound. */
  private readonly prefixBytes: number;

  constructor(format: FlowLogFormat) {
    this.prefixes = format.fields.map((field) =>
      Buffer.from(
        `,${JSON.stringify(field.key)}:${field.type === 'int' ? '' : '"'}`,
        'utf8'
      )
    );
    this.prefixBytes = this.prefixes.reduce((sum, p) => sum + p.length, 0);
  }

  write(line: FlowLogLine, enrichment: LineEnrichment, out: ByteWriter): void {
    out.byte(OPEN_BRACE);
    const skipComma = this.writeFields(line, out);
    if (enrichment.count > 0) {
      // The entries are `,"key":value` runs: one copy for them all.
      const values = enrichment.values;
      out.copy(values.buffer, skipComma, values.length);
    }
    out.byte(CLOSE_BRACE);
    out.byte(LF);
  }

  /**
   * Copies the present fields with one capacity check per line: the bound is
   * every prefix plus six bytes per input byte (the longest escape).
   *
   * @returns 1 when no field was written (the next key needs no comma)
   */
  private writeFields(line: FlowLogLine, out: ByteWriter): number {
    const { kinds, starts, ends, bytes } = line;
    const count = kinds.length;
    const prefixes = this.prefixes;
    out.reserve(this.prefixBytes + count + 6 * (ends[count - 1]! - starts[0]!));
    const target = out.buffer;
    let at = out.length;
    let skipComma = 1;
    for (let i = 0; i < count; i++) {
      const kind = kinds[i]!;
      if (kind === FIELD_KIND.ABSENT) continue;
      const prefix = prefixes[i]!;
      for (let p = skipComma; p < prefix.length; p++) target[at++] = prefix[p]!;
      skipComma = 0;
      const end = ends[i]!;
      if (kind === FIELD_KIND.ESCAPE) {
        out.length = at;
        out.jsonEscaped(bytes, starts[i]!, end);
        at = out.length;
      } else {
        for (let b = starts[i]!; b < end; b++) target[at++] = bytes[b]!;
      }
      if (kind !== FIELD_KIND.INTEGER) target[at++] = QUOTE;
    }
    out.length = at;
    return skipComma;
  }
}

export { JsonSerializer };
