/** Types of make-big-event.mjs, for the TypeScript benchmark and tests. */
import type { FirehoseTransformationEvent } from 'aws-lambda';

/** A generator format name: v2 default (14), v5 (29), v7/v8 (40 fields). */
export type GeneratedFormat = 'v2' | 'v5' | 'v8';

export declare const FORMATS: Readonly<
  Record<
    GeneratedFormat,
    { readonly format: string; readonly fields: number; readonly label: string }
  >
>;
/** Lambda's request payload limit: the largest legal event JSON. */
export declare const LAMBDA_REQUEST_LIMIT: number;
export declare const V2_DEFAULT_FORMAT: string;
export declare const V5_29_FORMAT: string;
export declare const V8_40_FORMAT: string;

export interface GeneratedEvent {
  readonly event: FirehoseTransformationEvent;
  /** The event's JSON text, at most `bytes` long. */
  readonly json: string;
  /** Records, one line each. */
  readonly lines: number;
  /** Flow-log text bytes, LF included, wrapper excluded. */
  readonly textBytes: number;
}

export declare function makeEvent(options?: {
  format?: GeneratedFormat;
  wrapped?: boolean;
  bytes?: number;
  records?: number;
  seed?: number;
}): GeneratedEvent;

export declare function makeBigEvent(options?: {
  bytes?: number;
  seed?: number;
}): FirehoseTransformationEvent;
