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
    stream.write(`\r${render(state, width).padEnd(width)}`);
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

/**
 * Keeps the right end of a name: S3 object names differ only at the end
 * (`…_20261124T0000Z_1a2b3c4d.log.gz`), after the account id and region.
 *
 * @example fromRight('123456789012_vpcflowlogs_x.log.gz', 12) // '…x.log.gz'
 */
function fromRight(name: string, width: number): string {
  if (name.length <= width) return name;
  return width <= 1 ? '…' : `…${name.slice(name.length - width + 1)}`;
}

/** The bar's text, at most `width` characters, the file name cut from the left. */
function render(state: ProgressState, width: number): string {
  const lines = `${state.lines.toLocaleString('en-US')} lines`;
  const name = state.path === '-' ? 'stdin' : basename(state.path);
  let head: string;
  if (state.totalBytes === undefined || state.totalBytes === 0) {
    head = `${formatBytes(state.bytesRead)}  ${lines}  `;
  } else {
    const ratio = Math.min(1, state.bytesRead / state.totalBytes);
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
    const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
    head = `[${bar}] ${percent} ${formatBytes(state.bytesRead)} / ${formatBytes(state.totalBytes)}  ${lines}  `;
  }
  return `${head}${fromRight(name, Math.max(1, width - head.length))}`.slice(
    0,
    width
  );
}

export type { ProgressState };
export { fromRight, Progress, render };
