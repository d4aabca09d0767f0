/**
 * How template.yaml wires the function, the stream, the bucket, the flow
 * logs and the cross-account role together, checked in each condition
 * state that matters.
 */
import { describe, expect, it } from 'vitest';
import {
  type Evaluated,
  evaluate,
  evaluateTemplate,
  PSEUDO_PARAMETERS,
} from './helpers/intrinsics.ts';
import {
  MAIN_SCENARIOS,
  SOURCE_ROLE_ARN,
  TGW_FORMAT,
  V2_FORMAT,
  V5_FORMAT,
  V7_V8_FORMAT,
  VPC_IDS,
} from './helpers/scenarios.ts';
import { policyStatements, type Statement } from './helpers/security.ts';
import {
  RUNTIME_VARIABLES,
  variablesTheFunctionReads,
} from './helpers/settings.ts';
import {
  type CfnResource,
  FUNCTION_ID,
  functionProperties,
  getPath,
  type Json,
  type JsonObject,
  loadTemplate,
  MAIN_TEMPLATE,
  mergeGlobals,
} from './helpers/template.ts';

/** Firehose's cap on one Lambda transformation invocation, in seconds. */
const FIREHOSE_INVOCATION_CAP_SECONDS = 300;

const ALL_ON = MAIN_SCENARIOS[2]!.parameters;
const TGW = MAIN_SCENARIOS[3]!.parameters;

function evaluated(
  overrides: Readonly<Record<string, string>> = {}
): Evaluated {
  return evaluateTemplate(loadTemplate(MAIN_TEMPLATE), overrides);
}

