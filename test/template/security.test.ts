import { describe, expect, it } from 'vitest';
import { evaluateTemplate } from './helpers/intrinsics.ts';
import {
  MAIN_SCENARIOS,
  type Scenario,
  SOURCE_SCENARIOS,
} from './helpers/scenarios.ts';
import {
  DENY_WILDCARD_EXCEPTIONS,
  formatParameterFindings,
  type Resources,
  SECURITY_RULES,
  type SecurityFinding,
  UNSCOPABLE_ACTIONS,
} from './helpers/security.ts';
import {
  type CfnResource,
  cloneTemplate,
  getPath,
  type Json,
  type JsonObject,
  loadTemplate,
  MAIN_TEMPLATE,
  SOURCE_TEMPLATE,
} from './helpers/template.ts';

const CASES: { file: string; scenarios: readonly Scenario[] }[] = [
  { file: MAIN_TEMPLATE, scenarios: MAIN_SCENARIOS },
  { file: SOURCE_TEMPLATE, scenarios: SOURCE_SCENARIOS },
];

/** Scenario of template.yaml with every optional resource present. */
const ALL_ON = MAIN_SCENARIOS[2]!.parameters;

function runAll(resources: Resources): SecurityFinding[] {
  return Object.values(SECURITY_RULES).flatMap((rule) => rule(resources));
}

/** Evaluated resources, deep-copied so that a test may change them. */
function resourcesOf(
  file: string,
  parameters: Readonly<Record<string, string>>
): Record<string, CfnResource> {
  return cloneTemplate(
    evaluateTemplate(loadTemplate(file), parameters).resources
  );
}

/** The statements array of the first inline policy of a role. */
function inlineStatements(resource: CfnResource | undefined): JsonObject[] {
  const statements = getPath(resource, [
    'Properties',
    'Policies',
    0,
    'PolicyDocument',
    'Statement',
  ]);
  if (!Array.isArray(statements)) throw new Error('no inline statements');
  return statements as JsonObject[];
}

/** The statements of a role's trust policy. */
function trustStatements(resource: CfnResource | undefined): JsonObject[] {
  const statements = getPath(resource, [
    'Properties',
    'AssumeRolePolicyDocument',
    'Statement',
  ]);
  if (!Array.isArray(statements)) throw new Error('no trust statements');
  return statements as JsonObject[];
}

