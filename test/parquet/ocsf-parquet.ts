/**
 * OCSF records → Parquet rows with the generated Security Lake schema, the
 * way Firehose's OpenX JSON deserializer and Parquet serializer would carry
 * them (https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html):
 * each attribute into its column or struct field, `unmapped` into a
 * map<string,string>. A key outside the schema throws: Firehose would drop
 * it silently, so the test suite must never see one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SchemaElement } from 'hyparquet';
import {
  type GlueScalar,
  type SchemaNode,
  schemaTree,
} from '../../scripts/lib/security-lake-schema.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import type { FlowLogFormat } from '../../shared/flowlog/format.ts';
import { formatFromHeader, parseFormat } from '../../shared/flowlog/format.ts';
import { createSerializer } from '../../shared/output/index.ts';
import { localEnrichersFor } from '../helpers/enrichers.ts';

/** A parsed OCSF value: integers past 2^53 as bigint, every digit kept. */
type Exact =
  | string
  | number
  | bigint
  | boolean
  | null
  | Exact[]
  | { [key: string]: Exact };

/**
 * JSON.parse keeping every integer digit (Node's reviver `context.source`,
 * TC39 JSON.parse source text access): integers past 2^53 become bigint.
 */
function parseExact(text: string): { [key: string]: Exact } {
  return JSON.parse(
    text,
    (_key: string, value: unknown, context?: { source?: string }) => {
      if (
        typeof value === 'number' &&
        !Number.isSafeInteger(value) &&
        context?.source !== undefined &&
        /^-?\d+$/.test(context.source)
      ) {
        return BigInt(context.source);
      }
      return value;
    }
  );
}

/** JSON text of an exact value, bigints as their digits. */
function jsonText(value: Exact): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A `unmapped` member as its map<string,string> value: a string as it is,
 * anything else as its JSON text (OpenX renders a non-string value in a
 * string slot with its text).
 */
function unmappedText(value: Exact): string {
  return typeof value === 'string' ? value : jsonText(value);
}

function scalarOf(type: GlueScalar, value: Exact, path: string): Exact {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw new Error(`${path}: not a string`);
      return value;
    case 'int':
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < -(2 ** 31) ||
        value > 2 ** 31 - 1
      ) {
        throw new Error(`${path}: ${String(value)} is not an int`);
      }
      return value;
    case 'bigint': {
      if (typeof value !== 'number' && typeof value !== 'bigint') {
        throw new Error(`${path}: not an integer`);
      }
      const big = BigInt(value);
      if (big < -(2n ** 63n) || big > 2n ** 63n - 1n) {
        throw new Error(`${path}: ${big} is past bigint`);
      }
      return big;
    }
  }
}

/**
 * The Parquet row of one value under `node`, as Firehose would convert it.
 *
 * @throws Error naming the path of a key outside the schema or a value its
 *   column type cannot hold
 */
function rowValue(node: SchemaNode, value: Exact, path: string): Exact {
  switch (node.kind) {
    case 'scalar':
      return scalarOf(node.type, value, path);
    case 'array':
      if (!Array.isArray(value)) throw new Error(`${path}: not an array`);
      return value.map((v, i) => scalarOf(node.element, v, `${path}[${i}]`));
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`${path}: not an object`);
      }
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, unmappedText(v)])
      );
    }
    case 'struct':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`${path}: not an object`);
      }
      return structRow(node.fields, value as { [key: string]: Exact }, path);
  }
}

function structRow(
  fields: ReadonlyMap<string, SchemaNode>,
  value: { [key: string]: Exact },
  path: string
): { [key: string]: Exact } {
  const row: { [key: string]: Exact } = {};
  for (const [key, member] of Object.entries(value)) {
    const child = fields.get(key);
    const at = path === '' ? key : `${path}.${key}`;
    if (child === undefined) throw new Error(`${at}: not in the schema`);
    row[key] = rowValue(child, member, at);
  }
  return row;
}

/** The Parquet row of one OCSF event (top-level attributes → columns). */
function parquetRow(
  tree: ReadonlyMap<string, SchemaNode>,
  event: { [key: string]: Exact }
): { [key: string]: Exact } {
  return structRow(tree, event, '');
}

const UTF8 = { type: 'BYTE_ARRAY', converted_type: 'UTF8' } as const;
const PHYSICAL: Record<GlueScalar, Partial<SchemaElement>> = {
  string: UTF8,
  int: { type: 'INT32' },
  bigint: { type: 'INT64' },
};

/**
 * The Parquet schema of a node, as Hive's Parquet writer lays out Glue
 * types: structs as groups, arrays as 3-level LIST (`list`/`element`),
 * maps as MAP (`key_value` of `key`, `value`)
 * (https://github.com/apache/parquet-format/blob/master/LogicalTypes.md).
 */
