/**
 * The WebAssembly SIMD128 kernel for the common case: OUTPUT_FORMAT=json of a
 * record of flow-log lines, bare or in direct delivery's
 * `{"message":"<line>"}` wrapper, with no filter, enricher or partitioner.
 * It scans and writes a whole record in one call; any record it cannot
 * prove it writes byte for byte like the TypeScript path (scan.ts
 * `scanLine` + json.ts `JsonSerializer`) is declined, and the caller runs
 * that path. Source: shared/kernel/assembly/json-kernel.ts; docs/kernel.md.
 */
import type { FlowLogFormat, FormatField } from '../flowlog/format.ts';
import {
  auditedRangeOf,
  closedSetOf,
  isAddressField,
} from '../flowlog/values.ts';
import type { ByteWriter } from '../output/byte-writer.ts';
import { JSON_KERNEL_WASM_BASE64 } from './json-kernel-wasm.ts';

/** Offset of the per-format configuration in the kernel's memory. */
const CONFIG = 65_536;
/** Offset of the record's bytes in the kernel's memory. */
const INPUT = 131_072;
/** Most fields the configuration area holds. */
const MAX_FIELDS = 128;
/** Size of a field's prefix slot (`,"key":"`). */
const PREFIX_SLOT = 64;
/** Longest header token the configuration area holds. */
const MAX_HEADER_TOKEN = 120;
/** Offset of the per-field value-set table (u16 offset, u16 count). */
const CHECKS = CONFIG + 10_240;
/** Offset of the per-field range table (u16 pool offset of the maximum). */
const RANGES = CONFIG + 10_752;
/**
 * Offset of the value pool: per value, a length byte then the bytes; per
 * range, its maximum's digits.
 */
const POOL = CONFIG + 12_288;
/** End of the pool (the input starts there). */
const POOL_END = INPUT;
/** Bytes after the input and the output that SIMD loads and stores may touch. */
const SLACK = 64;
/** WebAssembly page size. */
const PAGE = 65_536;
/**
 * Largest record the kernel takes: a Firehose record is at most 1,000 KiB;
 * bigger inputs (local replays) go the TypeScript way rather than grow the
 * kernel's memory (which never shrinks) past about 80 MiB.
 */
const MAX_KERNEL_INPUT_BYTES = 8 << 20;
/** 2^64 - 1: integer fields with more go `integer_overflow`. */
const MAX_UINT64_DIGITS = '18446744073709551615';

/**
 * A field's kind in the configuration: STRING, or for an integer the digit
 * count from which the kernel checks its range (the maximum's), UNBOUNDED
 * when it has none.
 */
const FIELD_KIND = {
  STRING: 0,
  /** More digits than 2^64 - 1 has: the range check never runs. */
  UNBOUNDED: 21,
} as const;

/** Kernel results below zero; see the assembly source. */
const KERNEL_RESULT = {
  UNSUPPORTED: -1,
  NO_ROOM: -2,
  TOO_FEW_FIELDS: -3,
  TOO_MANY_FIELDS: -4,
  BAD_INTEGER: -5,
  INTEGER_OVERFLOW: -6,
  NO_LINES: -7,
} as const;

/** The parts of the WebAssembly JS API used here (not in lib ES2022). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  readonly memory: {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  };
  transform(
    length: number,
    fieldCount: number,
    outputAt: number,
    outputCap: number,
    lineOverhead: number
  ): number;
  lines(): number;
  transformBatch(
    count: number,
    tableAt: number,
    fieldCount: number,
    outputAt: number,
    lineOverhead: number,
    maxOutput: number
  ): number;
}

/** Words per record in the batch table (start, end, output start, result, lines). */
const ENTRY_WORDS = 5;

/**
 * What {@link JsonKernel.transformBatch} wrote: per record, its output's
 * `[outputStart, outputStart + result)` of `output` when `result` ≥ 0 (with
 * `lines` lines), else a negative {@link KERNEL_RESULT}: the TypeScript
 * path's record. Valid until the kernel's next call.
 */
interface KernelBatch {
  /** The kernel's memory as a Buffer (outputs are slices of it). */
  readonly output: Buffer;
  /**
   * Per record, {@link ENTRY_WORDS} words: input start, input end, output
   * start, output length or negative result, lines.
   */
  readonly table: Int32Array;
  /** The run's first record and its number of records. */
  readonly first: number;
  readonly count: number;
}

/** The compiled module, shared by every kernel of the process. */
let compiled: object | undefined;

function instantiate(): KernelExports {
  compiled ??= new wasm.Module(Buffer.from(JSON_KERNEL_WASM_BASE64, 'base64'));
  return new wasm.Instance(compiled, {}).exports as unknown as KernelExports;
}

/** The prefix JsonSerializer writes before a field's value. */
function prefixOf(key: string, isInteger: boolean): Buffer {
  return Buffer.from(`,${JSON.stringify(key)}:${isInteger ? '' : '"'}`, 'utf8');
}