function resource(result: Evaluated, id: string): CfnResource {
  const found = result.resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

/** Function properties with Globals applied. */
function fnProps(result: Evaluated): JsonObject {
  const fn = resource(result, FUNCTION_ID);
  return mergeGlobals(result.globals.Function ?? {}, fn.Properties ?? {});
}

function env(result: Evaluated): JsonObject {
  return getPath(fnProps(result), ['Environment', 'Variables']) as JsonObject;
}

function statementsOf(result: Evaluated, roleId: string): Statement[] {
  return policyStatements(result.resources).filter(
    (statement) =>
      statement.resource === roleId && statement.kind === 'identity'
  );
}

function grants(
  result: Evaluated,
  roleId: string,
  action: string
): Statement[] {
  return statementsOf(result, roleId).filter((s) => s.actions.includes(action));
}

function destination(result: Evaluated): JsonObject {
  return getPath(resource(result, 'FlowLogDeliveryStream'), [
    'Properties',
    'ExtendedS3DestinationConfiguration',
  ]) as JsonObject;
}

function processorParameters(result: Evaluated): Record<string, Json> {
  const list = getPath(destination(result), [
    'ProcessingConfiguration',
    'Processors',
    0,
    'Parameters',
  ]);
  const entries = (Array.isArray(list) ? list : []).map((item) => [
    String(getPath(item, ['ParameterName'])),
    getPath(item, ['ParameterValue']) as Json,
  ]);
  return Object.fromEntries(entries);
}

function ofType(result: Evaluated, type: string): [string, CfnResource][] {
  return Object.entries(result.resources).filter(([, r]) => r.Type === type);
}

/** Output key of a flow-log field: `-` becomes `_`. */
function outputKey(field: string): string {
  return field.replaceAll('-', '_');
}

function fieldsOf(format: string): string[] {
  return [...format.matchAll(/\$\{([a-z0-9-]+)\}/g)].map((m) => m[1]!);
}

/** Glue type of a flow-log output key, per the project's field table. */
function expectedColumnType(key: string): string {
  const ints = [
    'version',
    'srcport',
    'dstport',
    'tcp_flags',
    'traffic_path',
    'encryption_status',
  ];
  const bigints = ['protocol', 'packets', 'bytes', 'start', 'end'];
  if (ints.includes(key)) return 'int';
  if (bigints.includes(key) || key.startsWith('packets_lost_')) return 'bigint';
  return 'string';
}

describe('the function', () => {
  it('is built with esbuild as ESM for Node 24 on arm64, with source maps', () => {
    // Prepare
    const template = loadTemplate(MAIN_TEMPLATE);

    // Act
    const fn = template.Resources[FUNCTION_ID]!;
    const props = functionProperties(template, FUNCTION_ID);

    // Assess
    expect(fn.Type).toBe('AWS::Serverless::Function');
    expect(fn.Metadata).toMatchObject({
      BuildMethod: 'esbuild',
      BuildProperties: {
        Format: 'esm',
        OutExtension: ['.js=.mjs'],
        Target: 'node24',
        Sourcemap: true,
        Minify: true,
        MainFields: 'module,main',
        Banner: [
          "js=import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        ],
        EntryPoints: ['functions/flow-log-processor/index.ts'],
      },
    });
    expect(props).toMatchObject({
      CodeUri: '.',
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Tracing: { 'Fn::If': ['TracingOn', 'Active', 'PassThrough'] },
      MemorySize: 512,
      Timeout: 120,
    });
    expect(getPath(props, ['Environment', 'Variables', 'NODE_OPTIONS'])).toBe(
      '--enable-source-maps'
    );
  });

  it("builds every function for the runtime's Node major", () => {
    // Prepare
    const template = loadTemplate(MAIN_TEMPLATE);
    const runtime = String(getPath(template.Globals, ['Function', 'Runtime']));

    // Act
    const targets = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Serverless::Function')
      .map(([id, r]) => [
        id,
        getPath(r.Metadata, ['BuildProperties', 'Target']),
      ]);

    // Assess
    expect(targets.length).toBeGreaterThan(0);
    for (const [id, target] of targets) {
      expect(`nodejs${String(target).replace('node', '')}.x`, String(id)).toBe(
        runtime
      );
    }
  });

  it('times out before Firehose gives up on the invocation', () => {
    // Prepare
    const props = functionProperties(loadTemplate(MAIN_TEMPLATE), FUNCTION_ID);

    // Act
    const timeout = Number(props.Timeout);

    // Assess
    expect(timeout).toBeLessThan(FIREHOSE_INVOCATION_CAP_SECONDS);
  });

  it('declares exactly the variables the function reads, plus NODE_OPTIONS', () => {
    // Prepare
    const result = evaluated();

    // Act
    const names = Object.keys(env(result)).sort();

    // Assess
    expect(names).toEqual(
      [...variablesTheFunctionReads(), ...RUNTIME_VARIABLES].sort()
    );
  });

  it.each(MAIN_SCENARIOS)(
    'gives every flow log the format FLOW_LOG_FORMAT parses ($name)',
    ({ parameters }) => {
      // Prepare
      const result = evaluated(parameters);

      // Act
      const formats = ofType(result, 'AWS::EC2::FlowLog').map(([, flowLog]) =>
        getPath(flowLog, ['Properties', 'LogFormat'])
      );

      // Assess
      for (const format of formats) {
        expect(format).toBe(env(result).FLOW_LOG_FORMAT);
      }
      expect(env(result).FLOW_LOG_FORMAT).toBe(
        parameters.FlowLogFormat ?? V2_FORMAT
      );
    }
  );

  it('logs to its own log group with a retention, created before it', () => {
    // Prepare
    const result = evaluated();
    const fn = resource(result, FUNCTION_ID);

    // Act
    const group = resource(result, 'FlowLogProcessorLogGroup').Properties!;
    const writes = grants(result, 'FlowLogProcessorRole', 'logs:PutLogEvents');

    // Assess
    expect(group.LogGroupName).toBe(
      `/aws/lambda/${fnProps(result).FunctionName}`
    );
    expect(group.RetentionInDays).toBe('30');
    expect(fn.DependsOn).toBe('FlowLogProcessorLogGroup');
    expect(writes.flatMap((s) => s.resources)).toEqual([
      '{{GetAtt:FlowLogProcessorLogGroup.Arn}}',
    ]);
  });

  it('publishes ENRICH=eni and may describe ENIs only when ENI enrichment is on', () => {
    // Prepare
    const off = evaluated({ Enrich: 'protocol' });
    const on = evaluated({ Enrich: 'protocol', EnableEniEnrichment: 'true' });
    const alone = evaluated({ EnableEniEnrichment: 'true' });

    // Act
    const describeOff = grants(
      off,
      'FlowLogProcessorRole',
      'ec2:DescribeNetworkInterfaces'
    );
    const describeOn = grants(
      on,
      'FlowLogProcessorRole',
      'ec2:DescribeNetworkInterfaces'
    );

    // Assess
    expect(env(off).ENRICH).toBe('protocol');
    expect(describeOff).toEqual([]);
    expect(env(on).ENRICH).toBe('protocol,eni');
    expect(env(alone).ENRICH).toBe('eni');
    expect(describeOn.map((s) => s.resources)).toEqual([['*']]);
  });

  it.each(MAIN_SCENARIOS)(
    'grants ec2:DescribeNetworkInterfaces exactly when ENRICH lists eni ($name)',
    ({ parameters }) => {
      // Prepare
      const result = evaluated(parameters);

      // Act
      const enriches = String(env(result).ENRICH).split(',').includes('eni');
      const granted =
        grants(result, 'FlowLogProcessorRole', 'ec2:DescribeNetworkInterfaces')
          .length > 0;

      // Assess
      expect(granted).toBe(enriches);
    }
  );

  it('may re-ingest only into its own stream, and only when REINGEST is true', () => {
    // Prepare
    const on = evaluated();
    const off = evaluated({ Reingest: 'false' });
    const { 'AWS::Region': region, 'AWS::AccountId': account } =
      PSEUDO_PARAMETERS;

    // Act
    const streamName = resource(on, 'FlowLogDeliveryStream').Properties!
      .DeliveryStreamName;
    const granted = grants(
      on,
      'FlowLogProcessorRole',
      'firehose:PutRecordBatch'
    );

    // Assess
    expect(env(on).REINGEST).toBe('true');
    expect(granted.map((s) => s.resources)).toEqual([
      [`arn:aws:firehose:${region}:${account}:deliverystream/${streamName}`],
    ]);
    expect(env(off).REINGEST).toBe('false');
    expect(
      grants(off, 'FlowLogProcessorRole', 'firehose:PutRecordBatch')
    ).toEqual([]);
  });

  it('may read the ip-ranges object only when IP_RANGES_S3_URI is set', () => {
    // Prepare
    const uri = 's3://config-bucket/path/ip-ranges.json';

    // Act
    const set = evaluated({ IpRangesS3Uri: uri });
    const unset = evaluated();

    // Assess
    expect(env(set).IP_RANGES_S3_URI).toBe(uri);
    expect(
      grants(set, 'FlowLogProcessorRole', 's3:GetObject').map(
        (s) => s.resources
      )
    ).toEqual([['arn:aws:s3:::config-bucket/path/ip-ranges.json']]);
    expect(env(unset).IP_RANGES_S3_URI).toBe('');
    expect(grants(unset, 'FlowLogProcessorRole', 's3:GetObject')).toEqual([]);
  });

  it('uses the metric namespace and service the ProcessingFailed alarm watches', () => {
    // Prepare
    const result = evaluated();

    // Act
    const alarm = resource(result, 'ProcessingFailedAlarm').Properties!;

    // Assess
    expect(alarm).toMatchObject({
      Namespace: env(result).POWERTOOLS_METRICS_NAMESPACE,
      MetricName: 'RecordsProcessingFailed',
      Dimensions: [
        { Name: 'service', Value: env(result).POWERTOOLS_SERVICE_NAME },
      ],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    expect(env(result).POWERTOOLS_METRICS_NAMESPACE).toBe('FlowLogTransform');
    expect(env(result).POWERTOOLS_SERVICE_NAME).toBe('flow-log-processor');
  });
});

describe('the delivery stream', () => {
  it('takes Direct PUT, invokes the function with the tuned processor buffer, and logs errors', () => {
    // Prepare
    const result = evaluated();

    // Act
    const stream = resource(result, 'FlowLogDeliveryStream').Properties!;
    const dest = destination(result);

    // Assess
    expect(stream.DeliveryStreamType).toBe('DirectPut');
    expect(processorParameters(result)).toEqual({
      LambdaArn: `{{GetAtt:${FUNCTION_ID}.Arn}}`,
      NumberOfRetries: '3',
      BufferSizeInMBs: '1',
      BufferIntervalInSeconds: '60',
    });
    expect(dest.CompressionFormat).toBe('GZIP');
    expect(dest.CloudWatchLoggingOptions).toEqual({
      Enabled: true,
      LogGroupName: '{{Ref:DeliveryStreamLogGroup}}',
      LogStreamName: '{{Ref:DeliveryStreamLogStream}}',
    });
  });

  it('bounds the processor buffer to Firehose limits (0.2-3 MB, 0-900 s)', () => {
    // Prepare
    const parameters = loadTemplate(MAIN_TEMPLATE).Parameters!;

    // Act
    const size = parameters.ProcessorBufferSizeMB!;
    const interval = parameters.ProcessorBufferIntervalSeconds!;

    // Assess
    expect(size).toMatchObject({ MinValue: 0.2, MaxValue: 3, Default: 1 });
    expect(interval).toMatchObject({ MinValue: 0, MaxValue: 900, Default: 60 });
  });

  it.each(MAIN_SCENARIOS)(
    'writes failures under the error output type, never in the data prefix ($name)',
    ({ parameters }) => {
      // Prepare
      const result = evaluated(parameters);

      // Act
      const dest = destination(result);

      // Assess
      expect(dest.ErrorOutputPrefix).toContain('!{firehose:error-output-type}');
      expect(dest.Prefix).not.toContain('firehose:error-output-type');
      expect(
        String(dest.ErrorOutputPrefix).startsWith(String(dest.Prefix))
      ).toBe(false);
    }
  );

  it('partitions by exactly the keys the function returns when partitioning is on', () => {
    // Prepare
    const keys = 'account_id,region,year,month,day,hour';

    // Act
    const on = evaluated({
      EnableDynamicPartitioning: 'true',
      PartitionKeys: keys,
    });
    const off = evaluated({ PartitionKeys: keys });

    // Assess
    expect(destination(on).Prefix).toBe(
      'flow-logs/!{partitionKeyFromLambda:account_id}/!{partitionKeyFromLambda:region}/!{partitionKeyFromLambda:year}/!{partitionKeyFromLambda:month}/!{partitionKeyFromLambda:day}/!{partitionKeyFromLambda:hour}/'
    );
    expect(env(on).PARTITION_KEYS).toBe(keys);
    expect(destination(on).DynamicPartitioningConfiguration).toMatchObject({
      Enabled: true,
    });
    expect(destination(off).Prefix).toBe(
      'flow-logs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/'
    );
    expect(env(off).PARTITION_KEYS).toBe('');
    expect(destination(off).DynamicPartitioningConfiguration).toBeUndefined();
  });

  it.each(MAIN_SCENARIOS)(
    'names in the prefix every key in PARTITION_KEYS and no other ($name)',
    ({ parameters }) => {
      // Prepare
      const result = evaluated(parameters);

      // Act
      const inPrefix = [
        ...String(destination(result).Prefix).matchAll(
          /!\{partitionKeyFromLambda:([^}]+)\}/g
        ),
      ].map((m) => m[1]);
      const variable = String(env(result).PARTITION_KEYS);

      // Assess
      expect(inPrefix).toEqual(variable === '' ? [] : variable.split(','));
    }
  );

  it.each([
    ...MAIN_SCENARIOS,
    {
      name: 'partitioning on with the defaults',
      parameters: { EnableDynamicPartitioning: 'true' },
    },
  ])(
    'partitions only by keys the format can fill ($name)',
    ({ parameters }) => {
      // Prepare
      const result = evaluated(parameters);
      const fields = fieldsOf(String(env(result).FLOW_LOG_FORMAT)).map(
        outputKey
      );
      const time = fields.includes('start')
        ? ['year', 'month', 'day', 'hour']
        : [];

      // Act
      const keys = String(env(result).PARTITION_KEYS)
        .split(',')
        .filter(Boolean);
      const unfillable = keys.filter((k) => ![...fields, ...time].includes(k));

      // Assess
      expect(unfillable).toEqual([]);
    }
  );

  it('converts to Parquet with the Glue table only when Parquet is on, uncompressed at the stream level', () => {
    // Prepare
    const on = evaluated({ EnableParquet: 'true' });
    const off = evaluated();

    // Act
    const conversion = destination(on).DataFormatConversionConfiguration;

    // Assess
    expect(destination(on).CompressionFormat).toBe('UNCOMPRESSED');
    expect(conversion).toMatchObject({
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
      SchemaConfiguration: {
        DatabaseName: '{{Ref:FlowLogDatabase}}',
        TableName: '{{Ref:FlowLogTable}}',
        RoleARN: '{{GetAtt:DeliveryStreamRole.Arn}}',
      },
    });
    expect(destination(off).DataFormatConversionConfiguration).toBeUndefined();
    expect(off.resources.FlowLogDatabase).toBeUndefined();
    expect(off.resources.FlowLogTable).toBeUndefined();
  });

  it.each([
    ['v2 default', V2_FORMAT],
    ['v5 custom', V5_FORMAT],
    ['transit gateway default', TGW_FORMAT],
    ['v7/v8', V7_V8_FORMAT],
  ])(
    'has a Glue column of the right type for every %s field',
    (_name, format) => {
      // Prepare
      const result = evaluated({ EnableParquet: 'true' });
      const columns = getPath(resource(result, 'FlowLogTable'), [
        'Properties',
        'TableInput',
        'StorageDescriptor',
        'Columns',
      ]) as JsonObject[];
      const byName = new Map(
        columns.map((c) => [String(c.Name), String(c.Type)])
      );

      // Act
      const mismatches = fieldsOf(format)
        .map(outputKey)
        .filter((key) => byName.get(key) !== expectedColumnType(key));

      // Assess
      expect(mismatches).toEqual([]);
    }
  );

  it('types every Glue column by the field table and lists each once', () => {
    // Prepare
    const result = evaluated({ EnableParquet: 'true' });
    const columns = getPath(resource(result, 'FlowLogTable'), [
      'Properties',
      'TableInput',
      'StorageDescriptor',
      'Columns',
    ]) as JsonObject[];

    // Act
    const names = columns.map((c) => String(c.Name));
    const wrong = columns.filter(
      (c) => c.Type !== expectedColumnType(String(c.Name))
    );

    // Assess
    expect(new Set(names).size).toBe(names.length);
    expect(wrong).toEqual([]);
  });

  it('lets Firehose invoke only this function, write only this bucket and read the schema only with Parquet', () => {
    // Prepare
    const on = evaluated({ EnableParquet: 'true' });
    const off = evaluated();

    // Act
    const invoke = grants(off, 'DeliveryStreamRole', 'lambda:InvokeFunction');
    const put = grants(off, 'DeliveryStreamRole', 's3:PutObject');
    const glueOn = grants(on, 'DeliveryStreamRole', 'glue:GetTable');

    // Assess
    expect(invoke.map((s) => s.resources)).toEqual([
      [`{{GetAtt:${FUNCTION_ID}.Arn}}`],
    ]);
    expect(put.map((s) => s.resources)).toEqual([
      ['{{GetAtt:FlowLogBucket.Arn}}', '{{GetAtt:FlowLogBucket.Arn}}/*'],
    ]);
    expect(glueOn.flatMap((s) => s.resources)).toContain(
      'arn:aws:glue:us-east-1:123456789012:table/{{Ref:FlowLogDatabase}}/{{Ref:FlowLogTable}}'
    );
    expect(grants(off, 'DeliveryStreamRole', 'glue:GetTable')).toEqual([]);
  });
});

describe('the flow logs in this account', () => {
  it('creates none without resource IDs', () => {
    // Prepare
    const result = evaluated();

    // Act
    const flowLogs = ofType(result, 'AWS::EC2::FlowLog');

    // Assess
    expect(flowLogs).toEqual([]);
  });

  it('creates one flow log per resource ID, delivering to the stream', () => {
    // Prepare
    const result = evaluated(ALL_ON);

    // Act
    const flowLogs = ofType(result, 'AWS::EC2::FlowLog').map(
      ([, f]) => f.Properties!
    );

    // Assess
    expect(flowLogs.map((f) => f.ResourceId)).toEqual([...VPC_IDS]);
    for (const flowLog of flowLogs) {
      expect(flowLog).toMatchObject({
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 'kinesis-data-firehose',
        LogDestination: '{{GetAtt:FlowLogDeliveryStream.Arn}}',
        MaxAggregationInterval: '600',
      });
      expect(flowLog.DeliverLogsPermissionArn).toBeUndefined();
      expect(flowLog.DeliverCrossAccountRole).toBeUndefined();
    }
  });

  it('omits TrafficType for transit gateways', () => {
    // Prepare
    const result = evaluated(TGW);

    // Act
    const flowLogs = ofType(result, 'AWS::EC2::FlowLog').map(
      ([, f]) => f.Properties!
    );

    // Assess
    expect(flowLogs).toHaveLength(2);
    for (const flowLog of flowLogs) {
      expect(flowLog.TrafficType).toBeUndefined();
      expect(flowLog.ResourceType).toBe('TransitGateway');
    }
  });
});

describe('the cross-account destination role', () => {
  it('exists only when a source role is given', () => {
    // Prepare
    const without = evaluated();

    // Act
    const role = without.resources.CrossAccountDeliveryRole;

    // Assess
    expect(role).toBeUndefined();
    expect(without.outputs.CrossAccountRoleArn).toBeUndefined();
  });

  it('has the log-delivery name prefix, is trusted only by the source role and holds the two documented actions', () => {
    // Prepare
    const result = evaluated({ SourceRoleArn: SOURCE_ROLE_ARN });
    const role = resource(result, 'CrossAccountDeliveryRole');

    // Act
    const trust = policyStatements(result.resources).filter(
      (s) => s.resource === 'CrossAccountDeliveryRole' && s.kind === 'trust'
    );
    const actions = statementsOf(result, 'CrossAccountDeliveryRole').flatMap(
      (s) => s.actions
    );

    // Assess
    expect(String(role.Properties!.RoleName)).toMatch(
      /^AWSLogDeliveryFirehoseCrossAccountRole/
    );
    expect(trust).toHaveLength(1);
    // The principal is the source role itself, as AWS's cross-account
    // page draws it; no account root narrowed by a name match.
    expect(trust[0]).toMatchObject({
      principal: { AWS: SOURCE_ROLE_ARN },
      actions: ['sts:AssumeRole'],
      condition: {},
    });
    expect(actions.sort()).toEqual([
      'firehose:TagDeliveryStream',
      'iam:CreateServiceLinkedRole',
    ]);
    expect(result.outputs.CrossAccountRoleArn).toBe(
      '{{GetAtt:CrossAccountDeliveryRole.Arn}}'
    );
  });
});

describe('the alarms', () => {
  it('watch function errors and throttles, delivery freshness and ProcessingFailed records', () => {
    // Prepare
    const result = evaluated();

    // Act
    const watched = ofType(result, 'AWS::CloudWatch::Alarm').map(([, alarm]) =>
      [alarm.Properties!.Namespace, alarm.Properties!.MetricName].join(' ')
    );

    // Assess
    expect(watched.sort()).toEqual([
      'AWS/Firehose DeliveryToS3.DataFreshness',
      'AWS/Lambda Errors',
      'AWS/Lambda Throttles',
      'FlowLogTransform RecordsProcessingFailed',
    ]);
  });

  it('notify the alarm topic only when one is given', () => {
    // Prepare
    const topic = 'arn:aws:sns:us-east-1:123456789012:alarms';

    // Act
    const withTopic = ofType(
      evaluated({ AlarmTopicArn: topic }),
      'AWS::CloudWatch::Alarm'
    );
    const without = ofType(evaluated(), 'AWS::CloudWatch::Alarm');

    // Assess
    for (const [, alarm] of withTopic) {
      expect(alarm.Properties!.AlarmActions).toEqual([topic]);
    }
    for (const [, alarm] of without) {
      expect(alarm.Properties!.AlarmActions).toBeUndefined();
    }
  });

  it('scope the Lambda and Firehose alarms to this stack', () => {
    // Prepare
    const result = evaluated();

    // Act
    const dimensions = ofType(result, 'AWS::CloudWatch::Alarm')
      .filter(([, alarm]) => alarm.Properties!.Namespace !== 'FlowLogTransform')
      .map(([, alarm]) =>
        evaluate(alarm.Properties!.Dimensions!, result.context)
      );

    // Assess
    expect(dimensions).toEqual(
      expect.arrayContaining([
        [{ Name: 'FunctionName', Value: `{{Ref:${FUNCTION_ID}}}` }],
        [
          {
            Name: 'DeliveryStreamName',
            Value: '{{Ref:FlowLogDeliveryStream}}',
          },
        ],
      ])
    );
  });
});
