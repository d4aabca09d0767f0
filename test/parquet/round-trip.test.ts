// Every OCSF record the function writes for the embedded samples, the
// golden inputs and the sample events, with every local enricher, written
// to Parquet with the Security Lake schema generated from OCSF_ATTRIBUTES
// (hyparquet-writer) and read back (hyparquet): the same values, modulo the
// documented type mapping (docs/security-lake.md, "Schema").

import { isDeepStrictEqual } from 'node:util';
import {
  parquetMetadata,
  parquetReadObjects,
  parquetSchema as readSchema,
} from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import {
  type Exact,
  eventSources,
  goldenSources,
  ocsfLines,
  parquetRow,
  parquetSchema,
  parseExact,
  type RecordSource,
  sampleSources,
  schemaTree,
  withoutNulls,
} from './ocsf-parquet.ts';

const TREE = schemaTree();
const SCHEMA = parquetSchema(TREE);

/** Writes rows column by column with the generated schema. */
function writeParquet(rows: readonly { [key: string]: Exact }[]): ArrayBuffer {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema: SCHEMA,
    columnData: [...TREE.keys()].map((name) => ({
      name,
      data: rows.map((row) => row[name] ?? null),
    })),
  });
  return writer.getBuffer();
}

const SOURCES: readonly RecordSource[] = [
  ...sampleSources(),
  ...goldenSources(),
  ...eventSources(),
];

describe('OCSF → Parquet (generated Security Lake schema) → read back', () => {
  it('covers the samples, the golden inputs and every sample event', () => {
    // Assess
    expect(SOURCES.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^samples\//),
        'test/golden/input/default-format.log',
        'test/golden/input/tgw-default-format.log',
        'events/firehose-cloudwatch-logs.json',
        'events/firehose-v7-v8.json',
      ])
    );
  });

  it.each(SOURCES.map((source) => [source.name, source] as const))(
    'reads back every record of %s',
    (_name, source) => {
      // Prepare
      const events = ocsfLines(source).map(parseExact);
      const rows = events.map((event) => parquetRow(TREE, event));

      // Act
      const file = writeParquet(rows);
      return parquetReadObjects({ file }).then((read) => {
        // Assess (row by row: one deep comparison of 10,000 rows is slow)
        expect(events.length).toBeGreaterThan(0);
        expect(read).toHaveLength(rows.length);
        const differ = rows
          .map((row, i) => ({ i, row, read: withoutNulls(read[i]) }))
          .filter(({ row, read }) => !isDeepStrictEqual(read, row))
          .slice(0, 3);
        expect(differ).toEqual([]);
      });
    }
  );

  it('writes the column layout Hive reads: LIST, MAP and nested groups', () => {
    // Act
    const file = writeParquet([]);
    const schema = readSchema(parquetMetadata(file));
    const names = schema.children.map((c) => c.element.name);

    // Assess
    expect(names).toEqual([...TREE.keys()]);
    const metadata = schema.children.find(
      (c) => c.element.name === 'metadata'
    )!;
    const profiles = metadata.children.find(
      (c) => c.element.name === 'profiles'
    )!;
    expect(profiles.element.converted_type).toBe('LIST');
    const unmapped = schema.children.find(
      (c) => c.element.name === 'unmapped'
    )!;
    expect(unmapped.element.converted_type).toBe('MAP');
  });
});

describe('the type mapping', () => {
  it('keeps 64-bit counters exact as INT64 and unmapped values as text', () => {
    // Prepare: long_t up to 2^63 - 1; past it the writer moves the value to
    // unmapped (docs/output-formats.md), where it is kept as digits.
    const event = parseExact(
      '{"traffic":{"bytes":9223372036854775807,"packets":1},' +
        '"unmapped":{"packets_lost_no_route":18446744073709551615,' +
        '"reject_reason":"BKT","enrichment":{"community_id":"1:abc=","duration_seconds":57}}}'
    );

    // Act
    const row = parquetRow(TREE, event);

    // Assess
    expect(row).toEqual({
      traffic: { bytes: 9223372036854775807n, packets: 1n },
      unmapped: {
        packets_lost_no_route: '18446744073709551615',
        reject_reason: 'BKT',
        enrichment: '{"community_id":"1:abc=","duration_seconds":57}',
      },
    });
  });

  it('refuses an attribute outside the schema, which Firehose would drop', () => {
    // Act
    const act = () =>
      parquetRow(TREE, parseExact('{"src_endpoint":{"mac":"x"}}'));

    // Assess
    expect(act).toThrow('src_endpoint.mac: not in the schema');
  });

  it('refuses a value its column cannot hold', () => {
    // Act
    const act = () =>
      parquetRow(TREE, parseExact('{"src_endpoint":{"port":2147483648}}'));

    // Assess
    expect(act).toThrow('src_endpoint.port: 2147483648 is not an int');
  });
});
