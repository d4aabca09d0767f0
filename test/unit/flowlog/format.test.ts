import { describe, expect, it } from 'vitest';
import { FlowLogError } from '../../../shared/flowlog/errors.ts';
import {
  FIELD_CATALOGUE,
  TGW_DEFAULT_FORMAT,
  VPC_DEFAULT_FORMAT,
} from '../../../shared/flowlog/fields.ts';
import {
  fieldIndex,
  formatFromHeader,
  parseFormat,
} from '../../../shared/flowlog/format.ts';

function errorOf(action: () => unknown): FlowLogError {
  try {
    action();
  } catch (error) {
    if (error instanceof FlowLogError) return error;
    throw error;
  }
  throw new Error('expected a FlowLogError');
}

describe('field catalogue', () => {
  it('lists every documented field once, 72 in all', () => {
    const names = FIELD_CATALOGUE.map((field) => field.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(72);
  });

  it('types counters as integers and identifiers as strings', () => {
    const types = Object.fromEntries(
      FIELD_CATALOGUE.map((field) => [field.name, field.type])
    );
    expect(types).toMatchObject({
      version: 'int',
      'account-id': 'string',
      'tgw-src-vpc-account-id': 'string',
      'tcp-flags': 'int',
      'traffic-path': 'int',
      'packets-lost-ttl-expired': 'int',
      'ecs-task-id': 'string',
      'reject-reason': 'string',
      'resource-id': 'string',
      'encryption-status': 'int',
      'instance-tag-2': 'string',
      'next-hop-interface-type': 'string',
    });
  });

  it('names output keys as the Parquet columns do', () => {
    const keys = FIELD_CATALOGUE.map((field) => field.key);
    expect(keys).toContain('pkt_src_aws_service');
    expect(keys).toContain('packets_lost_no_route');
    expect(keys).toContain('log_status');
    expect(keys.every((key) => !key.includes('-'))).toBe(true);
  });
});

describe('parseFormat', () => {
  it('reads the VPC default format as 14 known fields in order', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    expect(format.fields.map((f) => f.key)).toEqual([
      'version',
      'account_id',
      'interface_id',
      'srcaddr',
      'dstaddr',
      'srcport',
      'dstport',
      'protocol',
      'packets',
      'bytes',
      'start',
      'end',
      'action',
      'log_status',
    ]);
    expect(format.unknownFields).toEqual([]);
  });

  it('reads the transit gateway default format as 36 fields', () => {
    expect(parseFormat(TGW_DEFAULT_FORMAT).fields).toHaveLength(36);
  });

  it('accepts unknown fields as strings and lists them', () => {
    const format = parseFormat('${version} ${future-field}');
    expect(format.fields[1]).toEqual({
      name: 'future-field',
      key: 'future_field',
      type: 'string',
      known: false,
    });
    expect(format.unknownFields).toEqual(['future-field']);
  });

  it('finds fields by name or output key', () => {
    const format = parseFormat(VPC_DEFAULT_FORMAT);
    expect(fieldIndex(format, 'log-status')).toBe(13);
    expect(fieldIndex(format, 'log_status')).toBe(13);
    expect(fieldIndex(format, 'vpc-id')).toBe(-1);
  });

  it('tolerates extra whitespace between tokens', () => {
    expect(parseFormat('  ${version}\t ${bytes}\n').fields).toHaveLength(2);
  });

  it('names the bad token and its position', () => {
    const error = errorOf(() => parseFormat('${version} $account-id'));
    expect(error.code).toBe('FLOWLOG_FORMAT_TOKEN');
    expect(error.message).toBe(
      "FLOW_LOG_FORMAT: token 2 \"$account-id\" (column 12) is not a '${field-name}' token (lower-case letters, digits and '-')"
    );
  });

  it('suggests the hyphenated name for an underscore name', () => {
    const error = errorOf(() => parseFormat('${log_status}'));
    expect(error.message).toContain("'log-status'");
  });

  it('refuses an empty placeholder and a name longer than 64 characters', () => {
    expect(errorOf(() => parseFormat('${}')).code).toBe('FLOWLOG_FORMAT_TOKEN');
    const long = `\${${'a'.repeat(65)}}`;
    expect(errorOf(() => parseFormat(long)).code).toBe('FLOWLOG_FORMAT_TOKEN');
  });

  it('refuses an empty format', () => {
    expect(errorOf(() => parseFormat('   ')).code).toBe('FLOWLOG_FORMAT_EMPTY');
  });

  it('refuses a repeated field', () => {
    const error = errorOf(() => parseFormat('${bytes} ${bytes}'));
    expect(error.code).toBe('FLOWLOG_FORMAT_DUPLICATE');
    expect(error.message).toContain('token 2');
  });

  it('refuses a format longer than AWS allows', () => {
    const error = errorOf(() => parseFormat('${version} '.repeat(500)));
    expect(error.code).toBe('FLOWLOG_FORMAT_TOO_LONG');
  });
});

describe('formatFromHeader', () => {
  it('reads the field names of an S3 file header', () => {
    const format = formatFromHeader('version account-id interface-id');
    expect(format.text).toBe('${version} ${account-id} ${interface-id}');
    expect(format.fields[1]?.key).toBe('account_id');
  });

  it('refuses a header with a non-name token', () => {
    expect(errorOf(() => formatFromHeader('version ${bytes}')).code).toBe(
      'FLOWLOG_FORMAT_TOKEN'
    );
  });
});
