#!/usr/bin/env node
// Generates test/schemas/ocsf-1.1.0-network-activity.json: the part of the
// OCSF 1.1.0 schema that a Network Activity (class 4001) event can hold,
// resolved and compact, so the OCSF validator of the test suite works in a
// fresh clone without the schema source.
//
// Usage: node scripts/gen-ocsf-schema.mjs [SCHEMA_DIR] [OUT_FILE]
//   SCHEMA_DIR  the ocsf/ocsf-schema source at tag v1.1.0
//               (default: ../shared/schemas/ocsf-1.1.0 beside the clone)
//   OUT_FILE    default: test/schemas/ocsf-1.1.0-network-activity.json
//
// Resolution follows the OCSF schema rules: a class `extends` its parent
// (network_activity → network → base_event), `$include` pulls in includes
// and profiles (a profile's attributes carry the profile name), an
// attribute's definition is the dictionary entry deep-merged with the
// class's or object's own (so enum values add up), `types` in the dictionary
// name each base type. Objects are every object reachable from the class,
// resolved the same way. Descriptions are dropped; enum captions are kept
// (the validator checks each `*_id` sibling caption).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SCHEMA_DIR = resolve(ROOT, '../shared/schemas/ocsf-1.1.0');
const DEFAULT_OUT = join(ROOT, 'test/schemas/ocsf-1.1.0-network-activity.json');

/** The class chain of Network Activity, most general first. */
const CLASS_FILES = [
  'events/base_event.json',
  'events/network/network.json',
  'events/network/network_activity.json',
];

/** Keys of an attribute definition the validator reads. */
const KEPT_KEYS = ['type', 'is_array', 'requirement', 'enum', 'sibling'];

function readJson(dir, path) {
  return JSON.parse(readFileSync(join(dir, path), 'utf8'));
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** OCSF's deep merge: objects merge key by key, anything else is replaced. */
function deepMerge(base, over) {
  if (!isObject(base) || !isObject(over)) return over;
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = key in base ? deepMerge(base[key], value) : value;
  }
  return out;
}

/**
 * The attributes of one definition (class, object, include or profile file),
 * its `$include`s expanded; a profile's attributes are tagged with its name.
 */
function ownAttributes(dir, definition) {
  let attributes = {};
  const own = { ...(definition.attributes ?? {}) };
  const includes = own.$include ?? [];
  delete own.$include;
  for (const path of includes) {
    const included = readJson(dir, path);
    let extra = ownAttributes(dir, included);
    if (included.meta === 'profile') {
      extra = Object.fromEntries(
        Object.entries(extra).map(([name, attr]) => [
          name,
          { ...attr, profile: included.name },
        ])
      );
    }
    attributes = deepMerge(attributes, extra);
  }
  return deepMerge(attributes, own);
}

/** One attribute: the dictionary entry merged with the local definition. */
function resolveAttribute(dictionary, name, local) {
  const base = dictionary[name];
  if (base === undefined) {
    throw new Error(`attribute '${name}' is not in dictionary.json`);
  }
  const merged = deepMerge(base, local);
  const out = {};
  for (const key of KEPT_KEYS) {
    if (merged[key] !== undefined) out[key] = merged[key];
  }
  if (out.enum !== undefined) {
    out.enum = Object.fromEntries(
      Object.entries(out.enum)
        .map(([id, value]) => [id, value.caption])
        .sort(([a], [b]) => Number(a) - Number(b))
    );
  }
  if (local.profile !== undefined) out.profile = local.profile;
  out.requirement ??= 'optional';
  return out;
}

function resolveAll(dictionary, attributes) {
  return Object.fromEntries(
    Object.keys(attributes)
      .sort()
      .map((name) => [
        name,
        resolveAttribute(dictionary, name, attributes[name]),
      ])
  );
}

/** An object's attributes and constraints, its `extends` chain resolved. */
function objectDefinition(dir, objects, name) {
  const definition = objects.get(name);
  if (definition === undefined) throw new Error(`no object '${name}'`);
  let attributes = {};
  let constraints;
  if (definition.extends !== undefined && definition.extends !== 'object') {
    const parent = objectDefinition(dir, objects, definition.extends);
    attributes = parent.attributes;
    constraints = parent.constraints;
  }
  attributes = deepMerge(attributes, ownAttributes(dir, definition));
  return { attributes, constraints: definition.constraints ?? constraints };
}

