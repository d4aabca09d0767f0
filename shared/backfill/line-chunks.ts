/**
 * Cuts a stream of bytes into chunks of whole lines, for a transform that
 * takes one chunk at a time: memory stays at one chunk whatever the size of
 * the object. Pure (no I/O): the caller pushes bytes and takes chunks.
 */

/** `\n`, 0x0A. */
const LF = 0x0a;

/** One piece the chunker hands out. */
type Piece =
  | {
      readonly kind: 'lines';
      readonly bytes: Buffer;
      readonly firstLine: number;
    }
  | {
      readonly kind: 'too-long';
      readonly line: number;
      readonly bytes: Buffer;
    };

/**
 * Collects pushed bytes and yields chunks of complete lines of about
 * `chunkBytes`; a line longer than `maxLineBytes` is yielded alone as
 * `too-long` (its first `maxLineBytes` bytes), never buffered whole.
 *
 * @example
 * const c = new LineChunker(256 * 1024, 1_024_000);
 * for (const piece of c.push(buf)) use(piece);
 * for (const piece of c.end()) use(piece);
 */
class LineChunker {
  private readonly chunkBytes: number;
  private readonly maxLineBytes: number;
  private parts: Buffer[] = [];
  private size = 0;
  /** 1-based number of the first line in `parts`. */
  private line = 1;
  /** Lines completed in `parts` so far. */
  private complete = 0;
  /** Bytes of `parts` up to the last line end. */
  private completeBytes = 0;
  /** True while the rest of an over-long line is being skipped. */
  private skipping = false;

  constructor(chunkBytes: number, maxLineBytes: number) {
    this.chunkBytes = chunkBytes;
    this.maxLineBytes = maxLineBytes;
  }

  /** Takes bytes; returns the chunks they complete. */
  push(bytes: Buffer): Piece[] {
    const out: Piece[] = [];
    let from = 0;
    while (from < bytes.length) {
      const lf = bytes.indexOf(LF, from);
      const end = lf < 0 ? bytes.length : lf + 1;
      this.take(bytes.subarray(from, end), lf >= 0, out);
      from = end;
    }
    return out;
  }

  /** Ends the stream: the last line needs no terminator. */
  end(): Piece[] {
    const out: Piece[] = [];
    if (this.skipping) {
      this.skipping = false;
      this.line++;
    } else if (this.size > this.completeBytes) {
      this.complete++;
      this.completeBytes = this.size;
    }
    this.flushComplete(out);
    return out;
  }

  /** Adds one line's piece (ending at a line end when `ends`). */
  private take(piece: Buffer, ends: boolean, out: Piece[]): void {
    if (this.skipping) {
      if (ends) {
        this.skipping = false;
        this.line++;
      }
      return;
    }
    const open = this.size - this.completeBytes;
    if (open + piece.length > this.maxLineBytes) {
      this.flushComplete(out);
      const head = Buffer.concat([...this.parts, piece]).subarray(
        0,
        this.maxLineBytes
      );
      out.push({ kind: 'too-long', line: this.line, bytes: Buffer.from(head) });
      this.reset();
      if (ends) this.line++;
      else this.skipping = true;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
    if (!ends) return;
    this.complete++;
    this.completeBytes = this.size;
    if (this.size >= this.chunkBytes) this.flushComplete(out);
  }

  /** Hands out the complete lines, keeping an open line for later. */
  private flushComplete(out: Piece[]): void {
    if (this.completeBytes === 0) return;
    const all = Buffer.concat(this.parts, this.size);
    out.push({
      kind: 'lines',
      bytes: all.subarray(0, this.completeBytes),
      firstLine: this.line,
    });
    const rest = all.subarray(this.completeBytes);
    this.line += this.complete;
    this.parts = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    this.complete = 0;
    this.completeBytes = 0;
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.complete = 0;
    this.completeBytes = 0;
  }
}

export type { Piece };
export { LineChunker };
