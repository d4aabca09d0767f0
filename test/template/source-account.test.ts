/**
 * templates/source-account.yaml: the source role of the VPC user guide's
 * cross-account procedure and the flow logs that use it, checked against
 * template.yaml (the destination side).
 */
import { describe, expect, it } from 'vitest';
import {
  type Evaluated,
  evaluateTemplate,
  parameterViolations,
} from './helpers/intrinsics.ts';
import {
  SOURCE_REQUIRED,
  SOURCE_SCENARIOS,
  V2_FORMAT,
} from './helpers/scenarios.ts';
import { policyStatements, type Statement } from './helpers/security.ts';
import {
  type CfnResource,
  loadTemplate,
  MAIN_TEMPLATE,
  SOURCE_TEMPLATE,
} from './helpers/template.ts';

/** The log-delivery actions of the guide's source-role policy. */
const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:GetLogDelivery',
];

/** ARN resource-type segment per flow-log resource type. */
const ARN_SEGMENTS: Readonly<Record<string, string>> = {
  VPC: 'vpc',
  Subnet: 'subnet',
  NetworkInterface: 'network-interface',
  TransitGateway: 'transit-gateway',
  TransitGatewayAttachment: 'transit-gateway-attachment',
};

function evaluated(overrides: Readonly<Record<string, string>>): Evaluated {
  return evaluateTemplate(loadTemplate(SOURCE_TEMPLATE), overrides);
}

function roleStatements(result: Evaluated): Statement[] {
  return policyStatements(result.resources).filter(
    (s) => s.resource === 'SourceRole'
  );
}

function flowLogs(result: Evaluated): CfnResource[] {
  return Object.values(result.resources).filter(
    (r) => r.Type === 'AWS::EC2::FlowLog'
  );
}

