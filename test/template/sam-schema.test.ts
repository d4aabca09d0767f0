/**
 * Cross-check of the SAM resources against the SAM project's own JSON
 * Schema (shared/schemas/sam.schema.json beside the repository). The file
 * lives outside this repository, so these tests run only where it exists;
 * the CloudFormation specification check (spec.test.ts) covers SAM
 * resources everywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { evaluateTemplate } from './helpers/intrinsics.ts';
import { MAIN_SCENARIOS } from './helpers/scenarios.ts';
import {
  type CfnResource,
  cloneTemplate,
  loadTemplate,
  MAIN_TEMPLATE,
  REPO_ROOT,
} from './helpers/template.ts';

/** Where the schema is in a checkout with shared/ beside the repository. */
const SAM_SCHEMA = resolve(REPO_ROOT, '../shared/schemas/sam.schema.json');

/** Schema definition of each SAM resource type this project uses. */
const DEFINITIONS: Readonly<Record<string, string>> = {
  'AWS::Serverless::Function':
    'samtranslator__internal__schema_source__aws_serverless_function__Resource',
  'AWS::Serverless::StateMachine':
    'samtranslator__internal__schema_source__aws_serverless_statemachine__Resource',
};

/** Schema definition of the Globals section. */
const GLOBALS_DEFINITION = '__main____Globals';

type Validate = (value: unknown) => string[];

/** The draft-04 Ajv class (a CommonJS default export under NodeNext). */
const Ajv = AjvDraft04.default;

let ajv: InstanceType<typeof Ajv> | undefined;

/** A validator per schema definition; the schema is compiled once. */
function schemaValidators(): (definition: string) => Validate {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(JSON.parse(readFileSync(SAM_SCHEMA, 'utf8')), 'sam');
  }
  const compiler = ajv;
  return (definition) => {
    const validate = compiler.getSchema(`sam#/definitions/${definition}`);
    if (!validate) throw new Error(`no schema definition ${definition}`);
    return (value) => {
      if (validate(value)) return [];
      return (validate.errors ?? []).map(
        (error) =>
          `${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`
      );
    };
  };
}

function serverlessResources(
  resources: Record<string, CfnResource>
): [string, CfnResource][] {
  return Object.entries(resources).filter(([, resource]) =>
    resource.Type.startsWith('AWS::Serverless::')
  );
}

/** Whether the schema is there; the suite title says why it is skipped. */
const available = existsSync(SAM_SCHEMA);

const TITLE = available
  ? 'SAM resources against the SAM JSON Schema'
  : 'SAM resources against the SAM JSON Schema (skipped: no ../shared/schemas/sam.schema.json beside this checkout)';

describe(TITLE, () => {
  it.runIf(available).each(MAIN_SCENARIOS)(
    'accepts every AWS::Serverless resource and the Globals ($name)',
    ({ parameters }) => {
      // Prepare
      const validator = schemaValidators();
      const evaluated = evaluateTemplate(
        loadTemplate(MAIN_TEMPLATE),
        parameters
      );

      // Act
      const errors = serverlessResources(evaluated.resources).flatMap(
        ([id, resource]) => {
          const definition = DEFINITIONS[resource.Type];
          if (!definition)
            return [`${id}: no schema mapping for ${resource.Type}`];
          return validator(definition)(resource).map((e) => `${id}: ${e}`);
        }
      );
      errors.push(...validator(GLOBALS_DEFINITION)(evaluated.globals));

      // Assess
      expect(errors).toEqual([]);
    }
  );

  it.runIf(available)('reports a misspelt function property by name', () => {
    // Prepare
    const validator = schemaValidators();
    const resources = cloneTemplate(
      evaluateTemplate(loadTemplate(MAIN_TEMPLATE)).resources
    );
    const fn = resources.FlowLogProcessorFunction!;
    fn.Properties = { ...fn.Properties, Timeoutt: 120 };

    // Act
    const errors = validator(DEFINITIONS['AWS::Serverless::Function']!)(fn);

    // Assess
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"additionalProperty":"Timeoutt"'),
      ])
    );
  });
});
