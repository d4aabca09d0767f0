/**
 * The backfill state machine (EnableBackfill=true): a valid Amazon States
 * Language definition (checked with asl-validator), wired to the worker and
 * the buckets, batching as the local run batches, and a worker that gets the
 * live function's settings and the live stream's layout with least privilege.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  SETTING_NAMES,
  type SettingName,
} from '../../functions/flow-log-processor/settings.ts';
import { ITEM_BATCHER } from '../../shared/backfill/batch.ts';
import { evaluateTemplate } from './helpers/intrinsics.ts';
import { policyStatements } from './helpers/security.ts';
import {
  getPath,
  type JsonObject,
  loadTemplate,
  MAIN_TEMPLATE,
  REPO_ROOT,
} from './helpers/template.ts';

const ON = {
  EnableBackfill: 'true',
  BackfillSourceBucket: 'example-flow-log-archive',
  BackfillSourcePrefix: 'AWSLogs/123456789012/vpcflowlogs/',
  BackfillMaxConcurrency: '250',
  BackfillToleratedFailurePercentage: '5',
};

const ASL_FILE = 'functions/backfill-worker/backfill.asl.json';

function resources(parameters: Record<string, string>) {
  return evaluateTemplate(loadTemplate(MAIN_TEMPLATE), parameters).resources;
}

/** The definition as Step Functions gets it: placeholders substituted. */
function definition(parameters: Record<string, string>): JsonObject {
  const machine = resources(parameters).BackfillStateMachine!;
  const substitutions = getPath(machine, [
    'Properties',
    'DefinitionSubstitutions',
  ]) as Record<string, string | number>;
  const text = readFileSync(resolve(REPO_ROOT, ASL_FILE), 'utf8').replace(
    /\$\{([A-Za-z]+)\}/g,
    (_, name: string) => {
      expect(substitutions, `placeholder ${name}`).toHaveProperty(name);
      return String(substitutions[name]);
    }
  );
  return JSON.parse(text) as JsonObject;
}

function variables(
  parameters: Record<string, string>,
  id: string
): Record<string, unknown> {
  return getPath(resources(parameters)[id]!, [
    'Properties',
    'Environment',
    'Variables',
  ]) as Record<string, unknown>;
}

