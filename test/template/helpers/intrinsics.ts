/**
 * A small CloudFormation intrinsic evaluator for offline tests: given
 * parameter values it evaluates Conditions and Rules, drops resources whose
 * Condition is false, and turns every property into a concrete value.
 * References to resources become placeholders (`{{Ref:Bucket}}`,
 * `{{GetAtt:Bucket.Arn}}`) so that string checks still work.
 */
import {
  type CfnParameter,
  type CfnResource,
  type CfnTemplate,
  isObject,
  type Json,
  type JsonObject,
} from './template.ts';

/** Values of the pseudo parameters in every evaluation. */
const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'us-east-1',
  'AWS::Partition': 'aws',
  'AWS::StackName': 'flowlogs-test',
  'AWS::StackId':
    'arn:aws:cloudformation:us-east-1:123456789012:stack/flowlogs-test/1b2c3d4e-0000-0000-0000-000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Pseudo parameters CloudFormation defines (AWS::NoValue included). */
const PSEUDO_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(PSEUDO_PARAMETERS),
  'AWS::NoValue',
  'AWS::NotificationARNs',
]);

/** Marks a value removed by `!Ref AWS::NoValue`. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Evaluation result before NoValue removal. */
type Value = Json | typeof NO_VALUE;

/** What an evaluation needs: parameter values and evaluated conditions. */
interface Context {
  readonly template: CfnTemplate;
  readonly parameters: Readonly<Record<string, string>>;
  readonly conditions: Readonly<Record<string, boolean>>;
}

/** A template after evaluation for one set of parameter values. */
interface Evaluated {
  readonly context: Context;
  /** Resources whose Condition holds, with every property evaluated. */
  readonly resources: Record<string, CfnResource>;
  /** Outputs whose Condition holds, evaluated. */
  readonly outputs: Record<string, Json>;
  /** SAM Globals, evaluated. */
  readonly globals: Record<string, JsonObject>;
}

/**
 * Parameter values: each default, replaced by `overrides`. Throws on an
 * unknown override or a parameter with neither.
 *
 * @example parameterValues(template, { Reingest: 'false' })
 */
function parameterValues(
  template: CfnTemplate,
  overrides: Readonly<Record<string, string>>
): Record<string, string> {
  const declared = template.Parameters ?? {};
  for (const name of Object.keys(overrides)) {
    if (!declared[name]) throw new Error(`unknown parameter ${name}`);
  }
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(declared)) {
    const value = overrides[name] ?? parameter.Default;
    if (value === undefined) {
      throw new Error(`parameter ${name} has no default and no value`);
    }
    values[name] = String(value);
  }
  return values;
}

/**
 * Messages for each way `value` breaks the parameter's constraints.
 *
 * @example parameterViolations('Bad', { Type: 'Number' }, 'x') // ['Bad: …']
 */