function bySid(statements: JsonObject[], sid: string): JsonObject {
  const found = statements.find((statement) => statement.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

function props(resource: CfnResource | undefined): JsonObject {
  if (!resource?.Properties) throw new Error('no Properties');
  return resource.Properties;
}

/** A change that must make `rule` report `resource`. */
interface Mutation {
  readonly rule: string;
  readonly change: string;
  readonly file: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly resource: string;
  readonly mutate: (resources: Record<string, CfnResource>) => void;
}

const SOURCE_ONE_VPC = SOURCE_SCENARIOS[0]!.parameters;

const MUTATIONS: readonly Mutation[] = [
  {
    rule: 'no-wildcard-actions',
    change: 'an Allow gains s3:*',
    file: MAIN_TEMPLATE,
    parameters: ALL_ON,
    resource: 'DeliveryStreamRole',
    mutate: (r) => {
      const statement = bySid(
        inlineStatements(r.DeliveryStreamRole),
        'WriteBucket'
      );
      (statement.Action as Json[]).push('s3:*');
    },
  },
  {
    rule: 'no-wildcard-actions',
    change: 'an Allow uses a partial wildcard (logs:Put*)',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogProcessorRole',
    mutate: (r) => {
      bySid(inlineStatements(r.FlowLogProcessorRole), 'WriteOwnLogs').Action =
        'logs:Put*';
    },
  },
  {
    rule: 'no-wildcard-actions',
    change: 'a Deny outside the exception list uses *',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucketPolicy',
    mutate: (r) => {
      const statements = getPath(props(r.FlowLogBucketPolicy), [
        'PolicyDocument',
        'Statement',
      ]) as JsonObject[];
      statements[0]!.Sid = 'DenyEverything';
    },
  },
  {
    rule: 'no-wildcard-actions',
    change: 'a trust policy allows sts:*',
    file: SOURCE_TEMPLATE,
    parameters: SOURCE_ONE_VPC,
    resource: 'SourceRole',
    mutate: (r) => {
      trustStatements(r.SourceRole)[0]!.Action = 'sts:*';
    },
  },
  {
    rule: 'scoped-resources',
    change: 're-ingestion is granted on every stream',
    file: MAIN_TEMPLATE,
    parameters: ALL_ON,
    resource: 'FlowLogProcessorRole',
    mutate: (r) => {
      const statements = inlineStatements(r.FlowLogProcessorRole);
      bySid(statements, 'ReingestIntoOwnStream').Resource = '*';
    },
  },
  {
    rule: 'scoped-resources',
    change: 'Firehose may invoke any function',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'DeliveryStreamRole',
    mutate: (r) => {
      const statements = inlineStatements(r.DeliveryStreamRole);
      bySid(statements, 'InvokeProcessor').Resource = ['*'];
    },
  },
  {
    rule: 'pass-role',
    change: 'iam:PassRole loses iam:PassedToService',
    file: SOURCE_TEMPLATE,
    parameters: SOURCE_ONE_VPC,
    resource: 'SourceRole',
    mutate: (r) => {
      const statement = bySid(
        inlineStatements(r.SourceRole),
        'PassSelfToLogDeliveryForMonitoredResources'
      );
      delete (statement.Condition as JsonObject).StringEquals;
    },
  },
  {
    rule: 'pass-role',
    change: 'iam:PassRole is granted on every role',
    file: SOURCE_TEMPLATE,
    parameters: SOURCE_ONE_VPC,
    resource: 'SourceRole',
    mutate: (r) => {
      const statement = bySid(
        inlineStatements(r.SourceRole),
        'PassSelfToLogDeliveryForMonitoredResources'
      );
      statement.Resource = 'arn:aws:iam::123456789012:role/*';
    },
  },
  {
    rule: 'trust-policy',
    change: 'the Firehose trust loses sts:ExternalId',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'DeliveryStreamRole',
    mutate: (r) => {
      delete trustStatements(r.DeliveryStreamRole)[0]!.Condition;
    },
  },
  {
    rule: 'trust-policy',
    change: 'the destination role trusts the whole source account',
    file: MAIN_TEMPLATE,
    parameters: ALL_ON,
    resource: 'CrossAccountDeliveryRole',
    mutate: (r) => {
      trustStatements(r.CrossAccountDeliveryRole)[0]!.Principal = {
        AWS: 'arn:aws:iam::210987654321:root',
      };
    },
  },
  {
    rule: 'trust-policy',
    change:
      'the destination role trusts the source account narrowed by aws:PrincipalArn',
    file: MAIN_TEMPLATE,
    parameters: ALL_ON,
    resource: 'CrossAccountDeliveryRole',
    mutate: (r) => {
      const statement = trustStatements(r.CrossAccountDeliveryRole)[0]!;
      statement.Condition = {
        ArnEquals: { 'aws:PrincipalArn': statement.Principal as Json },
      };
      statement.Principal = { AWS: 'arn:aws:iam::210987654321:root' };
    },
  },
  {
    rule: 'trust-policy',
    change: 'the log-delivery trust loses aws:SourceArn',
    file: SOURCE_TEMPLATE,
    parameters: SOURCE_ONE_VPC,
    resource: 'SourceRole',
    mutate: (r) => {
      const condition = trustStatements(r.SourceRole)[0]!
        .Condition as JsonObject;
      delete condition.ArnLike;
    },
  },
  {
    rule: 'trust-policy',
    change: 'the log-delivery trust loses both confused-deputy keys',
    file: SOURCE_TEMPLATE,
    parameters: SOURCE_ONE_VPC,
    resource: 'SourceRole',
    mutate: (r) => {
      delete trustStatements(r.SourceRole)[0]!.Condition;
    },
  },
  {
    rule: 'service-linked-role',
    change: 'iam:CreateServiceLinkedRole is granted on every role',
    file: MAIN_TEMPLATE,
    parameters: ALL_ON,
    resource: 'CrossAccountDeliveryRole',
    mutate: (r) => {
      bySid(
        inlineStatements(r.CrossAccountDeliveryRole),
        'CreateLogDeliveryServiceLinkedRole'
      ).Resource = '*';
    },
  },
  {
    rule: 'service-linked-role',
    change: 'iam:CreateServiceLinkedRole loses iam:AWSServiceName',
    file: MAIN_TEMPLATE,
    parameters: ALL_ON,
    resource: 'CrossAccountDeliveryRole',
    mutate: (r) => {
      delete bySid(
        inlineStatements(r.CrossAccountDeliveryRole),
        'CreateLogDeliveryServiceLinkedRole'
      ).Condition;
    },
  },
  {
    rule: 'trust-policy',
    change: 'a role trusts a service without a trust rule',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogProcessorRole',
    mutate: (r) => {
      trustStatements(r.FlowLogProcessorRole)[0]!.Principal = {
        Service: 'ec2.amazonaws.com',
      };
    },
  },
  {
    rule: 'no-public-principal',
    change: 'the bucket policy allows everyone to read',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucketPolicy',
    mutate: (r) => {
      const statements = getPath(props(r.FlowLogBucketPolicy), [
        'PolicyDocument',
        'Statement',
      ]) as JsonObject[];
      statements.push({
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: '{{GetAtt:FlowLogBucket.Arn}}/*',
      });
    },
  },
  {
    rule: 'bucket-encryption',
    change: 'the bucket loses default encryption',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucket',
    mutate: (r) => {
      delete props(r.FlowLogBucket).BucketEncryption;
    },
  },
  {
    rule: 'bucket-public-access',
    change: 'RestrictPublicBuckets is false',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucket',
    mutate: (r) => {
      const block = props(r.FlowLogBucket)
        .PublicAccessBlockConfiguration as JsonObject;
      block.RestrictPublicBuckets = false;
    },
  },
  {
    rule: 'bucket-public-access',
    change: 'object ACLs are enabled again (ObjectWriter)',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucket',
    mutate: (r) => {
      props(r.FlowLogBucket).OwnershipControls = {
        Rules: [{ ObjectOwnership: 'ObjectWriter' }],
      };
    },
  },
  {
    rule: 'bucket-tls-only',
    change: 'the deny applies to TLS requests instead',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucket',
    mutate: (r) => {
      const statements = getPath(props(r.FlowLogBucketPolicy), [
        'PolicyDocument',
        'Statement',
      ]) as JsonObject[];
      statements[0]!.Condition = { Bool: { 'aws:SecureTransport': 'true' } };
    },
  },
  {
    rule: 'bucket-tls-only',
    change: 'the bucket policy is removed',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucket',
    mutate: (r) => {
      delete r.FlowLogBucketPolicy;
    },
  },
  {
    rule: 'bucket-lifecycle',
    change: 'the lifecycle rules are disabled',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucket',
    mutate: (r) => {
      const rules = getPath(props(r.FlowLogBucket), [
        'LifecycleConfiguration',
        'Rules',
      ]) as JsonObject[];
      for (const rule of rules) rule.Status = 'Disabled';
    },
  },
  {
    rule: 'bucket-versioning',
    change: 'the archive bucket loses versioning',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucket',
    mutate: (r) => {
      delete props(r.FlowLogBucket).VersioningConfiguration;
    },
  },
  {
    rule: 'bucket-versioning',
    change: 'the access-log bucket suspends versioning',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'AccessLogBucket',
    mutate: (r) => {
      props(r.AccessLogBucket).VersioningConfiguration = {
        Status: 'Suspended',
      };
    },
  },
  {
    rule: 'bucket-access-logging',
    change: 'the archive bucket loses access logging',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogBucket',
    mutate: (r) => {
      delete props(r.FlowLogBucket).LoggingConfiguration;
    },
  },
  {
    rule: 'stream-encryption',
    change: 'the stream loses server-side encryption',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogDeliveryStream',
    mutate: (r) => {
      delete props(r.FlowLogDeliveryStream)
        .DeliveryStreamEncryptionConfigurationInput;
    },
  },
  {
    rule: 'log-delivery-tag',
    change: 'LogDeliveryEnabled is false',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogDeliveryStream',
    mutate: (r) => {
      props(r.FlowLogDeliveryStream).Tags = [
        { Key: 'LogDeliveryEnabled', Value: 'false' },
      ];
    },
  },
  {
    rule: 'log-retention',
    change: 'the function log group keeps logs forever',
    file: MAIN_TEMPLATE,
    parameters: {},
    resource: 'FlowLogProcessorLogGroup',
    mutate: (r) => {
      delete props(r.FlowLogProcessorLogGroup).RetentionInDays;
    },
  },
];

describe('security rules', () => {
  describe.each(CASES)('$file', ({ file, scenarios }) => {
    it.each(scenarios)('holds every rule ($name)', ({ parameters }) => {
      // Prepare
      const resources = resourcesOf(file, parameters);

      // Act
      const findings = runAll(resources);

      // Assess
      expect(findings).toEqual([]);
    });

    it('feeds every flow log and FLOW_LOG_FORMAT from the one FlowLogFormat parameter', () => {
      // Prepare
      const template = loadTemplate(file);

      // Act
      const findings = formatParameterFindings(template);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  it.each(MUTATIONS)(
    '$rule reports $resource when $change',
    ({ rule, file, parameters, resource, mutate }) => {
      // Prepare
      const check = SECURITY_RULES[rule]!;
      const resources = resourcesOf(file, parameters);
      const before = check(resources);
      mutate(resources);

      // Act
      const after = check(resources);

      // Assess
      expect(before).toEqual([]);
      expect(after).toEqual(
        expect.arrayContaining([expect.objectContaining({ resource, rule })])
      );
    }
  );

  it('has a failing mutation for every rule', () => {
    // Prepare
    const rules = Object.keys(SECURITY_RULES);

    // Act
    const untested = rules.filter(
      (rule) => !MUTATIONS.some((mutation) => mutation.rule === rule)
    );

    // Assess
    expect(untested).toEqual([]);
  });

  it('reports a flow log and a function that stop using FlowLogFormat', () => {
    // Prepare
    const template = cloneTemplate(loadTemplate(MAIN_TEMPLATE));
    template.Resources.FlowLog2!.Properties!.LogFormat = '${version} ${bytes}';
    const variables = getPath(template.Resources.FlowLogProcessorFunction, [
      'Properties',
      'Environment',
      'Variables',
    ]) as JsonObject;
    variables.FLOW_LOG_FORMAT = { Ref: 'OutputFormat' };

    // Act
    const findings = formatParameterFindings(template);

    // Assess
    expect(findings.map((finding) => finding.resource)).toEqual([
      'FlowLogProcessorFunction',
      'FlowLog2',
    ]);
  });

  it('allows Resource * only for the actions AWS documents as unscopable', () => {
    // Prepare
    const documented = [
      'ec2:DescribeNetworkInterfaces',
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:GetLogDelivery',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ];

    // Act
    const exceptions = [...UNSCOPABLE_ACTIONS];

    // Assess
    expect(exceptions.sort()).toEqual(documented.sort());
    expect(DENY_WILDCARD_EXCEPTIONS).toEqual([
      { sid: 'DenyInsecureTransport', action: 's3:*' },
    ]);
  });
});
