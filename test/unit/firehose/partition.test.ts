import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { planBatch, settleBatch } from '../../../shared/firehose/batch.ts';
import {
  createPartitioner,
  MISSING_PARTITION_VALUE,
  safePartitionValue,
} from '../../../shared/firehose/partition.ts';
import { RecordTransformer } from '../../../shared/firehose/record-transformer.ts';
import {
  readReingestMarker,
  withReingestMarker,
} from '../../../shared/firehose/reingest-marker.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import type { FlowLogFormat } from '../../../shared/flowlog/format.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../../shared/flowlog/scan.ts';
import { JsonSerializer } from '../../../shared/output/json.ts';
import { firehoseEvent } from '../../helpers/render.ts';

const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
// AWS's version-5 example line (flow-logs.md section 5).
const V5_LINE =
  '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK';
// start 1418530010 is 2014-12-14T04:06:50Z; 1418540010 is 06:53:30Z.
const V2_AT_04 =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const V2_AT_06 =
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418540010 1418540070 REJECT OK';
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

function parse(format: FlowLogFormat, text: string): FlowLogLine {
  const line = new FlowLogLine(format);
  const bytes = Buffer.from(text);
  const reason = scanLine(bytes, 0, bytes.length, planScan(format), line);
  if (reason !== undefined) throw new Error(reason);
  return line;
}

function transformerWith(keys: string[], formatText = VPC_DEFAULT_FORMAT) {
  const format = parseFormat(formatText);
  return new RecordTransformer(
    {
      format,
      filter: undefined,
      enrichers: [],
      serializer: new JsonSerializer(format),
      partitioner: createPartitioner(keys, format),
    },
    { maxDecompressedBytes: 8 << 20 }
  );
}

const event = firehoseEvent;

describe('createPartitioner', () => {
  it('builds nothing when PARTITION_KEYS is empty', () => {
    expect(createPartitioner([], parseFormat(VPC_DEFAULT_FORMAT))).toBe(
      undefined
    );
  });

  it('refuses a key that is neither a field nor a time key, listing what is allowed', () => {
    // Prepare
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    // Act
    const act = () => createPartitioner(['account_id', 'vpc_id'], format);
    // Assess
    expect(act).toThrow(
      /^PARTITION_KEYS: 'vpc_id' is not a field of FLOW_LOG_FORMAT nor a time key; allowed: version, account_id, .*, log_status, year, month, day, hour$/
    );
    expect(act).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        setting: 'PARTITION_KEYS',
      })
    );
  });

  it('refuses a time key when the format has no start field', () => {
    // Prepare
    const format = parseFormat('${version} ${account-id}');
    // Act
    const act = () => createPartitioner(['hour'], format);
    // Assess
    expect(act).toThrow(
      "PARTITION_KEYS: time key 'hour' needs ${start} in FLOW_LOG_FORMAT; allowed: version, account_id"
    );
  });

  it('refuses a key listed twice', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    expect(() => createPartitioner(['year', 'year'], format)).toThrow(
      "PARTITION_KEYS: 'year' is listed twice"
    );
  });
});

describe('Partitioner', () => {
  it('takes field values and the UTC hour of start, zero-padded', () => {
    // Prepare
    const format = parseFormat(V5_FORMAT);
    const keys = [
      'account_id',
      'region',
      'vpc-id',
      'action',
      'year',
      'month',
      'day',
      'hour',
    ];
    const partitioner = createPartitioner(keys, format)!;
    // Act
    const key = partitioner.keyOf(parse(format, V5_LINE));
    // Assess: 1616729292 is 2021-03-26T03:28:12Z
    expect(partitioner.partitionKeys(key)).toEqual({
      account_id: '123456789012',
      region: 'ap-southeast-2',
      'vpc-id': 'vpc-abcdefab012345678',
      action: 'ACCEPT',
      year: '2021',
      month: '03',
      day: '26',
      hour: '03',
    });
  });

  it('uses the placeholder for absent values', () => {
    // Prepare: AWS's NODATA example has no action; sublocation-id is '-'
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    const partitioner = createPartitioner(['action', 'hour'], format)!;
    const nodata =
      '2 123456789010 eni-1235b8ca123456789 - - - - - - - - 1431280934 - NODATA';
    // Act
    const key = partitioner.keyOf(parse(format, nodata));
    // Assess
    expect(partitioner.partitionKeys(key)).toEqual({
      action: MISSING_PARTITION_VALUE,
      hour: MISSING_PARTITION_VALUE,
    });
    expect(MISSING_PARTITION_VALUE).toBe('unknown');
  });

  it.each([
    [
      'arn:aws:ecs:us-east-1:1:cluster/web',
      'arn_aws_ecs_us-east-1_1_cluster_web',
    ],
    ['vpc-0a.b_c', 'vpc-0a.b_c'],
    ['a b/ü', 'a_b__'],
    ['', 'unknown'],
    [undefined, 'unknown'],
    ['x'.repeat(200), 'x'.repeat(128)],
  ])('makes %j safe for an S3 prefix', (value, expected) => {
    expect(safePartitionValue(value)).toBe(expected);
  });
});

