/**
 * The one table of settings (functions/flow-log-processor/settings.ts)
 * against what the function's code reads, template.yaml's parameters and
 * environment, and docs/configuration.md: none of them may drift from it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/flow-log-processor/config.ts';
import {
  SETTING_NAMES,
  SETTINGS,
  type Setting,
  type SettingName,
} from '../../functions/flow-log-processor/settings.ts';
import {
  CONFIGURATION_DOC,
  renderSettingsTable,
  withTable,
} from '../../scripts/settings-doc.ts';
import { evaluateTemplate, parameterViolations } from './helpers/intrinsics.ts';
import {
  functionEnvironment,
  RUNTIME_VARIABLES,
  variablesTheFunctionReads,
} from './helpers/settings.ts';
import {
  type CfnParameter,
  type CfnTemplate,
  loadTemplate,
  MAIN_TEMPLATE,
  REPO_ROOT,
  readRepoFile,
} from './helpers/template.ts';

/**
 * Parameters a setting's parameter needs to reach the function: the
 * partition keys are passed only when partitioning is on.
 */
const PREREQUISITES: Partial<Record<SettingName, Record<string, string>>> = {
  PARTITION_KEYS: { EnableDynamicPartitioning: 'true' },
};

/** A value of each parameter-backed setting that is not its default. */
const SAMPLE_VALUES: Partial<Record<SettingName, string>> = {
  FLOW_LOG_FORMAT: '${version} ${account-id} ${srcaddr} ${start}',
  OUTPUT_FORMAT: 'ocsf',
  FILTER: 'dstport = 22',
  ENRICH: 'protocol,time',
  INTERNAL_CIDRS: '10.0.0.0/8',
  COMMUNITY_ID_SEED: '7',
  IP_RANGES_S3_URI: 's3://example-bucket/ip-ranges.json',
  ENI_CACHE_TTL_SECONDS: '60',
  ENI_CACHE_MAX_ENTRIES: '500',
  PARTITION_KEYS: 'account_id,year',
  RESPONSE_BUDGET_BYTES: '5000000',
  REINGEST: 'false',
  MAX_DECOMPRESSED_BYTES: '4096',
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
};

function template(): CfnTemplate {
  return loadTemplate(MAIN_TEMPLATE);
}

function parameterOf(t: CfnTemplate, name: SettingName): CfnParameter {
  const { stack } = SETTINGS[name] as Setting;
  if ('fixed' in stack) throw new Error(`${name} has no parameter`);
  const parameter = t.Parameters?.[stack.parameter];
  if (!parameter) throw new Error(`no parameter ${stack.parameter}`);
  return parameter;
}

/** The default as the template writes it. */
function defaultText(setting: Setting): string {
  const { stack } = setting;
  if (!('fixed' in stack) && stack.parameterDefault !== undefined) {
    return stack.parameterDefault;
  }
  switch (setting.kind) {
    case 'list':
      return setting.default.join(',');
    case 'text':
      return setting.default ?? '';
    default:
      return String(setting.default);
  }
}

/** The constraints a parameter should declare for a setting. */
function expectedConstraints(setting: Setting): Partial<CfnParameter> {
  const pattern = 'fixed' in setting.stack ? undefined : setting.stack.pattern;
  switch (setting.kind) {
    case 'integer':
      return {
        Type: 'Number',
        MinValue: setting.min,
        MaxValue: setting.max,
      };
    case 'boolean':
      return { Type: 'String', AllowedValues: ['true', 'false'] };
    case 'choice':
      return { Type: 'String', AllowedValues: [...setting.values] };
    case 'list':
      return { Type: 'String', AllowedPattern: pattern };
    case 'text':
      return {
        Type: 'String',
        MaxLength: setting.maxLength,
        AllowedPattern: pattern ?? setting.pattern,
      };
  }
}

function constraintsOf(parameter: CfnParameter): Partial<CfnParameter> {
  return {
    Type: parameter.Type,
    ...(parameter.MinValue === undefined
      ? {}
      : { MinValue: parameter.MinValue }),
    ...(parameter.MaxValue === undefined
      ? {}
      : { MaxValue: parameter.MaxValue }),
    ...(parameter.AllowedValues === undefined
      ? {}
      : { AllowedValues: parameter.AllowedValues.map(String) }),
    AllowedPattern: parameter.AllowedPattern,
    ...(parameter.MaxLength === undefined
      ? {}
      : { MaxLength: parameter.MaxLength }),
  };
}

function withoutUndefined(value: object): object {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined)
  );
}

/** Every .ts file under a repository folder. */
function sources(folder: string): string[] {
  const root = join(REPO_ROOT, folder);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(root, file));
}

const PARAMETER_SETTINGS = SETTING_NAMES.filter(
  (name) => !('fixed' in (SETTINGS[name] as Setting).stack)
);
const FIXED_SETTINGS = SETTING_NAMES.filter(
  (name) => 'fixed' in (SETTINGS[name] as Setting).stack
);

