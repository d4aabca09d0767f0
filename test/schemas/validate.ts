// Schema validators for the OCSF and ECS records the function writes, shared
// by the golden, output and property tests (`expectValidOutput`).
//
// OCSF: test/schemas/ocsf-1.1.0-network-activity.json, the Network Activity
// (4001) subset of the OCSF 1.1.0 schema that scripts/gen-ocsf-schema.mjs
// resolves from the schema source. Checked: every attribute belongs to the
// class or to the object it sits in; required attributes are present (a
// profile's only when metadata.profiles names it); values have the
// attribute's type (string_t length, integer_t 32-bit, long_t 64-bit,
// port_t range, ip_t pattern, arrays); enum ids are known and a sibling
// caption matches its id (except 99 Other, whose caption is the source's);
// object constraints (at_least_one, just_one); class, category and type ids.
//
// ECS: the field definitions of the `@elastic/ecs` package (ECS 8.11.0, the
// version the ECS writer claims). Checked for every leaf outside the custom
// `aws.*` namespace: the field exists, its value has the field's type
// (keyword, long, ip, date), array fields are arrays, and values are in the
// field's allowed values (event.type also in the category's expected types).

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { EcsFlat } from '@elastic/ecs';
import { expect } from 'vitest';
import { OCSF_ATTRIBUTES } from '../../shared/output/ocsf.ts';

type Json = Record<string, unknown>;

interface OcsfAttribute {
  readonly type: string;
  readonly is_array?: boolean;
  readonly requirement: 'required' | 'recommended' | 'optional';
  readonly enum?: Readonly<Record<string, string>>;
  readonly sibling?: string;
  readonly profile?: string;
}

interface OcsfContainer {
  readonly attributes: Readonly<Record<string, OcsfAttribute>>;
  readonly constraints?: {
    readonly at_least_one?: readonly string[];
    readonly just_one?: readonly string[];
  };
}

interface OcsfType {
  readonly base?: string;
  readonly regex?: string;
  readonly max_len?: number;
  readonly range?: readonly [number, number];
  readonly values?: readonly unknown[];
}

interface OcsfSubset {
  readonly version: string;
  readonly class: OcsfContainer & {
    readonly uid: number;
    readonly category_uid: number;
  };
  readonly objects: Readonly<Record<string, OcsfContainer>>;
  readonly types: Readonly<Record<string, OcsfType>>;
}

/** The generated subset of OCSF 1.1.0 for class 4001. */
const OCSF_SUBSET: OcsfSubset = JSON.parse(
  readFileSync(
    join(import.meta.dirname, 'ocsf-1.1.0-network-activity.json'),
    'utf8'
  )
);

const INT32: readonly [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const INT64: readonly [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const OTHER = '99';

/**
 * JSON.parse that keeps integers past 2^53 exact as bigint (the reviver's
 * `context.source`, Node >= 21), so 64-bit ranges are checked digit for
 * digit.
 */
function parseOutputLine(text: string): Json {
  // The reviver is slow; only lines with a 16-digit run can need it.
  if (!/\d{16}/.test(text)) return JSON.parse(text) as Json;
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    /^-?\d+$/.test(context.source)
      ? BigInt(context.source)
      : value
  ) as Json;
}

function isPlainObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const chains = new WeakMap<OcsfSubset, Map<string, OcsfType[]>>();
const regexes = new Map<string, RegExp>();

/** A type's pattern, compiled once. */
function regexOf(source: string): RegExp {
  let regex = regexes.get(source);
  if (regex === undefined) {
    regex = new RegExp(source);
    regexes.set(source, regex);
  }
  return regex;
}

/** The chain of a named type down to its primitive, most specific first. */
function typeChain(name: string, schema: OcsfSubset): OcsfType[] {
  let cache = chains.get(schema);
  if (cache === undefined) {
    cache = new Map();
    chains.set(schema, cache);
  }
  let chain = cache.get(name);
  if (chain === undefined) {
    chain = buildChain(name, schema);
    cache.set(name, chain);
  }
  return chain;
}

function buildChain(name: string, schema: OcsfSubset): OcsfType[] {
  const chain: OcsfType[] = [];
  let current: string | undefined = name;
  while (current !== undefined) {
    const type: OcsfType | undefined = schema.types[current];
    if (type === undefined) break;
    chain.push({ ...type, base: current });
    current = type.base === current ? undefined : type.base;
    if (current !== undefined && schema.types[current] === undefined) break;
  }
  return chain;
}

function toBig(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) {
    return BigInt(value);
  }
  return undefined;
}