describe('partitioning in a batch', () => {
  it('adds metadata.partitionKeys to Ok records', () => {
    // Prepare
    const transformer = transformerWith([
      'account_id',
      'year',
      'month',
      'day',
      'hour',
    ]);
    const input = event([b64(V2_AT_04), b64(V2_AT_06)]);
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 6e6,
      reingest: true,
    });
    // Assess
    expect(plan.response.records.map((r) => r.metadata)).toEqual([
      {
        partitionKeys: {
          account_id: '123456789010',
          year: '2014',
          month: '12',
          day: '14',
          hour: '04',
        },
      },
      {
        partitionKeys: {
          account_id: '123456789010',
          year: '2014',
          month: '12',
          day: '14',
          hour: '06',
        },
      },
    ]);
    expect(plan.responseBytes).toBe(
      Buffer.byteLength(JSON.stringify(plan.response))
    );
  });

  it('adds no metadata when PARTITION_KEYS is empty', () => {
    // Prepare
    const transformer = transformerWith([]);
    // Act
    const plan = planBatch(event([b64(V2_AT_04)]), transformer, {
      budgetBytes: 6e6,
      reingest: true,
    });
    // Assess
    expect(plan.response.records[0]).not.toHaveProperty('metadata');
    expect(transformer.transform(Buffer.from(V2_AT_04)).key).toBeUndefined();
  });

  it('splits a record whose lines differ in key into one bare-line record per key', () => {
    // Prepare: lines at 04h, 06h, 04h, one wrapped, one header-less bare
    const text = `${JSON.stringify({ message: V2_AT_04 })}\n${V2_AT_06}\n${JSON.stringify({ message: V2_AT_04 })}\n`;
    const transformer = transformerWith(['hour']);
    // Act
    const plan = planBatch(event([b64(text)]), transformer, {
      budgetBytes: 6e6,
      reingest: true,
    });
    // Assess
    expect(plan.reingest).toEqual([
      {
        index: 0,
        why: 'split',
        partitionKey: undefined,
        payloads: [
          withReingestMarker(Buffer.from(`${V2_AT_04}\n${V2_AT_04}\n`), 1),
          withReingestMarker(Buffer.from(`${V2_AT_06}\n`), 1),
        ],
      },
    ]);
    expect(plan.counters.split).toBe(1);
    const settled = settleBatch(plan, [[true, true]]);
    expect(settled.response.records).toEqual([
      { recordId: 'id-0', result: 'Dropped', data: '' },
    ]);
    expect(settled.counters).toMatchObject({ dropped: 1, reingested: 2 });
  });

  it('fails a record with mixed keys when re-ingestion is off', () => {
    // Prepare
    const transformer = transformerWith(['hour']);
    const input = event([b64(`${V2_AT_04}\n${V2_AT_06}\n`)]);
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 6e6,
      reingest: false,
    });
    // Assess
    expect(plan.reingest).toEqual([]);
    expect(plan.response.records[0]?.result).toBe('ProcessingFailed');
    expect(plan.counters.malformed).toEqual({ reingest_failed: 1 });
  });

  it('fails a split record when one of its puts fails', () => {
    // Prepare
    const transformer = transformerWith(['hour']);
    const plan = planBatch(
      event([b64(`${V2_AT_04}\n${V2_AT_06}\n`)]),
      transformer,
      {
        budgetBytes: 6e6,
        reingest: true,
      }
    );
    // Act
    const settled = settleBatch(plan, [[true, false]]);
    // Assess
    expect(settled.response.records[0]).toEqual({
      recordId: 'id-0',
      result: 'ProcessingFailed',
      data: '',
    });
    expect(settled.counters).toMatchObject({ failed: 1, reingested: 1 });
  });

  it('cuts a large group into records of at most 1,000 KiB at line ends', () => {
    // Prepare: a gzip record of 11,000 lines in two hours: 9,777 lines of
    // 114 bytes at 04h (1.1 MB, two records) and 1,223 at 06h (one record,
    // first since the first line is at 06h)
    const many = Array.from({ length: 11_000 }, (_, i) =>
      i % 9 === 0 ? V2_AT_06 : V2_AT_04
    );
    const transformer = transformerWith(['hour']);
    const input = event([b64(gzipSync(`${many.join('\n')}\n`))]);
    // Act
    const plan = planBatch(input, transformer, {
      budgetBytes: 6e6,
      reingest: true,
    });
    // Assess
    const marked = plan.reingest[0]?.payloads ?? [];
    const payloads = marked.map((p) =>
      p.subarray(readReingestMarker(p).offset)
    );
    expect(payloads.length).toBe(3);
    for (const payload of marked) {
      expect(payload.length).toBeLessThanOrEqual(1_024_000);
      expect(payload.at(-1)).toBe(0x0a);
    }
    const at04 = many
      .filter((l) => l === V2_AT_04)
      .map((l) => `${l}\n`)
      .join('');
    expect(Buffer.concat(payloads.slice(1)).toString()).toBe(at04);
    expect(payloads[0]?.toString()).toBe(`${V2_AT_06}\n`.repeat(1223));
  });
});