describe('backfill state machine', () => {
  it('is off by default', () => {
    // Act
    const ids = Object.keys(resources({}));

    // Assess
    expect(ids.filter((id) => id.startsWith('Backfill'))).toEqual([]);
  });

  it('is a valid Amazon States Language definition', () => {
    // Act
    const result = aslValidator(definition(ON), {
      checkPaths: true,
      checkArn: true,
    });

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('uses every substitution it declares', () => {
    // Prepare
    const text = readFileSync(resolve(REPO_ROOT, ASL_FILE), 'utf8');
    const used = new Set(
      [...text.matchAll(/\$\{([A-Za-z]+)\}/g)].map((m) => m[1])
    );

    // Act
    const declared = Object.keys(
      getPath(resources(ON).BackfillStateMachine!, [
        'Properties',
        'DefinitionSubstitutions',
      ]) as JsonObject
    );

    // Assess
    expect(new Set(declared)).toEqual(used);
  });

  it('lists the source prefix, batches as the local run does, runs the worker in distributed children and writes its results', () => {
    // Act
    const map = getPath(definition(ON), ['States', 'Backfill']) as JsonObject;

    // Assess
    expect(map).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:listObjectsV2',
        Parameters: {
          Bucket: 'example-flow-log-archive',
          'Prefix.$':
            "States.Format('AWSLogs/123456789012/vpcflowlogs/{}', $.prefix)",
        },
      },
      ItemBatcher: {
        MaxItemsPerBatch: ITEM_BATCHER.maxItems,
        MaxInputBytesPerBatch: ITEM_BATCHER.maxInputBytes,
      },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      },
      MaxConcurrency: 250,
      ToleratedFailurePercentage: 5,
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Prefix: 'backfill-results/' },
      },
    });
    const task = getPath(map, [
      'ItemProcessor',
      'States',
      'Transform',
      'Parameters',
      'FunctionName',
    ]);
    expect(task).toBe(
      getPath(resources(ON).BackfillStateMachine!, [
        'Properties',
        'DefinitionSubstitutions',
        'WorkerArn',
      ])
    );
  });

  it("gives the worker the live function's settings", () => {
    // Prepare: the settings the worker may hold differently, and why.
    const own: Partial<Record<SettingName, string>> = {
      RESPONSE_BUDGET_BYTES: 'writes S3 objects, answers no Firehose event',
      REINGEST: 'writes S3 objects, answers no Firehose event',
      POWERTOOLS_SERVICE_NAME: 'its own service in logs and metrics',
      POWERTOOLS_METRICS_NAMESPACE:
        'unset: the same namespace, told apart by the service dimension',
    };
    const live = variables(ON, 'FlowLogProcessorFunction');
    const worker = variables(ON, 'BackfillWorkerFunction');

    // Act: every other setting of the table, from the table itself.
    const shared = SETTING_NAMES.filter((name) => !(name in own));

    // Assess: same value as the live function
    expect(shared).toContain('COMMUNITY_ID_SEED');
    for (const name of shared) {
      expect(worker[name], name).toEqual(live[name]);
    }
  });

  it("writes the stream's own Prefix and ErrorOutputPrefix, or a JSON staging prefix under Parquet", () => {
    for (const parameters of [
      ON,
      { ...ON, EnableDynamicPartitioning: 'true' },
    ]) {
      // Prepare
      const s3 = getPath(resources(parameters).FlowLogDeliveryStream!, [
        'Properties',
        'ExtendedS3DestinationConfiguration',
      ]) as JsonObject;

      // Act
      const worker = variables(parameters, 'BackfillWorkerFunction');

      // Assess
      expect(worker.BACKFILL_DATA_PREFIX).toEqual(s3.Prefix);
      expect(worker.BACKFILL_ERROR_PREFIX).toEqual(s3.ErrorOutputPrefix);
    }
    expect(
      variables({ ...ON, EnableParquet: 'true' }, 'BackfillWorkerFunction')
        .BACKFILL_DATA_PREFIX
    ).toMatch(/^backfill-json\//);
  });

  it('lets the worker read only the source prefix and write only where the stream writes', () => {
    // Act
    const statements = policyStatements(resources(ON)).filter(
      (s) =>
        s.resource === 'BackfillWorkerRole' &&
        s.actions.some((action) => action.startsWith('s3:'))
    );

    // Assess
    expect(
      statements.map((s) => [s.sid, s.actions, s.resources])
    ).toMatchObject([
      [
        'ReadSourcePrefix',
        ['s3:GetObject'],
        [
          'arn:aws:s3:::example-flow-log-archive/AWSLogs/123456789012/vpcflowlogs/*',
        ],
      ],
      [
        'WriteLiveLayout',
        ['s3:PutObject', 's3:AbortMultipartUpload'],
        [
          expect.stringMatching(/\/flow-logs\/\*$/),
          expect.stringMatching(/\/errors\/\*$/),
        ],
      ],
    ]);
  });

  it("applies the live function's eni enrichment, with its grant, only when EnableEniEnrichment is on", () => {
    // Prepare
    const eni = { ...ON, EnableEniEnrichment: 'true', Enrich: 'protocol' };
    const describe = (parameters: Record<string, string>) =>
      policyStatements(resources(parameters)).filter(
        (s) =>
          s.resource === 'BackfillWorkerRole' &&
          s.actions.includes('ec2:DescribeNetworkInterfaces')
      );

    // Act
    const on = variables(eni, 'BackfillWorkerFunction');
    const off = variables(ON, 'BackfillWorkerFunction');

    // Assess
    expect(on.ENRICH).toBe('protocol,eni');
    expect(on.ENRICH).toEqual(
      variables(eni, 'FlowLogProcessorFunction').ENRICH
    );
    expect(describe(eni)).toHaveLength(1);
    expect(describe(ON)).toEqual([]);
    expect(off.ENRICH).toEqual(
      variables(ON, 'FlowLogProcessorFunction').ENRICH
    );
  });

  it('lets the state machine list only the source prefix', () => {
    // Act
    const list = policyStatements(resources(ON)).find(
      (s) =>
        s.resource === 'BackfillStateMachineRole' &&
        s.sid === 'ListSourcePrefix'
    );

    // Assess
    expect(list).toMatchObject({
      actions: ['s3:ListBucket'],
      resources: ['arn:aws:s3:::example-flow-log-archive'],
      condition: {
        StringLike: { 's3:prefix': 'AWSLogs/123456789012/vpcflowlogs/*' },
      },
    });
  });
});