/** Errors of one scalar against a named OCSF type. */
function scalarErrors(
  value: unknown,
  typeName: string,
  path: string,
  schema: OcsfSubset
): string[] {
  const chain = typeChain(typeName, schema);
  const primitive = chain.at(-1)?.base ?? typeName;
  const errors: string[] = [];
  const fail = (what: string) =>
    errors.push(`${path}: ${JSON.stringify(String(value))} ${what}`);
  switch (primitive) {
    case 'string_t':
      if (typeof value !== 'string') return [`${path}: not a string`];
      break;
    case 'integer_t':
    case 'long_t': {
      const n = toBig(value);
      const [min, max] = primitive === 'integer_t' ? INT32 : INT64;
      if (n === undefined) return [`${path}: not an integer`];
      if (n < min || n > max) fail(`is outside ${primitive}`);
      break;
    }
    case 'float_t':
      if (typeof value !== 'number') return [`${path}: not a number`];
      break;
    case 'boolean_t':
      if (typeof value !== 'boolean') return [`${path}: not a boolean`];
      break;
    case 'json_t':
      return [];
    default:
      return [`${path}: unknown type ${typeName}`];
  }
  for (const type of chain) {
    if (type.max_len !== undefined && String(value).length > type.max_len) {
      fail(`is longer than ${type.max_len} (${type.base})`);
    }
    if (type.regex !== undefined && !regexOf(type.regex).test(`${value}`)) {
      fail(`does not match ${type.base}`);
    }
    if (type.range !== undefined) {
      const n = toBig(value) ?? 0n;
      if (n < BigInt(type.range[0]) || n > BigInt(type.range[1])) {
        fail(`is outside ${type.base} ${type.range.join('-')}`);
      }
    }
  }
  return errors;
}

/** Errors of one attribute value (array or not, object or scalar). */
function valueErrors(
  value: unknown,
  attr: OcsfAttribute,
  path: string,
  profiles: ReadonlySet<string>,
  schema: OcsfSubset
): string[] {
  if (attr.is_array === true) {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    return value.flatMap((item, i) =>
      valueErrors(
        item,
        { ...attr, is_array: false },
        `${path}[${i}]`,
        profiles,
        schema
      )
    );
  }
  if (Array.isArray(value)) return [`${path}: an array, expected one value`];
  const object = schema.objects[attr.type];
  if (object !== undefined) {
    if (!isPlainObject(value)) return [`${path}: not an object`];
    return containerErrors(value, object, path, profiles, schema);
  }
  if (attr.type === 'object') {
    return isPlainObject(value) ? [] : [`${path}: not an object`];
  }
  return scalarErrors(value, attr.type, path, schema);
}

