/**
 * Reference checks on a raw template (both branches of every Fn::If):
 * every Ref, Fn::GetAtt, Fn::Sub variable, Fn::FindInMap, DependsOn and
 * condition name points at something that exists, and every parameter is
 * used.
 */
import { getAttTarget, PSEUDO_NAMES } from './intrinsics.ts';
import type { SpecDatabase } from './spec.ts';
import { attributeNames } from './spec.ts';
import { type CfnTemplate, isObject, type Json } from './template.ts';

/** One dangling reference or unused declaration. */
interface RefFinding {
  /** Where it is: `Resources.X`, `Conditions.Y`, `Outputs.Z`, ... */
  readonly location: string;
  readonly message: string;
}

/** Sections whose references count as uses of a parameter. */
const USING_SECTIONS = [
  'Conditions',
  'Rules',
  'Resources',
  'Outputs',
  'Globals',
] as const;

/**
 * Every reference problem of the template; an empty list means all
 * targets exist and all parameters are used.
 *
 * @example expect(referenceFindings(template, db)).toEqual([]);
 */
function referenceFindings(
  template: CfnTemplate,
  db: SpecDatabase
): RefFinding[] {
  const findings: RefFinding[] = [];
  const used = new Set<string>();
  for (const section of USING_SECTIONS) {
    const entries = Object.entries(template[section] ?? {});
    for (const [name, entry] of entries) {
      const location = `${section}.${name}`;
      const visit = { template, db, location, findings, used, section };
      walk(entry as Json, visit);
      if (section === 'Resources' || section === 'Outputs') {
        checkEntryAttributes(entry as Json, visit);
      }
    }
  }
  for (const name of Object.keys(template.Parameters ?? {})) {
    if (!used.has(name)) {
      findings.push({
        location: `Parameters.${name}`,
        message: 'parameter is never used',
      });
    }
  }
  return findings;
}

/** State of one walk over a template entry. */
interface Visit {
  readonly template: CfnTemplate;
  readonly db: SpecDatabase;
  readonly location: string;
  readonly findings: RefFinding[];
  readonly used: Set<string>;
  readonly section: (typeof USING_SECTIONS)[number];
}

/** Checks `Condition` and `DependsOn` of a resource or output. */
function checkEntryAttributes(entry: Json, visit: Visit): void {
  if (!isObject(entry)) return;
  const condition = entry.Condition;
  if (typeof condition === 'string') checkCondition(condition, visit);
  const dependsOn = entry.DependsOn;
  const targets = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
  for (const target of targets) {
    if (target === undefined) continue;
    if (!visit.template.Resources[String(target)]) {
      report(visit, `DependsOn unknown resource ${String(target)}`);
    }
  }
}

/** Recursively checks every intrinsic under `node`. */
function walk(node: Json, visit: Visit): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!isObject(node)) return;
  const keys = Object.keys(node);
  if (keys.length === 1) {
    const key = keys[0]!;
    const argument = node[key]!;
    checkIntrinsic(key, argument, visit);
  }
  for (const inner of Object.values(node)) walk(inner, visit);
}

/** Checks the target of one intrinsic. */
function checkIntrinsic(key: string, argument: Json, visit: Visit): void {
  switch (key) {
    case 'Ref':
      checkRef(String(argument), visit);
      return;
    case 'Condition':
      if (typeof argument === 'string') checkCondition(argument, visit);
      return;
    case 'Fn::If':
      if (Array.isArray(argument)) checkCondition(String(argument[0]), visit);
      return;
    case 'Fn::GetAtt':
      checkGetAtt(...getAttTarget(argument), visit);
      return;
    case 'Fn::Sub':
      checkSub(argument, visit);
      return;
    case 'Fn::FindInMap':
      checkFindInMap(argument, visit);
      return;
    default:
      return;
  }
}

function checkRef(name: string, visit: Visit): void {
  if (visit.template.Parameters?.[name]) {
    visit.used.add(name);
    return;
  }
  if (PSEUDO_NAMES.has(name)) return;
  const inConditions = visit.section === 'Conditions';
  const inRules = visit.section === 'Rules';
  if (visit.template.Resources[name] && !inConditions && !inRules) return;
  report(visit, `Ref to unknown ${name}`);
}

function checkCondition(name: string, visit: Visit): void {
  if (visit.template.Conditions?.[name] === undefined) {
    report(visit, `unknown condition ${name}`);
  }
}

function checkGetAtt(resource: string, attribute: string, visit: Visit): void {
  const target = visit.template.Resources[resource];
  if (!target) {
    report(visit, `Fn::GetAtt on unknown resource ${resource}`);
    return;
  }
  if (!attributeNames(visit.db, target.Type).has(attribute)) {
    report(visit, `Fn::GetAtt ${resource}.${attribute}: no such attribute`);
  }
}

function checkSub(argument: Json, visit: Visit): void {
  const [text, variables] = Array.isArray(argument)
    ? [argument[0], argument[1]]
    : [argument, undefined];
  const local = isObject(variables) ? variables : {};
  for (const match of String(text).matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1]!;
    if (name.startsWith('!') || local[name] !== undefined) continue;
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      checkGetAtt(name.slice(0, dot), name.slice(dot + 1), visit);
    } else {
      checkRef(name, visit);
    }
  }
}

function checkFindInMap(argument: Json, visit: Visit): void {
  if (!Array.isArray(argument)) return;
  const [map, top, second] = argument;
  const mapping = visit.template.Mappings?.[String(map)];
  if (!mapping) {
    report(visit, `Fn::FindInMap on unknown mapping ${String(map)}`);
    return;
  }
  const keys = Object.values(mapping);
  const topKnown = typeof top !== 'string' || mapping[top] !== undefined;
  const secondKnown =
    typeof second !== 'string' ||
    keys.every((entry) => entry[second] !== undefined);
  if (!topKnown || !secondKnown) {
    report(visit, `Fn::FindInMap ${String(map)}: unknown key`);
  }
}

function report(visit: Visit, message: string): void {
  visit.findings.push({ location: visit.location, message });
}

export type { RefFinding };
export { referenceFindings };