/**
 * One kernel instance per format (own memory). Not re-entrant.
 *
 * @example
 * const kernel = JsonKernel.create(format);
 * if (kernel !== undefined && kernel.transform(bytes, writer) >= 0) send(writer.toBase64());
 */
class JsonKernel {
  /** Lines written by the last successful {@link JsonKernel.transform}. */
  lines = 0;
  private readonly exports: KernelExports;
  private readonly fieldCount: number;
  /** Per line: `{`, `}`, LF, every prefix and every closing quote. */
  private readonly lineOverhead: number;
  /** The memory's bytes; replaced when it grows (the old view detaches). */
  private memory: Uint8Array;
  /** {@link memory}'s length, kept to skip the engine's `buffer` getter. */
  private memoryBytes: number;

  private constructor(format: FlowLogFormat) {
    this.exports = instantiate();
    this.fieldCount = format.fields.length;
    this.memory = new Uint8Array(this.exports.memory.buffer);
    this.memoryBytes = this.memory.length;
    const view = Buffer.from(this.exports.memory.buffer);
    let overhead = 3 + this.fieldCount;
    format.fields.forEach((field, index) => {
      const isInteger = field.type === 'int';
      const prefix = prefixOf(field.key, isInteger);
      view[CONFIG + index] = isInteger
        ? (rangeMaxOf(field)?.length ?? FIELD_KIND.UNBOUNDED)
        : FIELD_KIND.STRING;
      view[CONFIG + 256 + index] = prefix.length;
      view[CONFIG + 768 + index] =
        !isInteger && isAddressField(field.name) ? 1 : 0;
      prefix.copy(view, CONFIG + 1024 + index * PREFIX_SLOT);
      overhead += prefix.length;
    });
    writeValueSets(format, view);
    const token = Buffer.from(format.fields[0]!.name, 'utf8');
    view.writeUInt32LE(token.length, CONFIG + 512);
    token.copy(view, CONFIG + 516);
    view.write(MAX_UINT64_DIGITS, CONFIG + 640, 'latin1');
    this.lineOverhead = overhead;
  }

  /**
   * A kernel for `format`, or undefined when the format does not fit the
   * kernel's configuration area (over 128 fields, a `,"key":"` prefix over
   * 64 bytes, documented values and ranges over the pool).
   */
  static create(format: FlowLogFormat): JsonKernel | undefined {
    const fields = format.fields;
    if (fields.length === 0 || fields.length > MAX_FIELDS) return undefined;
    if (Buffer.byteLength(fields[0]!.name, 'utf8') > MAX_HEADER_TOKEN) {
      return undefined;
    }
    let pool = 0;
    for (const field of fields) {
      if (prefixOf(field.key, field.type === 'int').length > PREFIX_SLOT) {
        return undefined;
      }
      for (const value of closedSetOf(field.name)?.values ?? []) {
        const length = Buffer.byteLength(value, 'utf8');
        if (length > 255) return undefined;
        pool += 1 + length;
      }
      pool += rangeMaxOf(field)?.length ?? 0;
    }
    if (POOL + pool > POOL_END) return undefined;
    return new JsonKernel(format);
  }

  /**
   * Appends the flat JSON of every line of `bytes` (one record, decoded) to
   * `out`, exactly as the TypeScript path would. O(bytes).
   *
   * @returns the output length (≥ 0) and sets {@link JsonKernel.lines}; or a
   *   negative {@link KERNEL_RESULT} with `out` untouched: the record is the
   *   TypeScript path's (malformed, blank, or not the kernel's case)
   */
  transform(bytes: Buffer, out: ByteWriter): number {
    const length = bytes.length;
    if (length > MAX_KERNEL_INPUT_BYTES) return KERNEL_RESULT.UNSUPPORTED;
    const outputAt = align16(INPUT + length + SLACK);
    const lineBound = Math.floor((length + 1) / (2 * this.fieldCount)) + 1;
    const outputCap = length + lineBound * this.lineOverhead;
    const needed = outputAt + outputCap + SLACK;
    if (needed > this.memoryBytes) this.grow(needed);
    const memory = this.memory;
    // TypedArray set, not Buffer copy: no argument checks per record.
    memory.set(bytes, INPUT);
    memory[INPUT + length] = 0x0a; // \n: the sentinel every scan stops on
    const result = this.exports.transform(
      length,
      this.fieldCount,
      outputAt,
      outputCap,
      this.lineOverhead
    );
    if (result < 0) return result;
    this.lines = this.exports.lines();
    out.reserve(result);
    out.buffer.set(memory.subarray(outputAt, outputAt + result), out.length);
    out.length += result;
    return result;
  }

  /**
   * {@link JsonKernel.transform} within the record's output cap: output past
   * `maxOutputBytes` is taken back and the record left to the TypeScript
   * path, which fails it as output_too_large at the same line as ever.
   *
   * @returns the lines written (> 0), or -1: run the TypeScript path
   */
  transformRecord(
    bytes: Buffer,
    out: ByteWriter,
    maxOutputBytes: number
  ): number {
    const before = out.length;
    const written = this.transform(bytes, out);
    if (written < 0) return -1;
    if (out.length > maxOutputBytes) {
      out.length = before;
      return -1;
    }
    return this.lines;
  }

