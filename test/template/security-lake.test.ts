/**
 * The Amazon Security Lake custom-source option of template.yaml
 * (SecurityLakeLocation, SecurityLakeProviderRoleArn): its rules, the
 * stream's wiring, IAM, the partition layout and the generated OCSF table.
 * Requirements: https://docs.aws.amazon.com/security-lake/latest/userguide/custom-sources.html
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  glueColumns,
  withGeneratedColumns,
} from '../../scripts/lib/security-lake-schema.ts';
import { createPartitioner } from '../../shared/firehose/partition.ts';
import { parseFormat } from '../../shared/flowlog/format.ts';
import { FlowLogLine } from '../../shared/flowlog/line.ts';
import { planScan, scanLine } from '../../shared/flowlog/scan.ts';
import {
  type Evaluated,
  evaluate,
  evaluateConditions,
  evaluateTemplate,
  parameterValues,
  parameterViolations,
  ruleViolations,
} from './helpers/intrinsics.ts';
import {
  MAIN_SCENARIOS,
  SECURITY_LAKE_LOCATION,
  SECURITY_LAKE_PROVIDER_ROLE_ARN,
  TGW_FORMAT,
  V2_FORMAT,
} from './helpers/scenarios.ts';
import { policyStatements } from './helpers/security.ts';
import { functionEnvironment } from './helpers/settings.ts';
import {
  getPath,
  type Json,
  type JsonObject,
  loadTemplate,
  MAIN_TEMPLATE,
  REPO_ROOT,
} from './helpers/template.ts';

const ON = MAIN_SCENARIOS.find((s) =>
  s.name.startsWith('Security Lake')
)!.parameters;
const STREAM = 'FlowLogDeliveryStream';
const SL_BUCKET_ARN =
  'arn:aws:s3:::aws-security-data-lake-us-east-1-o2kpxzbjmvzcdw6dm4rslklkkuqfjq';

function evaluated(overrides: Readonly<Record<string, string>>): Evaluated {
  return evaluateTemplate(loadTemplate(MAIN_TEMPLATE), overrides);
}

function destination(result: Evaluated): JsonObject {
  return getPath(result.resources[STREAM]!.Properties, [
    'ExtendedS3DestinationConfiguration',
  ]) as JsonObject;
}

function processorParameters(result: Evaluated): Record<string, Json> {
  const list = getPath(destination(result), [
    'ProcessingConfiguration',
    'Processors',
    0,
    'Parameters',
  ]) as { ParameterName: string; ParameterValue: Json }[];
  return Object.fromEntries(
    list.map((p) => [p.ParameterName, p.ParameterValue])
  );
}

describe('the Security Lake option', () => {
  it('is off by default: the stack bucket, its role, no OCSF table', () => {
    // Act
    const result = evaluated({});
    const dest = destination(result);

    // Assess
    expect(dest.BucketARN).toBe('{{GetAtt:FlowLogBucket.Arn}}');
    expect(dest.RoleARN).toBe('{{GetAtt:DeliveryStreamRole.Arn}}');
    expect(processorParameters(result).RoleArn).toBeUndefined();
    expect(result.resources.OcsfSchemaTable).toBeUndefined();
    expect(result.resources.OcsfSchemaDatabase).toBeUndefined();
  });

  it('writes to the custom source with the provider role', () => {
    // Act
    const dest = destination(evaluated(ON));

    // Assess
    expect(dest.BucketARN).toBe(SL_BUCKET_ARN);
    expect(dest.RoleARN).toBe(SECURITY_LAKE_PROVIDER_ROLE_ARN);
  });

  it('prefixes objects in Security Lake’s layout from the partition keys', () => {
    // Act
    const result = evaluated(ON);
    const dest = destination(result);

    // Assess
    expect(dest.Prefix).toBe(
      'ext/vpc-flow-ocsf/region=us-east-1/' +
        'accountId=!{partitionKeyFromLambda:account_id}/' +
        'eventDay=!{partitionKeyFromLambda:year}!{partitionKeyFromLambda:month}!{partitionKeyFromLambda:day}/'
    );
    expect(functionEnvironment(result).PARTITION_KEYS).toBe(
      'account_id,year,month,day'
    );
    expect(getPath(dest, ['DynamicPartitioningConfiguration', 'Enabled'])).toBe(
      true
    );
  });

  it('keeps failed records below the source prefix, outside its partitions', () => {
    // Act
    const prefix = String(destination(evaluated(ON)).ErrorOutputPrefix);

    // Assess
    expect(prefix).toBe(
      'ext/vpc-flow-ocsf/errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/'
    );
    expect(prefix).not.toContain('region=');
  });

  it('converts OCSF to Snappy Parquet with the OCSF table, read with the stack role', () => {
    // Act
    const dest = destination(evaluated(ON));
    const conversion = dest.DataFormatConversionConfiguration as JsonObject;

    // Assess
    expect(dest.CompressionFormat).toBe('UNCOMPRESSED');
    expect(conversion).toMatchObject({
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
      OutputFormatConfiguration: {
        Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } },
      },
      SchemaConfiguration: {
        DatabaseName: '{{Ref:OcsfSchemaDatabase}}',
        TableName: '{{Ref:OcsfSchemaTable}}',
        RoleARN: '{{GetAtt:DeliveryStreamRole.Arn}}',
        CatalogId: '123456789012',
        Region: 'us-east-1',
      },
    });
  });

  it('invokes the function with the stack role, not the provider role', () => {
    // Act
    const parameters = processorParameters(evaluated(ON));

    // Assess
    expect(parameters.RoleArn).toBe('{{GetAtt:DeliveryStreamRole.Arn}}');
    expect(parameters.LambdaArn).toBe(
      '{{GetAtt:FlowLogProcessorFunction.Arn}}'
    );
  });

  it('lets the stack role read exactly the OCSF table', () => {
    // Act
    const statement = policyStatements(evaluated(ON).resources).find(
      (s) => s.sid === 'ReadOcsfSchema'
    );

    // Assess
    expect(statement?.resource).toBe('DeliveryStreamRole');
    expect(statement?.actions).toEqual([
      'glue:GetTable',
      'glue:GetTableVersion',
      'glue:GetTableVersions',
    ]);
    expect(statement?.resources).toEqual([
      'arn:aws:glue:us-east-1:123456789012:catalog',
      'arn:aws:glue:us-east-1:123456789012:database/{{Ref:OcsfSchemaDatabase}}',
      'arn:aws:glue:us-east-1:123456789012:table/{{Ref:OcsfSchemaDatabase}}/{{Ref:OcsfSchemaTable}}',
    ]);
  });

  it('writes OCSF from the function', () => {
    // Act
    const env = functionEnvironment(evaluated(ON));

    // Assess
    expect(env.OUTPUT_FORMAT).toBe('ocsf');
  });
});

describe('the Security Lake rules', () => {
  const template = () => loadTemplate(MAIN_TEMPLATE);
  const rule = /^SecurityLakeNeedsOcsf: /;

  it('accept the scenario', () => {
    // Assess
    expect(ruleViolations(template(), ON)).toEqual([]);
  });

  it.each([
    ['OutputFormat json', { OutputFormat: 'json' }, /OutputFormat ocsf/],
    [
      'no provider role',
      { SecurityLakeProviderRoleArn: '' },
      /SecurityLakeProviderRoleArn/,
    ],
    [
      'dynamic partitioning off',
      { EnableDynamicPartitioning: 'false' },
      /EnableDynamicPartitioning true/,
    ],
  ])('refuse %s', (_name, change, message) => {
    // Act
    const broken = ruleViolations(template(), { ...ON, ...change });

    // Assess
    expect(broken).toEqual([expect.stringMatching(message)]);
    expect(broken[0]).toMatch(rule);
  });

  it('refuse EnableParquet true (its table is for json)', () => {
    // Act
    const broken = ruleViolations(template(), { ...ON, EnableParquet: 'true' });

    // Assess
    expect(broken).toEqual([
      expect.stringMatching(/^ParquetNeedsJson: /),
      expect.stringMatching(/^SecurityLakeNeedsOcsf: .*EnableParquet false/),
    ]);
  });

  it.each([
    [SECURITY_LAKE_LOCATION, true],
    ['s3://aws-security-data-lake-eu-west-2-abc123/ext/my_source', true],
    ['', true],
    ['s3://aws-security-data-lake-eu-west-2-abc123/ext/src/1.0/', false],
    ['s3://aws-security-data-lake-eu-west-2-abc123/src/', false],
    ['aws-security-data-lake-eu-west-2-abc123/ext/src/', false],
  ])('take SecurityLakeLocation %j: %s', (value, accepted) => {
    // Prepare
    const parameter = template().Parameters!.SecurityLakeLocation!;

    // Act
    const problems = parameterViolations(
      'SecurityLakeLocation',
      parameter,
      value
    );

    // Assess
    expect(problems.length === 0).toBe(accepted);
  });
});

describe('the OCSF table columns', () => {
  it('are the columns generated from OCSF_ATTRIBUTES', () => {
    // Prepare
    const table = evaluated(ON).resources.OcsfSchemaTable!;

    // Act
    const columns = getPath(table.Properties, [
      'TableInput',
      'StorageDescriptor',
      'Columns',
    ]);

    // Assess
    expect(columns).toEqual(glueColumns());
  });

  it('are up to date in template.yaml (npm run gen:security-lake-schema)', () => {
    // Prepare
    const text = readFileSync(join(REPO_ROOT, MAIN_TEMPLATE), 'utf8');

    // Act
    const generated = withGeneratedColumns(text);

    // Assess
    expect(generated).toBe(text);
  });

  it('map the OCSF types as docs/security-lake.md documents', () => {
    // Act
    const byName = Object.fromEntries(
      glueColumns().map((c) => [c.Name, c.Type])
    );

    // Assess
    expect(byName).toMatchObject({
      class_uid: 'int',
      type_uid: 'bigint',
      time: 'bigint',
      traffic: 'struct<packets:bigint,bytes:bigint>',
      unmapped: 'map<string,string>',
    });
    expect(byName.metadata).toContain('profiles:array<string>');
    expect(byName.src_endpoint).toContain('ip:string');
    expect(byName.src_endpoint).toContain('port:int');
  });

  it('fail generation for an OCSF type without a mapping', () => {
    // Act
    const act = () => glueColumns([{ path: 'x.y', type: 'float_t' }]);

    // Assess
    expect(act).toThrow('x.y: OCSF type float_t has no Glue mapping');
  });
});

/**
 * The S3 key prefix Firehose would evaluate for a line delivered to a stack
 * in `region`: the template's Prefix with the line's partition keys.
 */
