/**
 * What the function reads from its environment, found by running its
 * configuration loader over an environment that records every name asked
 * for, and the variables template.yaml gives the function.
 */
import { loadConfig } from '../../../functions/flow-log-processor/config.ts';
import type { Evaluated } from './intrinsics.ts';
import {
  FUNCTION_ID,
  getPath,
  type JsonObject,
  mergeGlobals,
} from './template.ts';

/**
 * The names `loadConfig` reads, in the order it reads them, with every
 * variable unset (each setting then takes its default, so no read is
 * skipped by an earlier refusal).
 *
 * @example variablesTheFunctionReads().includes('FILTER') // true
 */
function variablesTheFunctionReads(): string[] {
  const names: string[] = [];
  const recorder = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get(_target, name) {
        if (typeof name === 'string' && !names.includes(name)) {
          names.push(name);
        }
        return undefined;
      },
    }
  );
  loadConfig(recorder);
  return names;
}

/** The function's Environment.Variables, Globals applied. */
function functionEnvironment(result: Evaluated): JsonObject {
  const fn = result.resources[FUNCTION_ID];
  if (!fn) throw new Error(`no resource ${FUNCTION_ID}`);
  const props = mergeGlobals(
    result.globals.Function ?? {},
    fn.Properties ?? {}
  );
  return getPath(props, ['Environment', 'Variables']) as JsonObject;
}

/** Variables the template sets for the runtime, not for the function's code. */
const RUNTIME_VARIABLES = ['NODE_OPTIONS'] as const;

export { functionEnvironment, RUNTIME_VARIABLES, variablesTheFunctionReads };
