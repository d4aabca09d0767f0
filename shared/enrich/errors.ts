/**
 * Configuration errors of the enrichers, thrown at cold start only: an
 * enricher never throws once built.
 */

/** Why an ENRICH setting or an enrichment source was refused. */
type EnrichErrorCode =
  | 'ENRICH_UNKNOWN'
  | 'ENRICH_DUPLICATE'
  | 'ENRICH_MISSING_FIELDS'
  | 'ENRICH_MISSING_SOURCE'
  | 'ENRICH_BAD_CIDR'
  | 'ENRICH_BAD_SEED'
  | 'ENRICH_BAD_IP_RANGES'
  /** A format field writes the same JSON key as an enricher. */
  | 'ENRICH_KEY_CLASH';

/** A configuration error with a stable code and a message naming the value. */
class EnrichError extends Error {
  readonly code: EnrichErrorCode;

  constructor(code: EnrichErrorCode, message: string) {
    super(message);
    this.name = 'EnrichError';
    this.code = code;
  }
}

export type { EnrichErrorCode };
export { EnrichError };