/**
 * The ids the OCSF server derives for a class: class_uid and category_uid
 * take only this class's values, and type_uid is class_uid * 100 +
 * activity_id, captioned `<class>: <activity>`.
 */
function fixClassIds(attributes, caption, classUid, category) {
  attributes.class_uid.enum = { [classUid]: caption };
  attributes.category_uid.enum = { [category.uid]: category.caption };
  attributes.type_uid.enum = Object.fromEntries(
    Object.entries(attributes.activity_id.enum).map(([id, activity]) => [
      String(classUid * 100 + Number(id)),
      `${caption}: ${activity}`,
    ])
  );
}

/**
 * Builds the compact subset.
 *
 * @param {string} dir the OCSF 1.1.0 schema source directory
 * @returns {object} the subset, ready for JSON.stringify
 */
function generate(dir) {
  const dictionaryFile = readJson(dir, 'dictionary.json');
  const dictionary = dictionaryFile.attributes;
  const version = readJson(dir, 'version.json').version;
  const categories = readJson(dir, 'categories.json').attributes;
  const objectFiles = readObjectFiles(dir);

  let classAttributes = {};
  let constraints;
  let leaf;
  for (const path of CLASS_FILES) {
    leaf = readJson(dir, path);
    classAttributes = deepMerge(classAttributes, ownAttributes(dir, leaf));
    constraints = leaf.constraints ?? constraints;
  }
  const category = categories[leaf.category];
  const classUid = category.uid * 1000 + leaf.uid;
  const attributes = resolveAll(dictionary, classAttributes);
  fixClassIds(attributes, leaf.caption, classUid, category);

  const objects = {};
  const pending = Object.keys(classAttributes).map((n) => dictionary[n]?.type);
  while (pending.length > 0) {
    const type = pending.pop();
    // `object` is the free-form root type (`unmapped`), not a definition.
    if (type === undefined || type === 'object' || type in objects) continue;
    if (!objectFiles.has(type)) continue; // a scalar type
    const resolved = objectDefinition(dir, objectFiles, type);
    objects[type] = {
      attributes: resolveAll(dictionary, resolved.attributes),
      ...(resolved.constraints ? { constraints: resolved.constraints } : {}),
    };
    for (const name of Object.keys(resolved.attributes)) {
      pending.push(dictionary[name]?.type);
    }
  }

  const types = Object.fromEntries(
    Object.entries(dictionaryFile.types.attributes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, t]) => {
        const out = {};
        if (t.type !== undefined) out.base = t.type;
        for (const key of ['regex', 'max_len', 'range', 'values']) {
          if (t[key] !== undefined) out[key] = t[key];
        }
        return [name, out];
      })
  );

  return {
    source:
      'github.com/ocsf/ocsf-schema v1.1.0 (Apache-2.0, see LICENSE and NOTICE beside this file); generated by scripts/gen-ocsf-schema.mjs',
    version,
    class: {
      name: leaf.name,
      caption: leaf.caption,
      uid: classUid,
      category_uid: category.uid,
      category_name: category.caption,
      attributes,
      ...(constraints ? { constraints } : {}),
    },
    objects: Object.fromEntries(
      Object.entries(objects).sort(([a], [b]) => a.localeCompare(b))
    ),
    types,
  };
}

/** Every object definition by name (`objects/*.json`). */
function readObjectFiles(dir) {
  const objects = new Map();
  const names = readdirSync(join(dir, 'objects'))
    .sort()
    .filter((f) => f.endsWith('.json'));
  for (const file of names) {
    const definition = readJson(dir, join('objects', file));
    objects.set(definition.name, definition);
  }
  return objects;
}

/** The subset as text: two-space JSON and a final newline (Biome may reflow it; the test compares parsed values). */
function render(dir) {
  return `${JSON.stringify(generate(dir), null, 2)}\n`;
}

export { DEFAULT_OUT, DEFAULT_SCHEMA_DIR, generate, render };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? DEFAULT_SCHEMA_DIR);
  const out = resolve(process.argv[3] ?? DEFAULT_OUT);
  writeFileSync(out, render(dir));
  process.stdout.write(`wrote ${out}\n`);
}