describe('the source-account template', () => {
  it('defaults FlowLogFormat to the same string as template.yaml', () => {
    // Prepare
    const source = loadTemplate(SOURCE_TEMPLATE).Parameters!.FlowLogFormat!;

    // Act
    const destination = loadTemplate(MAIN_TEMPLATE).Parameters!.FlowLogFormat!;

    // Assess
    expect(source.Default).toBe(destination.Default);
    expect(source.Default).toBe(V2_FORMAT);
    expect(source.AllowedPattern).toBe(destination.AllowedPattern);
  });

  it('creates a role trusted by the log delivery service', () => {
    // Prepare
    const result = evaluated(SOURCE_SCENARIOS[0]!.parameters);

    // Act
    const trust = roleStatements(result).filter((s) => s.kind === 'trust');

    // Assess
    expect(trust).toEqual([
      expect.objectContaining({
        effect: 'Allow',
        principal: { Service: 'delivery.logs.amazonaws.com' },
        actions: ['sts:AssumeRole'],
      }),
    ]);
  });

  it('trusts log delivery only on behalf of its own account and Region (confused deputy)', () => {
    // Prepare
    const result = evaluated(SOURCE_SCENARIOS[0]!.parameters);

    // Act
    const trust = roleStatements(result).filter((s) => s.kind === 'trust');

    // Assess: the keys and values of AWS's flow-logs S3 permissions page.
    expect(trust[0]!.condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:logs:us-east-1:123456789012:*' },
    });
  });

  it('creates the role alone by default, the first step of the deploy order', () => {
    // Prepare
    const { DestinationStreamArn, DestinationRoleArn } = SOURCE_REQUIRED;

    // Act
    const result = evaluated({
      DestinationStreamArn,
      DestinationRoleArn,
      FlowLogResourceIds: 'vpc-0123456789abcdef0',
    });

    // Assess
    expect(Object.keys(result.resources)).toEqual(['SourceRole']);
  });

  it.each(SOURCE_SCENARIOS)(
    'passes the role only to log delivery and only for the monitored resources ($name)',
    ({ parameters }) => {
      // Prepare
      const result = evaluated(parameters);
      const type = parameters.FlowLogResourceType ?? 'VPC';
      const ids = String(parameters.FlowLogResourceIds).split(',');

      // Act
      const passRole = roleStatements(result).filter((s) =>
        s.actions.includes('iam:PassRole')
      );

      // Assess
      expect(passRole).toHaveLength(1);
      expect(passRole[0]).toMatchObject({
        actions: ['iam:PassRole'],
        resources: [
          'arn:aws:iam::123456789012:role/FlowLogsFirehoseSourceRole',
        ],
        condition: {
          StringEquals: {
            'iam:PassedToService': 'delivery.logs.amazonaws.com',
          },
          StringLike: {
            'iam:AssociatedResourceARN': ids.map(
              (id) =>
                `arn:aws:ec2:us-east-1:123456789012:${ARN_SEGMENTS[type]}/${id}`
            ),
          },
        },
      });
    }
  );

  it('grants the four log-delivery actions and assumes only the destination role', () => {
    // Prepare
    const result = evaluated(SOURCE_SCENARIOS[0]!.parameters);
    const identity = roleStatements(result).filter(
      (s) => s.kind === 'identity'
    );

    // Act
    const delivery = identity.filter((s) =>
      s.actions.includes('logs:CreateLogDelivery')
    );
    const assume = identity.filter((s) => s.actions.includes('sts:AssumeRole'));

    // Assess
    expect(delivery).toHaveLength(1);
    expect(delivery[0]!.actions.sort()).toEqual(
      [...LOG_DELIVERY_ACTIONS].sort()
    );
    expect(assume).toHaveLength(1);
    expect(assume[0]!.resources).toEqual([SOURCE_REQUIRED.DestinationRoleArn]);
  });

  it.each(SOURCE_SCENARIOS)(
    'delivers each flow log cross-account with both roles and the format ($name)',
    ({ parameters }) => {
      // Prepare
      const result = evaluated(parameters);
      const expected =
        parameters.CreateFlowLogs === 'false'
          ? 0
          : String(parameters.FlowLogResourceIds).split(',').length;

      // Act
      const logs = flowLogs(result).map((f) => f.Properties!);

      // Assess
      expect(logs).toHaveLength(expected);
      for (const flowLog of logs) {
        expect(flowLog).toMatchObject({
          LogDestinationType: 'kinesis-data-firehose',
          LogDestination: SOURCE_REQUIRED.DestinationStreamArn,
          DeliverLogsPermissionArn: '{{GetAtt:SourceRole.Arn}}',
          DeliverCrossAccountRole: SOURCE_REQUIRED.DestinationRoleArn,
          LogFormat: parameters.FlowLogFormat ?? V2_FORMAT,
        });
      }
    }
  );

  it('accepts the destination stack role name and refuses one without the log-delivery prefix', () => {
    // Prepare
    const source = loadTemplate(SOURCE_TEMPLATE).Parameters!;
    const main = loadTemplate(MAIN_TEMPLATE).Parameters!;
    const arn = (name: string): string =>
      `arn:aws:iam::123456789012:role/${name}`;

    // Act
    const destinationDefault = String(main.CrossAccountRoleName!.Default);
    const accepted = parameterViolations(
      'DestinationRoleArn',
      source.DestinationRoleArn!,
      arn(destinationDefault)
    );
    const refused = parameterViolations(
      'DestinationRoleArn',
      source.DestinationRoleArn!,
      arn('FlowLogsDelivery')
    );

    // Assess
    expect(accepted).toEqual([]);
    expect(refused).toHaveLength(1);
  });

  it('outputs the role ARN that template.yaml expects in SourceRoleArn', () => {
    // Prepare
    const result = evaluated(SOURCE_SCENARIOS[0]!.parameters);
    const expected = loadTemplate(MAIN_TEMPLATE).Parameters!.SourceRoleArn!;
    const arn = 'arn:aws:iam::210987654321:role/FlowLogsFirehoseSourceRole';

    // Act
    const output = result.outputs.SourceRoleArn;

    // Assess
    expect(output).toBe('{{GetAtt:SourceRole.Arn}}');
    expect(parameterViolations('SourceRoleArn', expected, arn)).toEqual([]);
  });
});