/** Errors of an event or object against its attributes and constraints. */
function containerErrors(
  value: Json,
  container: OcsfContainer,
  path: string,
  profiles: ReadonlySet<string>,
  schema: OcsfSubset
): string[] {
  const errors: string[] = [];
  const at = (name: string) => (path === '' ? name : `${path}.${name}`);
  for (const [name, member] of Object.entries(value)) {
    const attr = container.attributes[name];
    if (attr === undefined) {
      errors.push(`${at(name)}: not an attribute of ${path || 'the class'}`);
      continue;
    }
    errors.push(...valueErrors(member, attr, at(name), profiles, schema));
    if (attr.enum !== undefined && !Array.isArray(member)) {
      const id = String(member);
      const caption = attr.enum[id];
      if (caption === undefined) {
        errors.push(`${at(name)}: ${id} is not one of its enum values`);
      } else if (
        attr.sibling !== undefined &&
        id !== OTHER &&
        value[attr.sibling] !== undefined &&
        value[attr.sibling] !== caption
      ) {
        errors.push(
          `${at(attr.sibling)}: '${value[attr.sibling]}' is not the caption of ${name} ${id} ('${caption}')`
        );
      }
    }
  }
  for (const [name, attr] of Object.entries(container.attributes)) {
    const applies = attr.profile === undefined || profiles.has(attr.profile);
    if (attr.requirement === 'required' && applies && !(name in value)) {
      errors.push(`${at(name)}: required, missing`);
    }
  }
  const { at_least_one: atLeastOne, just_one: justOne } =
    container.constraints ?? {};
  if (atLeastOne !== undefined && !atLeastOne.some((n) => n in value)) {
    errors.push(`${path}: needs at least one of ${atLeastOne.join(', ')}`);
  }
  if (justOne !== undefined) {
    const count = justOne.filter((n) => n in value).length;
    if (count !== 1)
      errors.push(`${path}: needs just one of ${justOne.join(', ')}`);
  }
  return errors;
}

const profileSets = new WeakMap<OcsfSubset, ReadonlySet<string>>();

/** The profiles any attribute of the subset belongs to. */
function profilesOf(schema: OcsfSubset): ReadonlySet<string> {
  let known = profileSets.get(schema);
  if (known === undefined) {
    known = new Set(
      [schema.class, ...Object.values(schema.objects)].flatMap((c) =>
        Object.values(c.attributes).flatMap((a) => a.profile ?? [])
      )
    );
    profileSets.set(schema, known);
  }
  return known;
}

/**
 * Every schema error of one OCSF event, as `path: problem` strings; empty
 * when the event is a valid OCSF 1.1.0 Network Activity event.
 */
function ocsfErrors(event: Json, schema: OcsfSubset = OCSF_SUBSET): string[] {
  const metadata = isPlainObject(event.metadata) ? event.metadata : {};
  const listed = Array.isArray(metadata.profiles) ? metadata.profiles : [];
  const profiles = new Set(listed.map(String));
  const errors = containerErrors(event, schema.class, '', profiles, schema);
  const known = profilesOf(schema);
  for (const profile of profiles) {
    if (!known.has(profile))
      errors.push(`metadata.profiles: unknown '${profile}'`);
  }
  if (metadata.version !== schema.version) {
    errors.push(
      `metadata.version: '${metadata.version}', expected '${schema.version}'`
    );
  }
  if (event.class_uid !== schema.class.uid) {
    errors.push(`class_uid: ${event.class_uid}, expected ${schema.class.uid}`);
  }
  if (event.category_uid !== schema.class.category_uid) {
    errors.push(
      `category_uid: ${event.category_uid}, expected ${schema.class.category_uid}`
    );
  }
  const expectedType = schema.class.uid * 100 + Number(event.activity_id);
  if (event.type_uid !== expectedType) {
    errors.push(`type_uid: ${event.type_uid}, expected ${expectedType}`);
  }
  return errors;
}

interface EcsField {
  readonly type: string;
  readonly normalize: readonly string[];
  readonly allowed_values?: ReadonlyArray<{
    readonly name: string;
    readonly expected_event_types?: readonly string[];
  }>;
}

const ECS_FIELDS = EcsFlat as unknown as Readonly<Record<string, EcsField>>;

/** RFC 3339 date-time, as ECS `date` fields hold it. */
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Leaves of a document by dotted path; arrays of scalars are leaves. */
function leaves(value: Json, prefix = ''): Array<[string, unknown]> {
  return Object.entries(value).flatMap(([key, member]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return isPlainObject(member) && !(path in ECS_FIELDS)
      ? leaves(member, path)
      : [[path, member] as [string, unknown]];
  });
}

