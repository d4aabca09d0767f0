// Keys the OCSF/ECS writers add themselves next to the field-named members
// (OCSF `unmapped`, ECS `aws.vpcflow`) must not repeat a field's output key:
// RFC 8259 §4, "The names within an object SHOULD be unique". The cold start
// refuses such a FLOW_LOG_FORMAT (tester's inputs A and B).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../functions/flow-log-processor/config.ts';
import {
  ComposeError,
  composeProcessor,
} from '../../../shared/firehose/compose.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';

function errorOf(act: () => unknown): ComposeError {
  try {
    act();
  } catch (error) {
    if (error instanceof ComposeError) return error;
    throw error;
  }
  throw new Error('expected a ComposeError');
}

describe('writer-added keys vs FLOW_LOG_FORMAT field keys', () => {
  it.each([
    // A: `${enrichment}` under OCSF `unmapped` / ECS `aws.vpcflow`
    ['ocsf', ' ${enrichment}', 'time', "'enrichment'", "'unmapped'"],
    ['ecs', ' ${enrichment}', 'time', "'enrichment'", "'aws.vpcflow'"],
    // B: `${tcp-flags-array}` next to ECS's own `tcp_flags_array`
    [
      'ecs',
      ' ${tcp-flags} ${tcp-flags-array}',
      '',
      "'tcp_flags_array'",
      "'aws.vpcflow'",
    ],
  ])(
    'OUTPUT_FORMAT=%s refuses FLOW_LOG_FORMAT <v2 default>%s',
    (output, extra, enrich, key, object) => {
      // Prepare
      const env = {
        FLOW_LOG_FORMAT: `${VPC_DEFAULT_FORMAT}${extra}`,
        OUTPUT_FORMAT: output,
        ENRICH: enrich,
      };
      // Act
      const error = errorOf(() => composeProcessor(loadConfig(env)));
      // Assess
      expect(error.setting).toBe('FLOW_LOG_FORMAT');
      expect(error.message).toMatch(/^FLOW_LOG_FORMAT: field '\$\{/);
      expect(error.message).toContain(`writes the key ${key}`);
      expect(error.message).toContain(`under ${object}`);
    }
  );

  it('keeps such a field for OUTPUT_FORMAT=json, whose top level the writer adds no key to', () => {
    // Prepare
    const env = {
      FLOW_LOG_FORMAT: `${VPC_DEFAULT_FORMAT} \${tcp-flags} \${tcp-flags-array} \${enrichment}`,
    };
    // Act
    const act = () => composeProcessor(loadConfig(env));
    // Assess
    expect(act).not.toThrow();
  });

  it.each(['ocsf', 'ecs'])(
    'OUTPUT_FORMAT=%s accepts the v2 default with tcp-flags (no repeated key)',
    (output) => {
      // Prepare
      const env = {
        FLOW_LOG_FORMAT: `${VPC_DEFAULT_FORMAT} \${tcp-flags}`,
        OUTPUT_FORMAT: output,
      };
      // Act
      const act = () => composeProcessor(loadConfig(env));
      // Assess
      expect(act).not.toThrow();
    }
  );
});