describe('the variables the function reads', () => {
  it('are exactly the settings of the table, read through it', () => {
    // Act
    const read = variablesTheFunctionReads();

    // Assess
    expect([...read].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it('are read nowhere but in the configuration loader', () => {
    // Prepare
    const allowed = new Set([
      'functions/flow-log-processor/config.ts',
      'functions/flow-log-processor/settings.ts',
    ]);

    // Act: the function's code and the core it bundles (the backfill
    // worker, another function, reads its own variables besides these).
    const readers = [
      ...sources('functions/flow-log-processor'),
      ...sources('shared'),
    ]
      .map((path) => ({
        file: relative(REPO_ROOT, path),
        text: readFileSync(path, 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\*|\/\/)/.test(line))
          .join('\n'),
      }))
      .filter(({ file }) => !allowed.has(file))
      .filter(({ text }) =>
        /process\.env(?!\))|process\[['"]env|\benv\.[A-Z]/.test(
          text
            .replaceAll('loadConfig(process.env)', '')
            // The Logger and Metrics are built when their module loads,
            // before the loader runs, and Powertools lets a serviceName
            // option win over its own variable: the one read outside the
            // loader, of a value the loader validates at the same cold start.
            .replaceAll('process.env.POWERTOOLS_SERVICE_NAME ||', '')
        )
      )
      .map(({ file }) => file);

    // Assess
    expect(readers).toEqual([]);
  });

  it('are the function environment of the stack, plus the runtime flags', () => {
    // Prepare
    const result = evaluateTemplate(template());

    // Act
    const names = Object.keys(functionEnvironment(result)).sort();

    // Assess
    expect(names).toEqual(
      [...variablesTheFunctionReads(), ...RUNTIME_VARIABLES].sort()
    );
  });
});

describe('the stack parameters', () => {
  it.each(PARAMETER_SETTINGS)(
    'of %s declare the table’s type, limits and default',
    (name) => {
      // Prepare
      const setting = SETTINGS[name] as Setting;
      const parameter = parameterOf(template(), name);

      // Act
      const declared = withoutUndefined(constraintsOf(parameter));

      // Assess
      expect(declared).toEqual(withoutUndefined(expectedConstraints(setting)));
      expect(String(parameter.Default)).toBe(defaultText(setting));
    }
  );

  it.each(PARAMETER_SETTINGS)(
    'of %s reach the function as the variable',
    (name) => {
      // Prepare
      const setting = SETTINGS[name] as Setting;
      const parameterName = (setting.stack as { parameter: string }).parameter;
      const value = SAMPLE_VALUES[name];
      if (value === undefined) throw new Error(`no sample value for ${name}`);

      // Act
      const env = functionEnvironment(
        evaluateTemplate(template(), {
          ...PREREQUISITES[name],
          [parameterName]: value,
        })
      );

      // Assess
      expect(env[name]).toBe(value);
    }
  );

  it.each(FIXED_SETTINGS)('fix %s to the value the table names', (name) => {
    // Prepare
    const { stack } = SETTINGS[name] as Setting;

    // Act
    const env = functionEnvironment(evaluateTemplate(template()));

    // Assess
    expect(env[name]).toBe((stack as { fixed: string }).fixed);
  });

  it('give the function its own defaults when left at theirs', () => {
    // Prepare
    const env = functionEnvironment(evaluateTemplate(template()));

    // Act
    const deployed = loadConfig(env as Record<string, string>);

    // Assess
    expect(deployed).toEqual(loadConfig({}));
  });

  it.each(
    PARAMETER_SETTINGS.filter((name) => SETTINGS[name].kind === 'integer')
  )('of %s accept only what the function accepts', (name) => {
    // Prepare
    const setting = SETTINGS[name] as Setting & { min: number; max: number };
    const parameter = parameterOf(template(), name);
    const inside = [setting.min, setting.max].map(String);
    const outside = [setting.min - 1, setting.max + 1].map(String);

    // Act
    const accepted = inside.filter(
      (value) => parameterViolations(name, parameter, value).length === 0
    );
    const refused = outside.filter(
      (value) => parameterViolations(name, parameter, value).length > 0
    );

    // Assess
    expect(accepted).toEqual(inside);
    expect(refused).toEqual(outside);
    for (const value of inside) {
      expect(() => loadConfig({ [name]: value })).not.toThrow();
    }
    for (const value of outside) {
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    }
  });
});

describe(CONFIGURATION_DOC, () => {
  it('holds the table generated from settings.ts (npm run docs:settings)', () => {
    // Prepare
    const doc = readRepoFile(CONFIGURATION_DOC);

    // Act
    const regenerated = withTable(doc, renderSettingsTable());

    // Assess
    expect(doc).toBe(regenerated);
  });
});
