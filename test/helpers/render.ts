// Serializes flow-log lines of one format with one output serializer, as the
// transform loop does, for the output-format unit tests.
import { expect } from 'vitest';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../shared/flowlog/scan.ts';
import { ByteWriter } from '../../shared/output/byte-writer.ts';
import type { Enrichment, LineSerializer } from '../../shared/output/types.ts';
import { lineEnrichmentOf } from './enrichment.ts';

type Json = Record<string, unknown>;

/** Serializes valid `lines` of `formatText`; returns the raw output text. */
function renderLines(
  createSerializer: (format: FlowLogFormat) => LineSerializer,
  formatText: string,
  lines: readonly string[],
  enrichment: Enrichment = {}
): string {
  const format = parseFormat(formatText);
  const plan = planScan(format);
  const line = new FlowLogLine(format);
  const serializer = createSerializer(format);
  const out = new ByteWriter(64);
  const entries = lineEnrichmentOf(enrichment);
  for (const text of lines) {
    const bytes = Buffer.from(text, 'utf8');
    expect(scanLine(bytes, 0, bytes.length, plan, line)).toBeUndefined();
    serializer.write(line, entries, out);
  }
  return out.toBuffer().toString('utf8');
}

/** The parsed output document of one line. */
function renderOne(
  createSerializer: (format: FlowLogFormat) => LineSerializer,
  formatText: string,
  text: string,
  enrichment?: Enrichment
): Json {
  return JSON.parse(
    renderLines(createSerializer, formatText, [text], enrichment)
  ) as Json;
}

/** A Firehose transformation event holding `datas` as its records' data. */
function firehoseEvent(datas: readonly unknown[]) {
  return {
    invocationId: 'i',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/s',
    region: 'us-east-1',
    records: datas.map((data, i) => ({
      recordId: `id-${i}`,
      approximateArrivalTimestamp: 1700000000000,
      data,
    })),
  };
}

export type { Json };
export { firehoseEvent, renderLines, renderOne };
