/**
 * Which pipelines the JSON kernel may run: the ones where it is proven
 * byte-identical to the TypeScript path (test/property/kernel.property.test.ts).
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import { JsonSerializer } from '../output/json.ts';
import type { LineSerializer } from '../output/types.ts';
import { JsonKernel } from './json-kernel.ts';

/** The parts of a record transformer's pipeline the choice depends on. */
interface KernelPipeline {
  readonly format: FlowLogFormat;
  readonly filter: unknown;
  readonly enrichers: readonly unknown[];
  readonly serializer: LineSerializer;
  readonly partitioner?: unknown;
  /** `false` turns the kernel off (default on: docs/kernel.md). */
  readonly jsonKernel?: boolean | undefined;
}

/**
 * The kernel for a pipeline, or undefined when the pipeline is not the
 * kernel's case: OUTPUT_FORMAT=json (the {@link JsonSerializer} itself),
 * no FILTER, no enrichers, no PARTITION_KEYS, and `jsonKernel` not false.
 *
 * @example const kernel = kernelFor(pipeline); // once per cold start
 */
function kernelFor(pipeline: KernelPipeline): JsonKernel | undefined {
  if (pipeline.jsonKernel === false) return undefined;
  if (!(pipeline.serializer instanceof JsonSerializer)) return undefined;
  if (pipeline.filter !== undefined || pipeline.enrichers.length > 0) {
    return undefined;
  }
  if (pipeline.partitioner !== undefined) return undefined;
  return JsonKernel.create(pipeline.format);
}

export type { KernelPipeline };
export { kernelFor };
