// Measures how much RSS one handler invocation on a generated event adds,
// in a fresh process: node --expose-gc --import tsx rss-child.ts v5 3
import { transformBatch } from '../../shared/firehose/batch.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { JsonSerializer } from '../../shared/output/json.ts';
import { formatOf, makeEvent } from './generate.ts';

const formatName = (process.argv[2] ?? 'v5') as 'v2' | 'v5';
const sizeMB = Number(process.argv[3] ?? 3);
const format = parseFormat(formatOf(formatName));
const transformer = new RecordTransformer(
  {
    format,
    filter: undefined,
    enrichers: [],
    serializer: new JsonSerializer(format),
  },
  { maxDecompressedBytes: 8 << 20 }
);
// Warm the code paths on a small event so the figure is the event's, not JIT's.
transformBatch(
  JSON.parse(makeEvent(formatName, 64 * 1024, true).json),
  transformer
);
const eventJson = makeEvent(formatName, sizeMB * 1024 * 1024, true).json;
globalThis.gc?.();
const before = process.memoryUsage().rss;
const response = JSON.stringify(
  transformBatch(JSON.parse(eventJson), transformer).response
);
const peak = process.resourceUsage().maxRSS * 1024;
const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
console.log(
  `memory: ${formatName} ${sizeMB} MB wrapped event (${mib(eventJson.length)} MiB JSON) -> response ${mib(response.length)} MiB; RSS before ${mib(before)} MiB, peak ${mib(peak)} MiB, added ${mib(peak - before)} MiB`
);
