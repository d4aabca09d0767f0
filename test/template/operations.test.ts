/**
 * Operational options of template.yaml: KMS keys for the log groups,
 * tracing, reserved concurrency, and the reason written beside every
 * cfn-nag / checkov suppression.
 */
import { describe, expect, it } from 'vitest';
import { evaluateTemplate } from './helpers/intrinsics.ts';
import { LOG_GROUP_KEY_ARN } from './helpers/scenarios.ts';
import { policyStatements } from './helpers/security.ts';
import {
  type CfnResource,
  FUNCTION_ID,
  getPath,
  type Json,
  loadTemplate,
  MAIN_TEMPLATE,
  SOURCE_TEMPLATE,
} from './helpers/template.ts';

function resources(
  overrides: Readonly<Record<string, string>> = {}
): Record<string, CfnResource> {
  return evaluateTemplate(loadTemplate(MAIN_TEMPLATE), overrides).resources;
}

function logGroups(all: Record<string, CfnResource>): [string, CfnResource][] {
  return Object.entries(all).filter(
    ([, r]) => r.Type === 'AWS::Logs::LogGroup'
  );
}

/** Every suppression of a template: tool, resource, rule id, reason. */
function suppressions(file: string): {
  tool: string;
  resource: string;
  id: string;
  reason: string;
}[] {
  const template = loadTemplate(file);
  return Object.entries(template.Resources).flatMap(([resource, r]) => {
    const nag = getPath(r.Metadata, ['cfn_nag', 'rules_to_suppress']);
    const checkov = getPath(r.Metadata, ['checkov', 'skip']);
    const list = (value: Json | undefined): Json[] =>
      Array.isArray(value) ? value : [];
    return [
      ...list(nag).map((item) => ({
        tool: 'cfn_nag',
        resource,
        id: String(getPath(item, ['id'])),
        reason: String(getPath(item, ['reason']) ?? ''),
      })),
      ...list(checkov).map((item) => ({
        tool: 'checkov',
        resource,
        id: String(getPath(item, ['id'])),
        reason: String(getPath(item, ['comment']) ?? ''),
      })),
    ];
  });
}

describe('log group encryption', () => {
  it('uses the given KMS key for every log group', () => {
    // Act
    const groups = logGroups(
      resources({
        LogGroupKmsKeyArn: LOG_GROUP_KEY_ARN,
        EnableBackfill: 'true',
        BackfillSourceBucket: 'example-flow-log-archive',
      })
    );

    // Assess
    expect(groups.map(([id]) => id).sort()).toEqual([
      'BackfillWorkerLogGroup',
      'DeliveryStreamLogGroup',
      'FlowLogProcessorLogGroup',
    ]);
    for (const [, group] of groups) {
      expect(group.Properties!.KmsKeyId).toBe(LOG_GROUP_KEY_ARN);
    }
  });

  it('leaves encryption to CloudWatch Logs when no key is given', () => {
    // Act
    const groups = logGroups(resources());

    // Assess
    for (const [, group] of groups) {
      expect(group.Properties!.KmsKeyId).toBeUndefined();
    }
  });
});

describe('tracing', () => {
  it('traces the function and grants the two X-Ray writes by default', () => {
    // Act
    const all = resources();
    const xray = policyStatements(all).filter((s) =>
      s.actions.some((action) => action.startsWith('xray:'))
    );

    // Assess
    expect(all[FUNCTION_ID]!.Properties!.Tracing).toBe('Active');
    expect(xray).toHaveLength(1);
    expect(xray[0]!.actions.sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('passes tracing through and grants nothing when switched off', () => {
    // Act
    const all = resources({ EnableTracing: 'false' });
    const xray = policyStatements(all).filter((s) =>
      s.actions.some((action) => action.startsWith('xray:'))
    );

    // Assess
    expect(all[FUNCTION_ID]!.Properties!.Tracing).toBe('PassThrough');
    expect(xray).toEqual([]);
  });
});

describe('reserved concurrency', () => {
  it('reserves the given number of executions', () => {
    // Act
    const fn = resources({ ReservedConcurrency: '5' })[FUNCTION_ID]!;

    // Assess
    expect(fn.Properties!.ReservedConcurrentExecutions).toBe('5');
  });

  it('reserves nothing at 0, the default (never a function that cannot run)', () => {
    // Act
    const fn = resources()[FUNCTION_ID]!;

    // Assess
    expect(fn.Properties!.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('cfn-nag and checkov suppressions', () => {
  it.each([MAIN_TEMPLATE, SOURCE_TEMPLATE])(
    'carry their reason beside them in %s',
    (file) => {
      // Act
      const unexplained = suppressions(file).filter(
        (s) =>
          s.reason.trim().length < 20 || !/^[A-Z]+\d+$|^CKV_AWS_\d+$/.test(s.id)
      );

      // Assess
      expect(suppressions(file).length).toBeGreaterThan(0);
      expect(unexplained).toEqual([]);
    }
  );

  it('suppress the DLQ check because Firehose invokes synchronously', () => {
    // Act
    const dlq = suppressions(MAIN_TEMPLATE).find((s) => s.id === 'CKV_AWS_116');

    // Assess
    expect(dlq?.resource).toBe(FUNCTION_ID);
    expect(dlq?.reason).toMatch(/synchronously/);
  });
});
