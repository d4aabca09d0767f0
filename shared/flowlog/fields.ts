/**
 * The catalogue of every documented VPC and Transit Gateway flow-log field.
 *
 * Types follow AWS's Parquet schema: `int` fields are unsigned decimal
 * integers (kept exact up to 2^64 - 1), everything else is a string. Output
 * keys are the field names with `-` replaced by `_`, the column names AWS uses
 * for Parquet flow logs and Athena.
 *
 * Sources: "Flow log records" → Available fields
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html),
 * the Transit Gateway guide for the version-6 fields
 * (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html), and
 * "VPC encryption controls" for `encryption-status`, whose values are the
 * integers 0-3 (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-encryption-controls.html).
 * The version-11 tag fields carry the values of the tag keys named by the
 * flow log's TagFieldSpecifications (EC2 API `TagFieldSpecificationRequest`).
 * A name outside this table is kept as a string.
 */

/** Whether a field's text is an unsigned integer or a string. */
type FieldType = 'int' | 'string';

/** One documented flow-log field. */
interface FieldDefinition {
  /** The name as written in a LogFormat, without `${}`: `log-status`. */
  readonly name: string;
  /** The JSON output key: `log_status`. */
  readonly key: string;
  readonly type: FieldType;
  /** The flow-log version that introduced the field. */
  readonly version: number;
}

// biome-ignore format: one field per row reads as the AWS table does
const FIELD_ROWS: ReadonlyArray<readonly [string, FieldType, number]> = [
  ['version', 'int', 2],
  ['account-id', 'string', 2],
  ['interface-id', 'string', 2],
  ['srcaddr', 'string', 2],
  ['dstaddr', 'string', 2],
  ['srcport', 'int', 2],
  ['dstport', 'int', 2],
  ['protocol', 'int', 2],
  ['packets', 'int', 2],
  ['bytes', 'int', 2],
  ['start', 'int', 2],
  ['end', 'int', 2],
  ['action', 'string', 2],
  ['log-status', 'string', 2],
  ['vpc-id', 'string', 3],
  ['subnet-id', 'string', 3],
  ['instance-id', 'string', 3],
  ['tcp-flags', 'int', 3],
  ['type', 'string', 3],
  ['pkt-srcaddr', 'string', 3],
  ['pkt-dstaddr', 'string', 3],
  ['region', 'string', 4],
  ['az-id', 'string', 4],
  ['sublocation-type', 'string', 4],
  ['sublocation-id', 'string', 4],
  ['pkt-src-aws-service', 'string', 5],
  ['pkt-dst-aws-service', 'string', 5],
  ['flow-direction', 'string', 5],
  ['traffic-path', 'int', 5],
  ['resource-type', 'string', 6],
  ['tgw-id', 'string', 6],
  ['tgw-attachment-id', 'string', 6],
  ['tgw-src-vpc-account-id', 'string', 6],
  ['tgw-dst-vpc-account-id', 'string', 6],
  ['tgw-src-vpc-id', 'string', 6],
  ['tgw-dst-vpc-id', 'string', 6],
  ['tgw-src-subnet-id', 'string', 6],
  ['tgw-dst-subnet-id', 'string', 6],
  ['tgw-src-eni', 'string', 6],
  ['tgw-dst-eni', 'string', 6],
  ['tgw-src-az-id', 'string', 6],
  ['tgw-dst-az-id', 'string', 6],
  ['tgw-pair-attachment-id', 'string', 6],
  ['packets-lost-no-route', 'int', 6],
  ['packets-lost-blackhole', 'int', 6],
  ['packets-lost-mtu-exceeded', 'int', 6],
  ['packets-lost-ttl-expired', 'int', 6],
  ['ecs-cluster-arn', 'string', 7],
  ['ecs-cluster-name', 'string', 7],
  ['ecs-container-instance-arn', 'string', 7],
  ['ecs-container-instance-id', 'string', 7],
  ['ecs-container-id', 'string', 7],
  ['ecs-second-container-id', 'string', 7],
  ['ecs-service-name', 'string', 7],
  ['ecs-task-definition-arn', 'string', 7],
  ['ecs-task-arn', 'string', 7],
  ['ecs-task-id', 'string', 7],
  ['reject-reason', 'string', 8],
  ['resource-id', 'string', 9],
  ['encryption-status', 'int', 10],
  ['instance-tag', 'string', 11],
  ['instance-tag-2', 'string', 11],
  ['interface-tag', 'string', 11],
  ['interface-tag-2', 'string', 11],
  ['asg-tag', 'string', 11],
  ['asg-tag-2', 'string', 11],
  ['interface-type', 'string', 11],
  ['next-hop-interface-id', 'string', 11],
  ['next-hop-subnet-id', 'string', 11],
  ['next-hop-az-id', 'string', 11],
  ['next-hop-vpc-id', 'string', 11],
  ['next-hop-interface-type', 'string', 11],
];

/**
 * The JSON key for a flow-log field name: every `-` becomes `_`.
 *
 * @example outputKeyOf('pkt-src-aws-service') // 'pkt_src_aws_service'
 */
function outputKeyOf(name: string): string {
  return name.replaceAll('-', '_');
}

/** Every documented field, in the order of AWS's field tables. */
const FIELD_CATALOGUE: readonly FieldDefinition[] = Object.freeze(
  FIELD_ROWS.map(([name, type, version]) =>
    Object.freeze({ name, key: outputKeyOf(name), type, version })
  )
);

/** Documented fields by LogFormat name (`log-status`). */
const FIELDS_BY_NAME: ReadonlyMap<string, FieldDefinition> = new Map(
  FIELD_CATALOGUE.map((field) => [field.name, field])
);

/** The VPC default format: all version-2 fields in table order. */
const VPC_DEFAULT_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/** The Transit Gateway default format: all version 2-6 TGW fields. */
const TGW_DEFAULT_FORMAT =
  '${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} ${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} ${tgw-src-vpc-id} ${tgw-dst-vpc-id} ${tgw-src-subnet-id} ${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} ${tgw-dst-az-id} ${tgw-pair-attachment-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${log-status} ${type} ${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} ${packets-lost-ttl-expired} ${tcp-flags} ${region} ${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service}';

export type { FieldDefinition, FieldType };
export {
  FIELD_CATALOGUE,
  FIELDS_BY_NAME,
  outputKeyOf,
  TGW_DEFAULT_FORMAT,
  VPC_DEFAULT_FORMAT,
};
