import { beforeAll, describe, expect, it } from 'vitest';
import { type Evaluated, evaluateTemplate } from './helpers/intrinsics.ts';
import {
  MAIN_SCENARIOS,
  type Scenario,
  SOURCE_SCENARIOS,
} from './helpers/scenarios.ts';
import {
  resourceSpec,
  type SpecDatabase,
  type SpecFinding,
  specDatabase,
  validateResource,
} from './helpers/spec.ts';
import {
  type CfnResource,
  cloneTemplate,
  type JsonObject,
  loadTemplate,
  MAIN_TEMPLATE,
  mergeGlobals,
  SOURCE_TEMPLATE,
} from './helpers/template.ts';

const CASES: { file: string; scenarios: readonly Scenario[] }[] = [
  { file: MAIN_TEMPLATE, scenarios: MAIN_SCENARIOS },
  { file: SOURCE_TEMPLATE, scenarios: SOURCE_SCENARIOS },
];

/** The scenario with every optional resource of template.yaml present. */
const ALL_ON = MAIN_SCENARIOS[2]!.parameters;

/** A resource as SAM sees it: serverless functions get their Globals. */
function withGlobals(evaluated: Evaluated, resource: CfnResource): CfnResource {
  if (resource.Type !== 'AWS::Serverless::Function') return resource;
  const globals = evaluated.globals.Function ?? {};
  const properties = mergeGlobals(globals, resource.Properties ?? {});
  return { ...resource, Properties: properties };
}

function specFindings(db: SpecDatabase, evaluated: Evaluated): SpecFinding[] {
  return Object.entries(evaluated.resources).flatMap(([id, resource]) =>
    validateResource(db, id, withGlobals(evaluated, resource))
  );
}

/** Properties of one resource of the all-on evaluation, for mutation. */
function allOnResources(): Record<string, CfnResource> {
  return cloneTemplate(
    evaluateTemplate(loadTemplate(MAIN_TEMPLATE), ALL_ON).resources
  );
}

function properties(resource: CfnResource | undefined): JsonObject {
  if (!resource?.Properties) throw new Error('resource has no Properties');
  return resource.Properties;
}

describe('resource properties against the CloudFormation specification', () => {
  let db: SpecDatabase;

  beforeAll(async () => {
    db = await specDatabase();
  });

  describe.each(CASES)('$file', ({ file, scenarios }) => {
    it('uses only resource types the specification knows, SAM types included', () => {
      // Prepare
      const template = loadTemplate(file);

      // Act
      const unknown = Object.entries(template.Resources)
        .filter(([, resource]) => !resourceSpec(db, resource.Type))
        .map(([id, resource]) => `${id}: ${resource.Type}`);

      // Assess
      expect(unknown).toEqual([]);
    });

    it.each(scenarios)(
      'has only known, well-typed, complete properties ($name)',
      ({ parameters }) => {
        // Prepare
        const evaluated = evaluateTemplate(loadTemplate(file), parameters);

        // Act
        const findings = specFindings(db, evaluated);

        // Assess
        expect(findings).toEqual([]);
      }
    );
  });

  it('reports an unknown top-level property with the resource name', () => {
    // Prepare
    const resources = allOnResources();
    properties(resources.FlowLogBucket).BucketNme = 'typo';

    // Act
    const findings = validateResource(
      db,
      'FlowLogBucket',
      resources.FlowLogBucket!
    );

    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        resource: 'FlowLogBucket',
        message: expect.stringContaining('unknown property BucketNme'),
      }),
    ]);
  });

  it('reports a misspelt nested property with its property type name', () => {
    // Prepare
    const resources = allOnResources();
    const stream = properties(resources.FlowLogDeliveryStream);
    const destination = stream.ExtendedS3DestinationConfiguration as JsonObject;
    destination.BufferingHints = { SizeInMB: 64, IntervalInSeconds: 300 };

    // Act
    const findings = validateResource(
      db,
      'FlowLogDeliveryStream',
      resources.FlowLogDeliveryStream!
    );

    // Assess
    expect(findings).toEqual([
      {
        resource: 'FlowLogDeliveryStream',
        message: expect.stringMatching(
          /ExtendedS3DestinationConfiguration\.BufferingHints \(BufferingHints\): unknown property SizeInMB/
        ),
      },
    ]);
  });

  it('reports a missing required property', () => {
    // Prepare
    const resources = allOnResources();
    delete properties(resources.FlowLog2).ResourceId;

    // Act
    const findings = validateResource(db, 'FlowLog2', resources.FlowLog2!);

    // Assess
    expect(findings).toEqual([
      {
        resource: 'FlowLog2',
        message: 'Properties: missing required property ResourceId',
      },
    ]);
  });

  it('reports a value outside the property enumeration', () => {
    // Prepare
    const resources = allOnResources();
    properties(resources.FlowLogDeliveryStream).DeliveryStreamType =
      'DirectPutt';

    // Act
    const findings = validateResource(
      db,
      'FlowLogDeliveryStream',
      resources.FlowLogDeliveryStream!
    );

    // Assess
    expect(findings).toEqual([
      {
        resource: 'FlowLogDeliveryStream',
        message: expect.stringContaining('DirectPutt is not one of'),
      },
    ]);
  });

  it('reports a misspelt property and a mistyped value on the SAM function', () => {
    // Prepare
    const resources = allOnResources();
    const fn = properties(resources.FlowLogProcessorFunction);
    fn.Runtimee = 'nodejs24.x';
    fn.MemorySize = 'large';

    // Act
    const findings = validateResource(
      db,
      'FlowLogProcessorFunction',
      resources.FlowLogProcessorFunction!
    );

    // Assess
    expect(findings.map((finding) => finding.message).sort()).toEqual([
      'Properties.MemorySize: expected a number',
      expect.stringContaining('unknown property Runtimee'),
    ]);
  });

  it('reports an unknown resource attribute', () => {
    // Prepare
    const resources = allOnResources();
    const bucket = resources.FlowLogBucket!;
    bucket.DeletionPolcy = 'Retain';

    // Act
    const findings = validateResource(db, 'FlowLogBucket', bucket);

    // Assess
    expect(findings).toEqual([
      {
        resource: 'FlowLogBucket',
        message: 'unknown resource attribute DeletionPolcy',
      },
    ]);
  });
});
