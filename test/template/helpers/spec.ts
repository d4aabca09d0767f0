/**
 * Validation of resource properties against the CloudFormation resource
 * specification shipped in @aws-cdk/aws-service-spec (SAM resources
 * included): unknown properties, missing required ones, value types,
 * enumerations, and nested property types by their definition name.
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type {
  Property,
  PropertyType,
  Resource,
} from '@aws-cdk/service-spec-types';
import { isObject, type Json } from './template.ts';

/** The loaded specification database. */
type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;

/** One problem: the logical ID and what is wrong. */
interface SpecFinding {
  readonly resource: string;
  readonly message: string;
}

/** Attributes allowed beside `Type` and `Properties` on a resource. */
const RESOURCE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'Type',
  'Properties',
  'Condition',
  'DependsOn',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);

/**
 * CloudFormation types that SAM resources become, for `Fn::GetAtt`
 * look-ups (the spec lists no attributes for SAM resource types).
 */
const SAM_GENERATED_TYPES: Readonly<Record<string, string>> = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
};

let cached: Promise<SpecDatabase> | undefined;

/**
 * The specification database, loaded once per test file (about 1 s).
 *
 * @example const db = await specDatabase();
 */
function specDatabase(): Promise<SpecDatabase> {
  cached ??= loadAwsServiceSpec();
  return cached;
}

/**
 * The resource definition for a CloudFormation type, or undefined.
 *
 * @example resourceSpec(db, 'AWS::EC2::FlowLog')?.properties.ResourceId
 */
function resourceSpec(db: SpecDatabase, type: string): Resource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

/**
 * Attribute names `Fn::GetAtt` may read from a resource type.
 *
 * @example attributeNames(db, 'AWS::S3::Bucket').has('Arn') // true
 */
function attributeNames(db: SpecDatabase, type: string): Set<string> {
  const spec = resourceSpec(db, SAM_GENERATED_TYPES[type] ?? type);
  return new Set(Object.keys(spec?.attributes ?? {}));
}

/**
 * Findings for one resource whose property values are concrete (resource
 * references may be `{{…}}` placeholders, accepted for any type).
 *
 * @example validateResource(db, 'Bucket', { Type: 'AWS::S3::Bucket' }) // []
 */
function validateResource(
  db: SpecDatabase,
  logicalId: string,
  resource: { Type: string; Properties?: Json; [key: string]: unknown }
): SpecFinding[] {
  const messages: string[] = [];
  for (const key of Object.keys(resource)) {
    if (!RESOURCE_ATTRIBUTES.has(key)) {
      messages.push(`unknown resource attribute ${key}`);
    }
  }
  const spec = resourceSpec(db, resource.Type);
  if (!spec) {
    messages.push(`unknown resource type ${resource.Type}`);
  } else {
    const properties = resource.Properties ?? {};
    checkProperties(db, 'Properties', properties, spec.properties, messages);
  }
  return messages.map((message) => ({ resource: logicalId, message }));
}

/** Checks an object against a property map (resource or definition). */
function checkProperties(
  db: SpecDatabase,
  path: string,
  value: Json,
  properties: Record<string, Property>,
  messages: string[],
  definition?: string
): void {
  const where = definition ? `${path} (${definition})` : path;
  if (isPlaceholder(value)) return;
  if (!isObject(value)) {
    messages.push(`${where}: expected an object`);
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    const property = properties[key];
    if (!property) {
      const known = Object.keys(properties).sort().join(', ');
      messages.push(`${where}: unknown property ${key} (known: ${known})`);
      continue;
    }
    const types = [property.type, ...(property.previousTypes ?? [])];
    const attempts = types.map((type) => {
      const found: string[] = [];
      checkType(db, `${path}.${key}`, inner, type, found);
      return found;
    });
    if (!attempts.some((found) => found.length === 0)) {
      messages.push(...attempts[0]!);
    }
  }
  for (const [key, property] of Object.entries(properties)) {
    if (property.required && value[key] === undefined) {
      messages.push(`${where}: missing required property ${key}`);
    }
  }
}

/** Checks one value against one property type. */
function checkType(
  db: SpecDatabase,
  path: string,
  value: Json,
  type: PropertyType,
  messages: string[]
): void {
  if (isPlaceholder(value)) return;
  if (type.type === 'ref') {
    const definition = db.get('typeDefinition', type.reference);
    const props = definition.properties;
    checkProperties(db, path, value, props, messages, definition.name);
  } else if (
    type.type === 'array' ||
    type.type === 'map' ||
    type.type === 'union'
  ) {
    checkCollection(db, path, value, type, messages);
  } else {
    const problem = scalarProblem(path, value, type);
    if (problem) messages.push(problem);
  }
}

/** The problem of a scalar value against a scalar type, if any. */
function scalarProblem(
  path: string,
  value: Json,
  type: PropertyType
): string | undefined {
  switch (type.type) {
    case 'string':
      return stringProblem(path, value, type.allowedValues);
    case 'integer':
    case 'number':
      return numberProblem(path, value, type.type);
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? undefined
        : `${path}: expected a boolean`;
    case 'date-time':
      return typeof value === 'string' ? undefined : `${path}: expected a date`;
    case 'null':
      return value === null ? undefined : `${path}: expected null`;
    case 'tag':
      return isObject(value) &&
        value.Key !== undefined &&
        value.Value !== undefined
        ? undefined
        : `${path}: expected a { Key, Value } tag`;
    default:
      return undefined;
  }
}

/** Checks arrays, maps and unions. */
function checkCollection(
  db: SpecDatabase,
  path: string,
  value: Json,
  type: PropertyType,
  messages: string[]
): void {
  if (type.type === 'array') {
    if (!Array.isArray(value)) {
      messages.push(`${path}: expected a list`);
      return;
    }
    value.forEach((item, index) => {
      checkType(db, `${path}[${index}]`, item, type.element, messages);
    });
  } else if (type.type === 'map') {
    if (!isObject(value)) {
      messages.push(`${path}: expected a map`);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      checkType(db, `${path}.${key}`, item, type.element, messages);
    }
  } else if (type.type === 'union') {
    const attempts = type.types.map((member) => {
      const found: string[] = [];
      checkType(db, path, value, member, found);
      return found;
    });
    if (attempts.some((found) => found.length === 0)) return;
    const closest = attempts.reduce((a, b) => (b.length < a.length ? b : a));
    messages.push(...closest);
  }
}

function stringProblem(
  path: string,
  value: Json,
  allowed: string[] | undefined
): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return undefined;
  if (typeof value !== 'string') return `${path}: expected a string`;
  if (allowed && allowed.length > 0 && !allowed.includes(value)) {
    return `${path}: ${value} is not one of ${allowed.join('|')}`;
  }
  return undefined;
}

function numberProblem(
  path: string,
  value: Json,
  kind: 'integer' | 'number'
): string | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || Number.isNaN(number) || value === '') {
    return `${path}: expected a number`;
  }
  if (kind === 'integer' && !Number.isInteger(number)) {
    return `${path}: expected an integer`;
  }
  return undefined;
}

/** A resource reference left by the evaluator: any type is accepted. */
function isPlaceholder(value: Json): boolean {
  return (
    typeof value === 'string' && /^\{\{(Ref|GetAtt):[^}]+\}\}$/.test(value)
  );
}

export type { SpecDatabase, SpecFinding };
export { attributeNames, resourceSpec, specDatabase, validateResource };
