/**
 * A one-line progress bar on stderr, redrawn with `\r` at most every 100 ms.
 * Off when stderr is not a terminal, so logs and pipes stay clean.
 */
import { basename } from 'node:path';
import { formatBytes } from './summary.ts';

/** Least time between redraws, milliseconds. */
const REDRAW_MS = 100;

/** Width of the bar itself, in characters. */
const BAR_WIDTH = 24;

/** What the bar shows. */
interface ProgressState {
  /** Input bytes read from disk (compressed for .gz). */
  readonly bytesRead: number;
  /** Total input bytes on disk; undefined when reading stdin. */
  readonly totalBytes: number | undefined;
  readonly lines: number;
  readonly path: string;
}

/** Draws the bar; every method is a no-op when disabled. */
class Progress {
  private readonly stream: NodeJS.WriteStream | undefined;
  private drawnAt = 0;
  private drawn = false;

  /** @param stream - where to draw, or undefined for no bar */
  constructor(stream: NodeJS.WriteStream | undefined) {
    this.stream = stream;
  }

  /** Redraws unless the last redraw was under 100 ms ago. */
  update(state: ProgressState): void {
    const stream = this.stream;
    if (stream === undefined) return;
    const now = Date.now();
    if (now - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = now;
    const width = Math.max(40, (stream.columns || 80) - 1);
    stream.write(`\r${render(state).slice(0, width).padEnd(width)}`);
    this.drawn = true;
  }

  /** Erases the bar before the summary is printed. */
  clear(): void {
    if (this.stream === undefined || !this.drawn) return;
    this.stream.write(
      `\r${' '.repeat(Math.max(40, (this.stream.columns || 80) - 1))}\r`
    );
    this.drawn = false;
  }
}

function render(state: ProgressState): string {
  const lines = `${state.lines.toLocaleString('en-US')} lines`;
  const name = state.path === '-' ? 'stdin' : basename(state.path);
  if (state.totalBytes === undefined || state.totalBytes === 0) {
    return `${formatBytes(state.bytesRead)}  ${lines}  ${name}`;
  }
  const ratio = Math.min(1, state.bytesRead / state.totalBytes);
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `[${bar}] ${percent} ${formatBytes(state.bytesRead)} / ${formatBytes(state.totalBytes)}  ${lines}  ${name}`;
}

export type { ProgressState };
export { Progress };