function ecsValueErrors(
  value: unknown,
  field: EcsField,
  path: string
): string[] {
  switch (field.type) {
    case 'keyword':
    case 'constant_keyword':
    case 'wildcard':
    case 'match_only_text':
      return typeof value === 'string' ? [] : [`${path}: not a string`];
    case 'long': {
      const n = toBig(value);
      if (n === undefined) return [`${path}: not an integer`];
      return n < INT64[0] || n > INT64[1] ? [`${path}: outside long`] : [];
    }
    case 'ip':
      return typeof value === 'string' && isIP(value) !== 0
        ? []
        : [`${path}: ${JSON.stringify(value)} is not an IP address`];
    case 'date':
      return typeof value === 'string' && RFC3339.test(value)
        ? []
        : [`${path}: ${JSON.stringify(value)} is not an RFC 3339 date`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: not a boolean`];
    case 'float':
    case 'scaled_float':
      return typeof value === 'number' ? [] : [`${path}: not a number`];
    default:
      return [`${path}: ECS type ${field.type} is not checked here`];
  }
}

/**
 * Every ECS error of one document: unknown fields (outside `aws.*`), wrong
 * types, non-arrays for array fields, values outside allowed values.
 */
function ecsErrors(document: Json): string[] {
  const errors: string[] = [];
  const categories = new Set<string>();
  for (const [path, value] of leaves(document)) {
    if (path === 'aws' || path.startsWith('aws.')) continue;
    const field = ECS_FIELDS[path];
    if (field === undefined) {
      errors.push(`${path}: not an ECS 8.11 field`);
      continue;
    }
    const isArrayField = field.normalize.includes('array');
    if (Array.isArray(value) !== isArrayField) {
      errors.push(
        `${path}: ${isArrayField ? 'expected an array' : 'an array'}`
      );
      continue;
    }
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of values) {
      errors.push(...ecsValueErrors(item, field, path));
      if (
        field.allowed_values !== undefined &&
        !field.allowed_values.some((a) => a.name === item)
      ) {
        errors.push(`${path}: '${item}' is not an allowed value`);
      }
      if (path === 'event.category') categories.add(String(item));
    }
  }
  const types = document.event;
  if (isPlainObject(types) && Array.isArray(types.type)) {
    const allowed = ECS_FIELDS['event.category']!.allowed_values!;
    for (const category of categories) {
      const expected = allowed.find((a) => a.name === category);
      for (const type of types.type) {
        if (!expected?.expected_event_types?.includes(String(type))) {
          errors.push(
            `event.type: '${type}' is not expected for category '${category}'`
          );
        }
      }
    }
  }
  return errors;
}

/** Attribute paths of an OCSF event, `unmapped` and arrays as one path. */
function ocsfPaths(value: Json, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, member]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return isPlainObject(member) && path !== 'unmapped'
      ? ocsfPaths(member, path)
      : [path];
  });
}

const WRITER_PATHS = new Set(OCSF_ATTRIBUTES.map((a) => a.path));

/**
 * Asserts that every output line of an OUTPUT_FORMAT is valid: OCSF lines
 * against OCSF 1.1.0 class 4001, ECS lines against ECS 8.11; JSON lines
 * are only parsed.
 *
 * @param output newline-separated output lines (a final `\n` is allowed)
 */
function expectValidOutput(
  format: string,
  output: string | readonly string[]
): void {
  const lines =
    typeof output === 'string'
      ? output.split('\n').filter((line) => line.length > 0)
      : output;
  const problems: string[] = [];
  lines.forEach((text, index) => {
    const record = parseOutputLine(text);
    const errors =
      format === 'ocsf'
        ? [
            ...ocsfErrors(record),
            ...ocsfPaths(record)
              .filter((p) => !WRITER_PATHS.has(p))
              .map((p) => `${p}: not in OCSF_ATTRIBUTES`),
          ]
        : format === 'ecs'
          ? ecsErrors(record)
          : [];
    if (errors.length > 0 && problems.length < 5) {
      problems.push(
        `${format} line ${index + 1}: ${errors.join('; ')}: ${text}`
      );
    }
  });
  expect(problems).toEqual([]);
}

export type { OcsfSubset };
export {
  ecsErrors,
  expectValidOutput,
  OCSF_SUBSET,
  ocsfErrors,
  parseOutputLine,
};
