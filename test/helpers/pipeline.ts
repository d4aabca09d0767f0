// Builds the plain JSON pipeline the core tests share.
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { JsonSerializer } from '../../shared/output/json.ts';

/** A transformer for `formatText` with JSON output, no filter, no enrichment. */
function jsonTransformer(
  formatText: string,
  maxDecompressedBytes = 1 << 20
): RecordTransformer {
  const format: FlowLogFormat = parseFormat(formatText);
  return new RecordTransformer(
    {
      format,
      filter: undefined,
      enrichers: [],
      serializer: new JsonSerializer(format),
    },
    { maxDecompressedBytes }
  );
}

/** Transforms `text` as one record and returns the output lines as text. */
function transformText(
  transformer: RecordTransformer,
  text: string | Buffer
): { status: string; lines: string[]; reason: string | undefined } {
  const { status, reason } = transformer.transform(
    typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  );
  const output = transformer.output.toBuffer().toString('utf8');
  return {
    status,
    lines: output === '' ? [] : output.slice(0, -1).split('\n'),
    reason,
  };
}

export { jsonTransformer, transformText };