function parameterViolations(
  name: string,
  parameter: CfnParameter,
  value: string
): string[] {
  const problems: string[] = [];
  const allowed = parameter.AllowedValues?.map(String);
  if (allowed && !allowed.includes(value)) {
    problems.push(`${name}: ${value} not in ${allowed.join('|')}`);
  }
  const pattern = parameter.AllowedPattern;
  if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`).test(value)) {
    problems.push(`${name}: ${value} does not match ${pattern}`);
  }
  if (parameter.MaxLength !== undefined && value.length > parameter.MaxLength) {
    problems.push(`${name}: longer than ${parameter.MaxLength}`);
  }
  if (parameter.MinLength !== undefined && value.length < parameter.MinLength) {
    problems.push(`${name}: shorter than ${parameter.MinLength}`);
  }
  if (parameter.Type === 'Number') {
    problems.push(...numberViolations(name, parameter, value));
  }
  return problems;
}

/**
 * Messages for a Number parameter value outside its type or range.
 *
 * @example numberViolations('N', { Type: 'Number', MaxValue: 3 }, '4')
 */
function numberViolations(
  name: string,
  parameter: CfnParameter,
  value: string
): string[] {
  const number = Number(value);
  if (value.trim() === '' || Number.isNaN(number)) {
    return [`${name}: ${value} is not a number`];
  }
  const problems: string[] = [];
  if (parameter.MinValue !== undefined && number < parameter.MinValue) {
    problems.push(`${name}: ${value} < MinValue ${parameter.MinValue}`);
  }
  if (parameter.MaxValue !== undefined && number > parameter.MaxValue) {
    problems.push(`${name}: ${value} > MaxValue ${parameter.MaxValue}`);
  }
  return problems;
}

/**
 * Evaluates every condition of the template for the given parameters.
 *
 * @example evaluateConditions(template, parameterValues(template, {}))
 */
function evaluateConditions(
  template: CfnTemplate,
  parameters: Readonly<Record<string, string>>
): Record<string, boolean> {
  const definitions = template.Conditions ?? {};
  const results: Record<string, boolean> = {};
  const pending = new Set<string>();
  const lookup = (name: string): boolean => {
    const known = results[name];
    if (known !== undefined) return known;
    const definition = definitions[name];
    if (definition === undefined) throw new Error(`no condition ${name}`);
    if (pending.has(name)) throw new Error(`condition cycle at ${name}`);
    pending.add(name);
    const context = { template, parameters, conditions: results };
    const result = evaluateWith(definition, context, lookup);
    if (typeof result !== 'boolean') {
      throw new Error(`condition ${name} is not boolean`);
    }
    pending.delete(name);
    results[name] = result;
    return result;
  };
  for (const name of Object.keys(definitions)) lookup(name);
  return results;
}

/**
 * Evaluates an expression to a concrete value (NoValue removed).
 *
 * @example evaluate({ 'Fn::Sub': '${AWS::Region}' }, context) // 'us-east-1'
 */
function evaluate(expression: Json, context: Context): Json {
  const value = evaluateWith(expression, context, (name) => {
    const known = context.conditions[name];
    if (known === undefined) throw new Error(`no condition ${name}`);
    return known;
  });
  if (value === NO_VALUE) throw new Error('AWS::NoValue at top level');
  return value;
}

/** Evaluation with a condition lookup (used while conditions resolve). */
function evaluateWith(
  expression: Json,
  context: Context,
  condition: (name: string) => boolean
): Value {
  const recurse = (inner: Json): Value =>
    evaluateWith(inner, context, condition);
  if (Array.isArray(expression)) {
    return expression.map(recurse).filter((item) => item !== NO_VALUE);
  }
  if (!isObject(expression)) return expression;
  const keys = Object.keys(expression);
  if (keys.length === 1) {
    const key = keys[0]!;
    const argument = expression[key]!;
    if (key === 'Ref') return evaluateRef(String(argument), context);
    if (key === 'Condition') return condition(String(argument));
    if (key.startsWith('Fn::')) {
      return evaluateFunction(key, argument, context, recurse, condition);
    }
  }
  const result: JsonObject = {};
  for (const [key, inner] of Object.entries(expression)) {
    const value = recurse(inner);
    if (value !== NO_VALUE) result[key] = value;
  }
  return result;
}

/** Value of `{ Ref: name }`: parameter, pseudo parameter or placeholder. */
function evaluateRef(name: string, context: Context): Value {
  if (name === 'AWS::NoValue') return NO_VALUE;
  const parameter = context.parameters[name];
  if (parameter !== undefined) {
    const type = context.template.Parameters?.[name]?.Type ?? '';
    return type.startsWith('List<') || type === 'CommaDelimitedList'
      ? parameter.split(',')
      : parameter;
  }
  const pseudo = PSEUDO_PARAMETERS[name];
  if (pseudo !== undefined) return pseudo;
  if (context.template.Resources[name]) return `{{Ref:${name}}}`;
  throw new Error(`Ref to unknown ${name}`);
}

/** Evaluates one `Fn::` function. */
function evaluateFunction(
  name: string,
  argument: Json,
  context: Context,
  recurse: (inner: Json) => Value,
  condition: (name: string) => boolean
): Value {
  const args = Array.isArray(argument) ? argument : [argument];
  switch (name) {
    case 'Fn::If': {
      const [test, whenTrue, whenFalse] = args;
      return recurse(condition(String(test)) ? whenTrue! : whenFalse!);
    }
    case 'Fn::Equals':
      return stringOf(recurse(args[0]!)) === stringOf(recurse(args[1]!));
    case 'Fn::Not':
      return !booleanOf(recurse(args[0]!));
    case 'Fn::And':
      return args.every((item) => booleanOf(recurse(item)));
    case 'Fn::Or':
      return args.some((item) => booleanOf(recurse(item)));
    case 'Fn::Contains':
      return listOf(recurse(args[0]!)).includes(stringOf(recurse(args[1]!)));
    case 'Fn::GetAtt':
      return `{{GetAtt:${getAttTarget(argument).join('.')}}}`;
    default:
      return evaluateStringFunction(name, args, context, recurse);
  }
}

/** Evaluates the string and list functions. */
function evaluateStringFunction(
  name: string,
  args: Json[],
  context: Context,
  recurse: (inner: Json) => Value
): Value {
  switch (name) {
    case 'Fn::Sub':
      return substitute(args, context, recurse);
    case 'Fn::Join':
      return listOf(recurse(args[1]!)).join(stringOf(args[0]!));
    case 'Fn::Split':
      return stringOf(recurse(args[1]!)).split(stringOf(args[0]!));
    case 'Fn::Select': {
      const list = listOf(recurse(args[1]!));
      const index = Number(stringOf(recurse(args[0]!)));
      if (!(index >= 0 && index < list.length)) {
        throw new Error(`Fn::Select index ${index} out of ${list.length}`);
      }
      return list[index]!;
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = args.map((item) => stringOf(recurse(item)));
      const value = context.template.Mappings?.[map!]?.[top!]?.[second!];
      if (value === undefined) throw new Error(`no mapping ${args.join('.')}`);
      return value;
    }
    default:
      throw new Error(`unsupported intrinsic ${name}`);
  }
}

/** `Fn::Sub` with `${Param}`, `${AWS::…}`, `${Res}`, `${Res.Attr}`, `${!x}`. */
function substitute(
  args: Json[],
  context: Context,
  recurse: (inner: Json) => Value
): string {
  const text = stringOf(args[0]!);
  const variables = isObject(args[1]) ? args[1] : {};
  return text.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const local = variables[inner];
    if (local !== undefined) return stringOf(recurse(local));
    if (inner.includes('.') && !inner.startsWith('AWS::')) {
      return `{{GetAtt:${inner}}}`;
    }
    return stringOf(evaluateRef(inner, context));
  });
}

/**
 * `[resource, attribute]` of a `Fn::GetAtt` argument (list or dotted string).
 *
 * @example getAttTarget('Bucket.Arn') // ['Bucket', 'Arn']
 */
function getAttTarget(argument: Json): [string, string] {
  if (Array.isArray(argument)) {
    return [String(argument[0]), String(argument[1])];
  }
  const text = String(argument);
  const dot = text.indexOf('.');
  return [text.slice(0, dot), text.slice(dot + 1)];
}

function stringOf(value: Value): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  throw new Error(`expected a string, got ${JSON.stringify(value)}`);
}

function booleanOf(value: Value): boolean {
  if (typeof value !== 'boolean') throw new Error('expected a boolean');
  return value;
}

function listOf(value: Value): string[] {
  if (!Array.isArray(value)) throw new Error('expected a list');
  return value.map(stringOf);
}

/**
 * Evaluates the template for the given parameter overrides: conditions,
 * included resources and outputs, all values concrete.
 *
 * @example const { resources } = evaluateTemplate(template, { Reingest: 'false' });
 */
function evaluateTemplate(
  template: CfnTemplate,
  overrides: Readonly<Record<string, string>> = {}
): Evaluated {
  const parameters = parameterValues(template, overrides);
  const conditions = evaluateConditions(template, parameters);
  const context: Context = { template, parameters, conditions };
  const included = (name: string | undefined): boolean =>
    name === undefined || conditions[name] === true;
  const resources: Record<string, CfnResource> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!included(resource.Condition)) continue;
    resources[id] = evaluate(resource as Json, context) as CfnResource;
  }
  const outputs: Record<string, Json> = {};
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    if (included(output.Condition))
      outputs[id] = evaluate(output.Value, context);
  }
  const globals = evaluate((template.Globals ?? {}) as Json, context) as Record<
    string,
    JsonObject
  >;
  return { context, resources, outputs, globals };
}

/**
 * Descriptions of the template Rules the parameter values break.
 *
 * @example ruleViolations(template, { FlowLogResourceType: 'TransitGateway' })
 */
function ruleViolations(
  template: CfnTemplate,
  overrides: Readonly<Record<string, string>> = {}
): string[] {
  const parameters = parameterValues(template, overrides);
  const context: Context = { template, parameters, conditions: {} };
  const broken: string[] = [];
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    const applies =
      rule.RuleCondition === undefined ||
      evaluate(rule.RuleCondition, context) === true;
    if (!applies) continue;
    for (const assertion of rule.Assertions) {
      if (evaluate(assertion.Assert, context) !== true) {
        broken.push(`${name}: ${assertion.AssertDescription ?? 'failed'}`);
      }
    }
  }
  return broken;
}

export type { Context, Evaluated };
export {
  evaluate,
  evaluateConditions,
  evaluateTemplate,
  getAttTarget,
  PSEUDO_NAMES,
  PSEUDO_PARAMETERS,
  parameterValues,
  parameterViolations,
  ruleViolations,
};
