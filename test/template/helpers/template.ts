/**
 * Loading of the SAM/CloudFormation templates under test, with their
 * CloudFormation short-form tags (`!Ref`, `!Sub`, ...) turned into the long
 * form (`{ Ref: … }`, `{ 'Fn::Sub': … }`) by yaml-cfn.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { yamlParse } from 'yaml-cfn';

/** Any JSON value, as found in a parsed template. */
type Json = string | number | boolean | null | Json[] | JsonObject;

/** A JSON object. */
type JsonObject = { [key: string]: Json };

/** One entry of a template's `Parameters` section. */
interface CfnParameter {
  Type: string;
  Description?: string;
  Default?: string | number;
  AllowedValues?: (string | number)[];
  AllowedPattern?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  ConstraintDescription?: string;
}

/** One entry of a template's `Resources` section. */
interface CfnResource {
  Type: string;
  Properties?: JsonObject;
  Condition?: string;
  DependsOn?: string | string[];
  Metadata?: JsonObject;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  [attribute: string]: Json | undefined;
}

/** One entry of a template's `Outputs` section. */
interface CfnOutput {
  Value: Json;
  Description?: string;
  Condition?: string;
  Export?: JsonObject;
}

/** One entry of a template's `Rules` section. */
interface CfnRule {
  RuleCondition?: Json;
  Assertions: { Assert: Json; AssertDescription?: string }[];
}

/** A parsed template (CloudFormation, optionally with the SAM transform). */
interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Transform?: string | string[];
  Description?: string;
  Metadata?: JsonObject;
  Parameters?: Record<string, CfnParameter>;
  Rules?: Record<string, CfnRule>;
  Mappings?: Record<string, Record<string, Record<string, Json>>>;
  Conditions?: Record<string, Json>;
  Globals?: Record<string, JsonObject>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, CfnOutput>;
}

/** Absolute path of the repository root. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Repository-relative path of the SAM application template. */
const MAIN_TEMPLATE = 'template.yaml';

/** Repository-relative path of the source-account template. */
const SOURCE_TEMPLATE = 'templates/source-account.yaml';

/** Logical ID of the flow-log-processor function in template.yaml. */
const FUNCTION_ID = 'FlowLogProcessorFunction';

/**
 * True for a plain JSON object (not an array, not null).
 *
 * @example isObject({ a: 1 }) // true
 */
function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a repository file as UTF-8.
 *
 * @example readRepoFile('template.yaml')
 */
function readRepoFile(relativePath: string): string {
  return readFileSync(resolve(REPO_ROOT, relativePath), 'utf8');
}

/**
 * Parses a template with CloudFormation tags; throws if it has no
 * `Resources` map.
 *
 * @example const template = loadTemplate('template.yaml');
 */
function loadTemplate(relativePath: string): CfnTemplate {
  const parsed: unknown = yamlParse(readRepoFile(relativePath));
  if (!isObject(parsed) || !isObject(parsed.Resources)) {
    throw new Error(`${relativePath}: not a template with Resources`);
  }
  return parsed as unknown as CfnTemplate;
}

/**
 * Deep copy of a parsed template, for mutation tests.
 *
 * @example const mutated = cloneTemplate(template);
 */
function cloneTemplate<T>(template: T): T {
  return structuredClone(template);
}

/**
 * Merges SAM `Globals.Function` into a function's properties the way SAM
 * does for maps: keys of the function win, nested maps merge, lists of the
 * function are appended to the global ones.
 *
 * @example mergeGlobals({ Runtime: 'nodejs24.x' }, { Handler: 'index.handler' })
 */
function mergeGlobals(globals: JsonObject, local: JsonObject): JsonObject {
  const merged: JsonObject = { ...globals };
  for (const [key, value] of Object.entries(local)) {
    const inherited = merged[key];
    if (isObject(inherited) && isObject(value) && !isIntrinsic(value)) {
      merged[key] = mergeGlobals(inherited, value);
    } else if (Array.isArray(inherited) && Array.isArray(value)) {
      merged[key] = [...inherited, ...value];
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

/**
 * True for an intrinsic function object (`{ Ref: … }`, `{ 'Fn::…': … }`,
 * `{ Condition: … }`).
 *
 * @example isIntrinsic({ Ref: 'AWS::Region' }) // true
 */
function isIntrinsic(value: unknown): value is JsonObject {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const key = keys[0]!;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::');
}

/**
 * Properties of a serverless function with `Globals.Function` applied.
 *
 * @example functionProperties(template, 'FlowLogProcessorFunction').Runtime
 */
function functionProperties(
  template: CfnTemplate,
  logicalId: string
): JsonObject {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return mergeGlobals(
    template.Globals?.Function ?? {},
    resource.Properties ?? {}
  );
}

/**
 * Reads a nested value by keys and indexes; undefined when any step is
 * missing.
 *
 * @example getPath(resource, ['Properties', 'Tags', 0, 'Key'])
 */
function getPath(value: unknown, path: (string | number)[]): Json | undefined {
  let current: unknown = value;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (!isObject(current)) return undefined;
      current = current[step];
    }
  }
  return current as Json | undefined;
}

export type {
  CfnOutput,
  CfnParameter,
  CfnResource,
  CfnRule,
  CfnTemplate,
  Json,
  JsonObject,
};
export {
  cloneTemplate,
  FUNCTION_ID,
  functionProperties,
  getPath,
  isIntrinsic,
  isObject,
  loadTemplate,
  MAIN_TEMPLATE,
  mergeGlobals,
  REPO_ROOT,
  readRepoFile,
  SOURCE_TEMPLATE,
};