function schemaElements(name: string, node: SchemaNode): SchemaElement[] {
  const optional = { name, repetition_type: 'OPTIONAL' } as const;
  switch (node.kind) {
    case 'scalar':
      return [{ ...optional, ...PHYSICAL[node.type] } as SchemaElement];
    case 'array':
      return [
        { ...optional, converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        {
          name: 'element',
          repetition_type: 'OPTIONAL',
          ...PHYSICAL[node.element],
        } as SchemaElement,
      ];
    case 'map':
      return [
        { ...optional, converted_type: 'MAP', num_children: 1 },
        { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
        { name: 'key', repetition_type: 'REQUIRED', ...UTF8 },
        { name: 'value', repetition_type: 'OPTIONAL', ...UTF8 },
      ];
    case 'struct':
      return [
        { ...optional, num_children: node.fields.size },
        ...[...node.fields].flatMap(([child, n]) => schemaElements(child, n)),
      ];
  }
}

/** The whole file schema: a root group over the columns. */
function parquetSchema(tree: ReadonlyMap<string, SchemaNode>): SchemaElement[] {
  return [
    { name: 'root', num_children: tree.size },
    ...[...tree].flatMap(([name, node]) => schemaElements(name, node)),
  ];
}

/**
 * A value read back with nulls and absent members removed, so that it
 * compares with the row written (absent attributes read back as null).
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      out[k] = withoutNulls(v);
    }
    return out;
  }
  return value;
}

/** One source of flow-log records: a format and its records' bytes. */
interface RecordSource {
  readonly name: string;
  readonly format: FlowLogFormat;
  readonly records: readonly Buffer[];
}

const ROOT = join(import.meta.dirname, '..', '..');

/** Lines per record for the samples (Firehose batches many lines). */
const SAMPLE_LINES_PER_RECORD = 500;

/** samples/*.log.gz: AWS's S3 files, the header line giving the format. */
function sampleSources(): RecordSource[] {
  const dir = join(ROOT, 'samples');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.log.gz'))
    .sort()
    .map((file) => {
      const [header = '', ...lines] = gunzipSync(readFileSync(join(dir, file)))
        .toString('utf8')
        .split('\n')
        .filter((text) => text.length > 0);
      const records: Buffer[] = [];
      for (let i = 0; i < lines.length; i += SAMPLE_LINES_PER_RECORD) {
        const chunk = lines.slice(i, i + SAMPLE_LINES_PER_RECORD);
        records.push(Buffer.from(`${chunk.join('\n')}\n`));
      }
      return {
        name: `samples/${file}`,
        format: formatFromHeader(header),
        records,
      };
    });
}

/** test/golden/input/*.log the OCSF writer takes (no .error golden). */
function goldenSources(): RecordSource[] {
  const golden = join(ROOT, 'test', 'golden');
  return readdirSync(join(golden, 'input'))
    .filter((file) => file.endsWith('.log'))
    .sort()
    .filter(
      (file) =>
        !readdirSync(join(golden, 'ocsf')).includes(
          file.replace(/\.log$/, '.error')
        )
    )
    .map((file) => {
      const lines = readFileSync(join(golden, 'input', file), 'utf8')
        .split('\n')
        .filter((text) => text.length > 0);
      const format = parseFormat(lines[0]!.slice('# format: '.length));
      const records = lines
        .filter((text) => !text.startsWith('#'))
        .map((text) => Buffer.from(text));
      return { name: `test/golden/input/${file}`, format, records };
    });
}

/** events/*.json with the FLOW_LOG_FORMAT of events/env/<same name>. */
function eventSources(): RecordSource[] {
  const dir = join(ROOT, 'events');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const env = JSON.parse(readFileSync(join(dir, 'env', file), 'utf8'))
        .FlowLogProcessorFunction as { FLOW_LOG_FORMAT: string };
      const event = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        records: { data: string }[];
      };
      return {
        name: `events/${file}`,
        format: parseFormat(env.FLOW_LOG_FORMAT),
        records: event.records.map((r) => Buffer.from(r.data, 'base64')),
      };
    });
}

/**
 * The OCSF lines a source's records give with every local enricher, as
 * the function writes them; records that fail are left out (Firehose keeps
 * those under the error prefix).
 */
function ocsfLines(source: RecordSource): string[] {
  const transformer = new RecordTransformer(
    {
      format: source.format,
      filter: undefined,
      enrichers: localEnrichersFor(source.format),
      serializer: createSerializer('ocsf', source.format),
    },
    { maxDecompressedBytes: 8 << 20 }
  );
  const lines: string[] = [];
  for (const record of source.records) {
    if (transformer.transform(record).status !== 'Ok') continue;
    const text = transformer.output.toBuffer().toString('utf8');
    lines.push(...text.split('\n').filter((l) => l.length > 0));
  }
  return lines;
}

export type { Exact, RecordSource };
export {
  eventSources,
  goldenSources,
  jsonText,
  ocsfLines,
  parquetRow,
  parquetSchema,
  parseExact,
  sampleSources,
  schemaTree,
  withoutNulls,
};
