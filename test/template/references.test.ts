import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateConditions,
  parameterValues,
  parameterViolations,
  ruleViolations,
} from './helpers/intrinsics.ts';
import { referenceFindings } from './helpers/refs.ts';
import {
  MAIN_SCENARIOS,
  type Scenario,
  SOURCE_REQUIRED,
  SOURCE_SCENARIOS,
  TGW_FORMAT,
} from './helpers/scenarios.ts';
import { type SpecDatabase, specDatabase } from './helpers/spec.ts';
import {
  cloneTemplate,
  getPath,
  loadTemplate,
  MAIN_TEMPLATE,
  SOURCE_TEMPLATE,
} from './helpers/template.ts';

const CASES: { file: string; scenarios: readonly Scenario[] }[] = [
  { file: MAIN_TEMPLATE, scenarios: MAIN_SCENARIOS },
  { file: SOURCE_TEMPLATE, scenarios: SOURCE_SCENARIOS },
];

describe('references', () => {
  let db: SpecDatabase;

  beforeAll(async () => {
    db = await specDatabase();
  });

  it.each(CASES)(
    'resolves every Ref, GetAtt, Sub, FindInMap, DependsOn and condition, and uses every parameter ($file)',
    ({ file }) => {
      // Prepare
      const template = loadTemplate(file);

      // Act
      const findings = referenceFindings(template, db);

      // Assess
      expect(findings).toEqual([]);
    }
  );

  it('reports a Ref to a missing name where it is', () => {
    // Prepare
    const template = cloneTemplate(loadTemplate(MAIN_TEMPLATE));
    template.Resources.FlowLogBucket!.Properties!.Tags = [
      { Key: 'owner', Value: { Ref: 'OwnerTag' } },
    ];

    // Act
    const findings = referenceFindings(template, db);

    // Assess
    expect(findings).toEqual([
      {
        location: 'Resources.FlowLogBucket',
        message: 'Ref to unknown OwnerTag',
      },
    ]);
  });

  it('reports a GetAtt of an attribute the resource type does not have', () => {
    // Prepare
    const template = cloneTemplate(loadTemplate(MAIN_TEMPLATE));
    template.Outputs!.BucketName!.Value = {
      'Fn::GetAtt': ['FlowLogBucket', 'Name'],
    };

    // Act
    const findings = referenceFindings(template, db);

    // Assess
    expect(findings).toEqual([
      {
        location: 'Outputs.BucketName',
        message: 'Fn::GetAtt FlowLogBucket.Name: no such attribute',
      },
    ]);
  });

  it('reports Sub variables, conditions and DependsOn targets that do not exist', () => {
    // Prepare
    const template = cloneTemplate(loadTemplate(MAIN_TEMPLATE));
    const fn = template.Resources.FlowLogProcessorFunction!;
    fn.Properties!.Description = { 'Fn::Sub': '${Stage}-${Missing.Arn}' };
    fn.DependsOn = 'LogGroup';
    template.Resources.FlowLog1!.Condition = 'HasFlowLog4';

    // Act
    const findings = referenceFindings(template, db);

    // Assess
    expect(findings).toEqual(
      expect.arrayContaining([
        {
          location: 'Resources.FlowLogProcessorFunction',
          message: 'Ref to unknown Stage',
        },
        {
          location: 'Resources.FlowLogProcessorFunction',
          message: 'Fn::GetAtt on unknown resource Missing',
        },
        {
          location: 'Resources.FlowLogProcessorFunction',
          message: 'DependsOn unknown resource LogGroup',
        },
        {
          location: 'Resources.FlowLog1',
          message: 'unknown condition HasFlowLog4',
        },
      ])
    );
  });

  it('reports a condition that refers to a resource', () => {
    // Prepare
    const template = cloneTemplate(loadTemplate(MAIN_TEMPLATE));
    template.Conditions!.HasBucket = {
      'Fn::Equals': [{ Ref: 'FlowLogBucket' }, ''],
    };

    // Act
    const findings = referenceFindings(template, db);

    // Assess
    expect(findings).toEqual([
      {
        location: 'Conditions.HasBucket',
        message: 'Ref to unknown FlowLogBucket',
      },
    ]);
  });

  it('reports a parameter that nothing uses', () => {
    // Prepare
    const template = cloneTemplate(loadTemplate(SOURCE_TEMPLATE));
    template.Parameters!.Stage = {
      Type: 'String',
      Description: 'unused',
      AllowedValues: ['dev'],
      Default: 'dev',
    };

    // Act
    const findings = referenceFindings(template, db);

    // Assess
    expect(findings).toEqual([
      { location: 'Parameters.Stage', message: 'parameter is never used' },
    ]);
  });
});

