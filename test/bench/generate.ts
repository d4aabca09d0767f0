// Deterministic synthetic flow-log events for the benchmarks: the generator
// of scripts/make-big-event.mjs (events sized by their JSON text), typed.
import { prng, V5_29_FORMAT } from '../../scripts/lib/seeded.mjs';
import {
  FORMATS,
  type GeneratedEvent,
  type GeneratedFormat,
  LAMBDA_REQUEST_LIMIT,
  makeEvent,
  V8_40_FORMAT,
} from '../../scripts/make-big-event.mjs';

export type { GeneratedEvent, GeneratedFormat };
export {
  FORMATS,
  LAMBDA_REQUEST_LIMIT,
  makeEvent,
  prng,
  V5_29_FORMAT,
  V8_40_FORMAT,
};
