/**
 * Builds, once per cold start, everything the handler needs from the
 * configuration: the pipeline, the record transformer and the AWS adapters.
 */

import type { Pipeline } from '../../shared/firehose/record-transformer.ts';
import { RecordTransformer } from '../../shared/firehose/record-transformer.ts';
import { JsonSerializer } from '../../shared/output/json.ts';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';

/** What a warm invocation reuses. */
interface Runtime {
  readonly config: Config;
  readonly transformer: RecordTransformer;
}

function buildPipeline(config: Config): Pipeline {
  if (config.outputFormat !== 'json') {
    throw new ConfigError(
      'OUTPUT_FORMAT',
      `'${config.outputFormat}' is not supported; allowed: json`
    );
  }
  return {
    format: config.format,
    filter: undefined,
    enrichers: [],
    serializer: new JsonSerializer(config.format),
  };
}

/**
 * Compiles the configuration into a runtime.
 *
 * @throws ConfigError when a setting cannot be compiled
 */
async function buildRuntime(config: Config): Promise<Runtime> {
  const pipeline = buildPipeline(config);
  const transformer = new RecordTransformer(pipeline, {
    maxDecompressedBytes: config.maxDecompressedBytes,
  });
  return { config, transformer };
}

export type { Runtime };
export { buildRuntime };