describe('parameters', () => {
  describe.each(CASES)('$file', ({ file, scenarios }) => {
    it('gives every parameter a description and allowed values', () => {
      // Prepare
      const parameters = loadTemplate(file).Parameters ?? {};

      // Act
      const undocumented = Object.entries(parameters)
        .filter(
          ([, p]) =>
            !p.Description?.trim() ||
            (p.AllowedValues === undefined &&
              p.AllowedPattern === undefined &&
              (p.MinValue === undefined || p.MaxValue === undefined))
        )
        .map(([name]) => name);

      // Assess
      expect(undocumented).toEqual([]);
    });

    it('accepts each parameter default under its own constraints', () => {
      // Prepare
      const parameters = loadTemplate(file).Parameters ?? {};

      // Act
      const problems = Object.entries(parameters)
        .filter(([, p]) => p.Default !== undefined)
        .flatMap(([name, p]) =>
          parameterViolations(name, p, String(p.Default))
        );

      // Assess
      expect(problems).toEqual([]);
    });

    it.each(scenarios)(
      'accepts the scenario values and passes the template Rules ($name)',
      ({ parameters: overrides }) => {
        // Prepare
        const template = loadTemplate(file);
        const values = parameterValues(template, overrides);

        // Act
        const problems = Object.entries(values).flatMap(([name, value]) =>
          parameterViolations(name, template.Parameters![name]!, value)
        );
        problems.push(...ruleViolations(template, overrides));

        // Assess
        expect(problems).toEqual([]);
      }
    );

    it('takes every condition both ways across the scenarios', () => {
      // Prepare
      const template = loadTemplate(file);

      // Act
      const states = scenarios.map((scenario) =>
        evaluateConditions(
          template,
          parameterValues(template, scenario.parameters)
        )
      );
      const oneSided = Object.keys(template.Conditions ?? {}).filter(
        (name) => new Set(states.map((state) => state[name])).size < 2
      );

      // Assess
      expect(oneSided).toEqual([]);
    });

    it('lists every parameter in exactly one console parameter group', () => {
      // Prepare
      const template = loadTemplate(file);
      const groups = getPath(template.Metadata, [
        'AWS::CloudFormation::Interface',
        'ParameterGroups',
      ]);

      // Act
      const listed = (Array.isArray(groups) ? groups : []).flatMap((group) => {
        const names = getPath(group, ['Parameters']);
        return Array.isArray(names) ? names.map(String) : [];
      });

      // Assess
      expect([...listed].sort()).toEqual(
        Object.keys(template.Parameters ?? {}).sort()
      );
    });
  });

  it('refuses a transit gateway flow log with a 600-second interval or the VPC default format', () => {
    // Prepare
    const template = loadTemplate(MAIN_TEMPLATE);
    const overrides = {
      FlowLogResourceType: 'TransitGateway',
      FlowLogResourceIds: 'tgw-0123456789abcdef0',
    };

    // Act
    const broken = ruleViolations(template, overrides);
    const fixed = ruleViolations(template, {
      ...overrides,
      MaxAggregationInterval: '60',
      FlowLogFormat: TGW_FORMAT,
    });

    // Assess
    expect(broken).toEqual([
      expect.stringContaining('MaxAggregationInterval 60'),
      expect.stringContaining('transit gateway format'),
    ]);
    expect(fixed).toEqual([]);
  });

  it('refuses Parquet conversion of a non-JSON output format', () => {
    // Prepare
    const template = loadTemplate(MAIN_TEMPLATE);

    // Act
    const broken = ruleViolations(template, {
      EnableParquet: 'true',
      OutputFormat: 'ocsf',
    });

    // Assess
    expect(broken).toEqual([expect.stringMatching(/^ParquetNeedsJson: /)]);
  });

  it('refuses a transit gateway attachment at 600 seconds in the source account too', () => {
    // Prepare
    const template = loadTemplate(SOURCE_TEMPLATE);

    // Act
    const broken = ruleViolations(template, {
      ...SOURCE_REQUIRED,
      FlowLogResourceType: 'TransitGatewayAttachment',
      FlowLogResourceIds: 'tgw-attach-0123456789abcdef0',
      FlowLogFormat: TGW_FORMAT,
    });

    // Assess
    expect(broken).toEqual([
      expect.stringContaining('MaxAggregationInterval 60'),
    ]);
  });

  it('refuses resource ID lists longer than three or with spaces', () => {
    // Prepare
    const parameter =
      loadTemplate(MAIN_TEMPLATE).Parameters!.FlowLogResourceIds!;
    const four = 'vpc-00000000,vpc-11111111,vpc-22222222,vpc-33333333';

    // Act
    const tooMany = parameterViolations('FlowLogResourceIds', parameter, four);
    const spaced = parameterViolations(
      'FlowLogResourceIds',
      parameter,
      'vpc-00000000, vpc-11111111'
    );

    // Assess
    expect(tooMany).toHaveLength(1);
    expect(spaced).toHaveLength(1);
  });
});
