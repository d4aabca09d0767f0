// The benchmark's cases and the targets of issue #12 they are held to.
import { LOCAL_ENRICHERS } from '../../shared/enrich/index.ts';
import { FORMATS, type GeneratedFormat } from './generate.ts';

/** An event size: bytes of event JSON, or the largest legal event. */
type CaseSize = '1 MB' | '3 MB' | 'max';

/** Bytes of event JSON per size; MB as Lambda counts its 6 MB limit. */
const SIZE_BYTES = { '1 MB': 1_048_576, '3 MB': 3_145_728 } as const;

/** Which floor a case's target is a multiple of. */
type TargetBase = 'FLOOR' | 'FLOOR-EXACT';

interface BenchCase {
  readonly name: string;
  readonly format: GeneratedFormat;
  readonly wrapped: boolean;
  readonly size: CaseSize;
  readonly output: 'json' | 'ocsf' | 'ecs';
  readonly enrich: readonly string[];
  /** OURS must cost at most `ratio` × `base` (issue #12). */
  readonly target: { readonly base: TargetBase; readonly ratio: number };
}

function jsonCase(
  format: GeneratedFormat,
  size: CaseSize,
  wrapped: boolean
): BenchCase {
  return {
    name: `${FORMATS[format].label} ${size} ${wrapped ? 'wrapped' : 'bare'} json`,
    format,
    wrapped,
    size,
    output: 'json',
    enrich: [],
    target:
      format === 'v2'
        ? { base: 'FLOOR', ratio: 1.5 }
        : { base: 'FLOOR-EXACT', ratio: 1.25 },
  };
}

function enrichedCase(output: 'ocsf' | 'ecs', size: CaseSize): BenchCase {
  return {
    name: `${FORMATS.v5.label} ${size} wrapped ${output} + local enrichers`,
    format: 'v5',
    wrapped: true,
    size,
    output,
    enrich: LOCAL_ENRICHERS,
    target: { base: 'FLOOR-EXACT', ratio: 1.5 },
  };
}

/** All cases, in run order. */
function allCases(sizes: readonly CaseSize[]): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const format of ['v2', 'v5', 'v8'] as const) {
    for (const size of sizes) {
      for (const wrapped of [false, true]) {
        cases.push(jsonCase(format, size, wrapped));
      }
    }
  }
  for (const output of ['ocsf', 'ecs'] as const) {
    for (const size of sizes) cases.push(enrichedCase(output, size));
  }
  return cases;
}

export type { BenchCase, CaseSize, TargetBase };
export { allCases, LOCAL_ENRICHERS, SIZE_BYTES };
