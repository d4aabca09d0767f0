/**
 * The replay's one error type: a stable code, a message naming the setting or
 * file, the bad value and what is allowed, and the exit code it maps to.
 */

/** Why the replay stopped. */
type ReplayErrorCode =
  /** An unknown option or a bad value: exit 2. */
  | 'REPLAY_USAGE'
  /** The function refused its settings at import: exit 2. */
  | 'REPLAY_SETTINGS'
  /** An input cannot be read (missing, corrupt, not an event): exit 1. */
  | 'REPLAY_INPUT';

/** Exit codes: 2 for what the user typed, 1 for what went wrong reading. */
const EXIT_CODE: Readonly<Record<ReplayErrorCode, number>> = {
  REPLAY_USAGE: 2,
  REPLAY_SETTINGS: 2,
  REPLAY_INPUT: 1,
};

/** A refused option, setting or input. */
class ReplayError extends Error {
  readonly code: ReplayErrorCode;

  constructor(code: ReplayErrorCode, message: string) {
    super(message);
    this.name = 'ReplayError';
    this.code = code;
  }

  /** The process exit code this error maps to. */
  get exitCode(): number {
    return EXIT_CODE[this.code];
  }
}

export type { ReplayErrorCode };
export { ReplayError };
