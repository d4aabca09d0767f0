/**
 * A compiled FILTER expression: true keeps the line.
 */
import type { FlowLogLine } from '../flowlog/line.ts';

/** Decides whether a parsed line is kept. Must not throw. */
type LinePredicate = (line: FlowLogLine) => boolean;

export type { LinePredicate };