function securityLakePrefix(
  region: string,
  formatText: string,
  text: string
): string {
  const template = loadTemplate(MAIN_TEMPLATE);
  const overrides = { ...ON, FlowLogFormat: formatText };
  const parameters = {
    ...parameterValues(template, overrides),
    'AWS::Region': region,
  };
  const context = {
    template,
    parameters,
    conditions: evaluateConditions(template, parameters),
  };
  const prefix = String(
    evaluate(
      getPath(template.Resources[STREAM]!.Properties, [
        'ExtendedS3DestinationConfiguration',
        'Prefix',
      ])!,
      context
    )
  );
  const keyNames = String(
    functionEnvironment(evaluated(overrides)).PARTITION_KEYS
  ).split(',');
  const format = parseFormat(formatText);
  const line = new FlowLogLine(format);
  const bytes = Buffer.from(text);
  expect(scanLine(bytes, 0, bytes.length, planScan(format), line)).toBe(
    undefined
  );
  const partitioner = createPartitioner(keyNames, format)!;
  const keys = partitioner.partitionKeys(partitioner.keyOf(line));
  return prefix.replace(
    /!\{partitionKeyFromLambda:([a-z_]+)\}/g,
    (_m, name: string) => keys[name] ?? '<missing>'
  );
}

describe('the Security Lake partition layout of sample lines', () => {
  // Lines in AWS's documented shapes (VPC user guide, flow log record
  // examples); start 1418530010 = 2014-12-14T04:06:50Z, 1431280876 =
  // 2015-05-10T18:01:16Z, 1616729292 = 2021-03-26T03:28:12Z, 1700006399 =
  // 2023-11-14T23:59:59Z (the last second of its UTC day).
  it.each([
    [
      'us-east-1',
      V2_FORMAT,
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
      'ext/vpc-flow-ocsf/region=us-east-1/accountId=123456789010/eventDay=20141214/',
    ],
    [
      'eu-west-1',
      V2_FORMAT,
      '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
      'ext/vpc-flow-ocsf/region=eu-west-1/accountId=123456789010/eventDay=20150510/',
    ],
    [
      'ap-southeast-2',
      V2_FORMAT,
      '2 unknown eni-1235b8ca123456789 10.0.0.1 10.0.0.2 443 49152 6 1 40 1616729292 1616729349 ACCEPT OK',
      'ext/vpc-flow-ocsf/region=ap-southeast-2/accountId=unknown/eventDay=20210326/',
    ],
    [
      'us-west-2',
      V2_FORMAT,
      '2 210987654321 eni-0123456789abcdef0 10.1.2.3 10.4.5.6 3389 51000 6 3 180 1700006399 1700006400 REJECT OK',
      'ext/vpc-flow-ocsf/region=us-west-2/accountId=210987654321/eventDay=20231114/',
    ],
    [
      'us-east-2',
      TGW_FORMAT,
      '6 TransitGateway 123456789012 tgw-0123456789abcdef0 tgw-attach-0123456789abcdef0 123456789012 210987654321 vpc-0123456789abcdef0 vpc-0123456789abcdef1 subnet-0123456789abcdef0 subnet-0123456789abcdef1 eni-0123456789abcdef0 eni-0123456789abcdef1 use2-az1 use2-az2 tgw-attach-0123456789abcdef1 10.0.0.1 10.1.0.1 49152 443 6 10 840 1616729292 1616729352 OK IPv4 0 0 0 0 2 us-east-2 egress - -',
      'ext/vpc-flow-ocsf/region=us-east-2/accountId=123456789012/eventDay=20210326/',
    ],
  ])(
    'puts a line delivered in %s where Security Lake expects it',
    (region, format, text, expected) => {
      // Act
      const prefix = securityLakePrefix(region, format, text);

      // Assess
      expect(prefix).toBe(expected);
    }
  );
});
