/**
 * Parameter sets under which the templates are evaluated. Together they
 * take every condition of each template both ways (checked by a test), so
 * a statement or resource that exists only in one condition state is
 * validated too.
 */

/** A named set of parameter overrides. */
interface Scenario {
  readonly name: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** The VPC default (version 2) format. */
const V2_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/** The 29-field version 5 custom format of events/firehose-v5-custom.json. */
const V5_FORMAT =
  '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';

/** The 36-field Transit Gateway default format (flow-logs.md 1.1). */
const TGW_FORMAT =
  '${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} ${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} ${tgw-src-vpc-id} ${tgw-dst-vpc-id} ${tgw-src-subnet-id} ${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} ${tgw-dst-az-id} ${tgw-pair-attachment-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${log-status} ${type} ${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} ${packets-lost-ttl-expired} ${tcp-flags} ${region} ${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service}';

/** The version 7/8 format of events/firehose-v7-v8.json. */
const V7_V8_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${ecs-cluster-name} ${ecs-task-id} ${ecs-service-name} ${reject-reason}';

/** Role ARN of the source account in cross-account scenarios. */
const SOURCE_ROLE_ARN =
  'arn:aws:iam::210987654321:role/FlowLogsFirehoseSourceRole';

/** A KMS key for the log groups in the every-option scenario. */
const LOG_GROUP_KEY_ARN =
  'arn:aws:kms:us-east-1:123456789012:key/0123abcd-4567-89ab-cdef-0123456789ab';

/** provider.location of a Security Lake custom source (CreateCustomLogSource). */
const SECURITY_LAKE_LOCATION =
  's3://aws-security-data-lake-us-east-1-o2kpxzbjmvzcdw6dm4rslklkkuqfjq/ext/vpc-flow-ocsf/';

/** provider.roleArn of that custom source. */
const SECURITY_LAKE_PROVIDER_ROLE_ARN =
  'arn:aws:iam::123456789012:role/AmazonSecurityLake-Provider-vpc-flow-ocsf-us-east-1';

/** Three VPC IDs for the flow log slots. */
const VPC_IDS = [
  'vpc-0123456789abcdef0',
  'vpc-0123456789abcdef1',
  'vpc-0123456789abcdef2',
] as const;

/** template.yaml scenarios. */
const MAIN_SCENARIOS: readonly Scenario[] = [
  { name: 'defaults (no flow log, nothing optional)', parameters: {} },
  {
    name: 'same account, one VPC, re-ingestion off',
    parameters: {
      FlowLogResourceIds: VPC_IDS[0],
      Reingest: 'false',
      EnableDashboard: 'false',
      EnableTracing: 'false',
    },
  },
  {
    name: 'every option on (3 VPCs, ENI, ip-ranges, partitions, Parquet, cross-account)',
    parameters: {
      FlowLogResourceIds: VPC_IDS.join(','),
      FlowLogFormat: V5_FORMAT,
      Enrich: 'protocol,ip,community_id',
      EnableEniEnrichment: 'true',
      IpRangesS3Uri: 's3://example-config-bucket/aws/ip-ranges.json',
      EnableDynamicPartitioning: 'true',
      PartitionKeys: 'account_id,region,vpc_id,year,month,day,hour',
      EnableParquet: 'true',
      EnableBackfill: 'true',
      BackfillSourceBucket: 'example-flow-log-archive',
      SourceRoleArn: SOURCE_ROLE_ARN,
      AlarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:flow-log-alarms',
      ReservedConcurrency: '10',
      LogGroupKmsKeyArn: LOG_GROUP_KEY_ARN,
    },
  },
  {
    name: 'transit gateway, ENI enrichment alone',
    parameters: {
      FlowLogResourceType: 'TransitGateway',
      FlowLogResourceIds: 'tgw-0123456789abcdef0,tgw-0123456789abcdef1',
      MaxAggregationInterval: '60',
      FlowLogFormat: TGW_FORMAT,
      EnableEniEnrichment: 'true',
    },
  },
  {
    name: 'Security Lake custom source (OCSF, v2 format: no region field)',
    parameters: {
      FlowLogResourceIds: VPC_IDS[0],
      OutputFormat: 'ocsf',
      Enrich: 'protocol,tcp_flags,community_id',
      EnableDynamicPartitioning: 'true',
      SecurityLakeLocation: SECURITY_LAKE_LOCATION,
      SecurityLakeProviderRoleArn: SECURITY_LAKE_PROVIDER_ROLE_ARN,
    },
  },
];

/** Parameters every source-account scenario needs (no defaults). */
const SOURCE_REQUIRED = {
  DestinationStreamArn:
    'arn:aws:firehose:us-east-1:123456789012:deliverystream/flowlogs-prod-flow-logs',
  DestinationRoleArn:
    'arn:aws:iam::123456789012:role/AWSLogDeliveryFirehoseCrossAccountRole',
} as const;

/** templates/source-account.yaml scenarios. */
const SOURCE_SCENARIOS: readonly Scenario[] = [
  {
    name: 'one VPC',
    parameters: {
      ...SOURCE_REQUIRED,
      FlowLogResourceIds: VPC_IDS[0],
      CreateFlowLogs: 'true',
    },
  },
  {
    name: 'three subnets, role only (CreateFlowLogs=false)',
    parameters: {
      ...SOURCE_REQUIRED,
      FlowLogResourceType: 'Subnet',
      FlowLogResourceIds:
        'subnet-0123456789abcdef0,subnet-0123456789abcdef1,subnet-0123456789abcdef2',
      CreateFlowLogs: 'false',
    },
  },
  {
    name: 'three transit gateway attachments',
    parameters: {
      ...SOURCE_REQUIRED,
      FlowLogResourceType: 'TransitGatewayAttachment',
      FlowLogResourceIds:
        'tgw-attach-0123456789abcdef0,tgw-attach-0123456789abcdef1,tgw-attach-0123456789abcdef2',
      MaxAggregationInterval: '60',
      FlowLogFormat: TGW_FORMAT,
      CreateFlowLogs: 'true',
    },
  },
];

export type { Scenario };
export {
  LOG_GROUP_KEY_ARN,
  MAIN_SCENARIOS,
  SECURITY_LAKE_LOCATION,
  SECURITY_LAKE_PROVIDER_ROLE_ARN,
  SOURCE_REQUIRED,
  SOURCE_ROLE_ARN,
  SOURCE_SCENARIOS,
  TGW_FORMAT,
  V2_FORMAT,
  V5_FORMAT,
  V7_V8_FORMAT,
  VPC_IDS,
};