  /**
   * Transforms a run of records of a decoded arena in one call: records
   * `first` to `first + count - 1`, each `arena[starts[i], ends[i])` (start
   * -1: not decodable, skipped). The arena's bytes from the run's first
   * record to its last are copied into the kernel's memory once, with a
   * table of each record's offsets, and the kernel writes every record's
   * output one after the other and its result to the table. A record whose
   * output passes `maxOutputBytes` is declined (-1) like
   * {@link JsonKernel.transformRecord} declines it. O(run bytes).
   *
   * Bound, checked before the memory grows: the run's bytes at most
   * {@link MAX_KERNEL_INPUT_BYTES} (8 MiB), so the memory stays within what
   * one such record needs (about 80 MiB); a bigger run returns undefined and
   * the caller runs the kernel record by record. The caller keeps runs
   * small (plan.ts: 1 MiB) so the memory stays near one record's.
   *
   * @returns the results (entry `i - first` for record `i`), or undefined
   */
  transformBatch(
    arena: Buffer,
    starts: Int32Array,
    ends: Int32Array,
    first: number,
    count: number,
    maxOutputBytes: number
  ): KernelBatch | undefined {
    let low = -1;
    let high = 0;
    for (let i = first; i < first + count; i++) {
      const start = starts[i]!;
      if (start < 0) continue;
      if (low < 0 || start < low) low = start;
      if (ends[i]! > high) high = ends[i]!;
    }
    if (low < 0) low = 0;
    const length = Math.max(high - low, 0);
    if (length > MAX_KERNEL_INPUT_BYTES) return undefined;
    const tableAt = align16(INPUT + length + SLACK);
    const outputAt = align16(tableAt + count * ENTRY_WORDS * 4);
    // Σ (length_i + (⌊(length_i + 1) / 2F⌋ + 1) × overhead): each record's
    // bound as the kernel computes it, summed over at most `count` records.
    const lineBound =
      Math.floor((length + count) / (2 * this.fieldCount)) + count;
    const needed = outputAt + length + lineBound * this.lineOverhead + SLACK;
    if (needed > this.memoryBytes) this.grow(needed);
    const memory = this.memory;
    memory.set(arena.subarray(low, high), INPUT);
    const table = new Int32Array(memory.buffer, tableAt, count * ENTRY_WORDS);
    for (let k = 0; k < count; k++) {
      const start = starts[first + k]!;
      table[k * ENTRY_WORDS] = start < 0 ? 0 : INPUT + start - low;
      table[k * ENTRY_WORDS + 1] =
        start < 0 ? 0 : INPUT + ends[first + k]! - low;
    }
    this.exports.transformBatch(
      count,
      tableAt,
      this.fieldCount,
      outputAt,
      this.lineOverhead,
      Math.min(maxOutputBytes, 0xffff_ffff) >>> 0
    );
    return { output: Buffer.from(memory.buffer), table, first, count };
  }

  /**
   * Grows the memory to at least `bytes` (WebAssembly memory only grows, and
   * only here: the kernel never grows it itself, so {@link memoryBytes}
   * stays its size between calls without asking the engine).
   */
  private grow(bytes: number): void {
    const memory = this.exports.memory;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    this.memory = new Uint8Array(memory.buffer);
    this.memoryBytes = this.memory.length;
  }
}

/**
 * The maximum's digits of the documented range the value audit checks for
 * an integer field (shared/flowlog/value-audit.ts), or undefined.
 */
function rangeMaxOf(field: FormatField): Buffer | undefined {
  if (field.type !== 'int') return undefined;
  const range = auditedRangeOf(field.name);
  return range === undefined ? undefined : Buffer.from(String(range.max));
}

/**
 * Writes the documented values and ranges the value audit checks
 * (shared/flowlog/value-audit.ts): a line with any other value, or an
 * integer above its range, is left to the TypeScript path, which counts it.
 */
function writeValueSets(format: FlowLogFormat, view: Buffer): void {
  let at = POOL;
  format.fields.forEach((field, index) => {
    const values = closedSetOf(field.name)?.values ?? [];
    view.writeUInt16LE(at - POOL, CHECKS + index * 4);
    view.writeUInt16LE(values.length, CHECKS + index * 4 + 2);
    for (const value of values) {
      const bytes = Buffer.from(value, 'utf8');
      view[at] = bytes.length;
      bytes.copy(view, at + 1);
      at += 1 + bytes.length;
    }
    const max = rangeMaxOf(field);
    view.writeUInt16LE(at - POOL, RANGES + index * 2);
    if (max !== undefined) {
      max.copy(view, at);
      at += max.length;
    }
  });
}

function align16(offset: number): number {
  return (offset + 15) & ~15;
}

export {
  ENTRY_WORDS,
  JsonKernel,
  KERNEL_RESULT,
  type KernelBatch,
  MAX_KERNEL_INPUT_BYTES,
};
