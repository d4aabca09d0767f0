// AssemblyScript source of the flat-JSON kernel (OUTPUT_FORMAT=json; bare
// lines, and lines in the `{"message":"<line>"}` wrapper of direct
// delivery to Firehose). Built by `npm run build:wasm`
// (scripts/build-wasm.mjs) into shared/kernel/json-kernel.wasm and inlined
// in shared/kernel/json-kernel-wasm.ts.
//
// The reference is the TypeScript path: shared/flowlog/scan.ts `scanLine`
// + shared/output/json.ts `JsonSerializer`. The kernel handles only records
// it can prove it writes byte for byte like that path; for everything else
// it returns UNSUPPORTED and the caller runs the TypeScript path instead.
//
// Memory layout (all offsets fixed, written by shared/kernel/json-kernel.ts):
//   CONFIG             kind[field]               (u8 per field, ≤ 128 fields):
//                      STRING (0), or for an integer the digit count from
//                      which its range is checked: its maximum's (5 for
//                      65535), or UNBOUNDED (21, past any 2^64 − 1)
//   CONFIG + 256       prefix length[field]      (u8 per field)
//   CONFIG + 512       header token length (u32), then its bytes at + 516
//   CONFIG + 640       "18446744073709551615" (2^64 − 1, 20 digits)
//   CONFIG + 768       address[field]            (u8 per field): 1 for an
//                      address field the value audit checks (values.ts
//                      ADDRESS_FIELDS), else 0
//   CONFIG + 1024      prefixes, one 64-byte slot per field:
//                      `,"key":` (integers) or `,"key":"` (strings)
//   CONFIG + 10240     closed value sets (value-audit.ts), per field a u16
//                      pool offset and a u16 count (0: not checked)
//   CONFIG + 10752     documented ranges (value-audit.ts), per field a u16
//                      pool offset of the maximum's digits (count: kind)
//   CONFIG + 12288     the pool: per value, its length (u8) then its bytes;
//                      per range, the maximum's canonical digits
//   INPUT              the record's bytes, then an LF sentinel, then ≥ 32
//                      bytes of slack (SIMD loads read up to 31 bytes past
//                      a field, 15 past the record)
//   output             from `outputAt`, capacity `outputCap`, plus ≥ 64
//                      bytes of slack (SIMD stores write up to 31 bytes
//                      past a value)

/** Where the caller writes the per-format configuration. */
const CONFIG: usize = 65536;
/** Where the caller writes the record. */
const INPUT: usize = 131072;
const PREFIX_LENGTHS: usize = CONFIG + 256;
const HEADER_LENGTH: usize = CONFIG + 512;
const HEADER_BYTES: usize = CONFIG + 516;
const MAX_UINT64: usize = CONFIG + 640;
const ADDRESSES: usize = CONFIG + 768;
const PREFIXES: usize = CONFIG + 1024;
const PREFIX_SLOT: usize = 64;
const CHECKS: usize = CONFIG + 10240;
const RANGES: usize = CONFIG + 10752;
const POOL: usize = CONFIG + 12288;

/** Results (negative) of `transform`; ≥ 0 is the output's length. */
const UNSUPPORTED: i32 = -1; // a byte or line shape the kernel leaves to TS
const NO_ROOM: i32 = -2; // output would pass outputCap (never with the caller's bound)
const TOO_FEW_FIELDS: i32 = -3;
const TOO_MANY_FIELDS: i32 = -4;
const BAD_INTEGER: i32 = -5;
const INTEGER_OVERFLOW: i32 = -6;
const NO_LINES: i32 = -7; // blank record: Dropped, left to TS

const TAB: u8 = 0x09; // \t
const LF: u8 = 0x0a; // \n
const CR: u8 = 0x0d; // \r
const SPACE: u8 = 0x20; // ' '
const QUOTE: u8 = 0x22; // "
const DASH: u8 = 0x2d; // -
const DOT: u8 = 0x2e; // .
const ZERO: u8 = 0x30; // 0
const COLON: u8 = 0x3a; // :
const BACKSLASH: u8 = 0x5c; // \
const OPEN_BRACE: u8 = 0x7b; // {
const CLOSE_BRACE: u8 = 0x7d; // }

/** The kind at CONFIG of a string field (json-kernel.ts FIELD_KIND). */
const STRING: u8 = 0;

/** Length of `{"message":"`, the prefix direct delivery writes (framing.ts MESSAGE_PREFIX). */
const MESSAGE_PREFIX_LENGTH: usize = 12;

/** Lines written by the last `transform`. */
let lineCount: i32 = 0;

export function lines(): i32 {
  return lineCount;
}

/**
 * True when the CR at `p` is followed by an LF of the record (not the
 * sentinel): a CR ending the record is left to TS, whose framers differ on it.
 */
@inline function crlf(p: usize, end: usize): bool {
  return p + 1 < end && load<u8>(p + 1) == LF;
}

/**
 * Pass 1, 16 bytes at a time: true when every byte is printable ASCII other
 * than `\`, or TAB, LF, or a CR directly followed by LF.
 * Invariant it establishes for pass 2: the only bytes a JSON string must
 * escape are TAB, LF and CR, which pass 2 reads only as separators and line
 * ends, and `"`, which it takes only as a wrapper's framing and declines
 * anywhere else (like `{`); no byte is non-ASCII; no JSON escape sequence
 * is anywhere (so a wrapper's message is its line as it is); the record is
 * not gzip (0x1f); and CR appears only as the first half of CR LF — so
 * treating CR as a line end equals dropping the CR before LF.
 */
function validate(start: usize, end: usize): bool {
  const ctl = i8x16.splat(0x20);
  const top = i8x16.splat(0x7e);
  // The last step reads up to 15 bytes past `end` (the sentinel and the
  // slack) and masks them off: no scalar tail.
  for (let p = start; p < end; p += 16) {
    const v = v128.load(p);
    const cr = i8x16.eq(v, i8x16.splat(CR));
    const allowedCtl = v128.or(
      v128.or(i8x16.eq(v, i8x16.splat(TAB)), i8x16.eq(v, i8x16.splat(LF))),
      cr
    );
    const bad = v128.or(
      v128.or(v128.andnot(i8x16.lt_u(v, ctl), allowedCtl), i8x16.gt_u(v, top)),
      i8x16.eq(v, i8x16.splat(BACKSLASH))
    );
    const n = end - p;
    const valid: i32 = n >= 16 ? 0xffff : (1 << <i32>n) - 1;
    if ((i8x16.bitmask(bad) & valid) != 0) return false;
    let crs = i8x16.bitmask(cr) & valid;
    while (crs != 0) {
      if (!crlf(p + <usize>ctz<i32>(crs), end)) return false;
      crs &= crs - 1;
    }
  }
  return true;
}

/** True for the field separators (space, tab). */
@inline function isBlank(b: u8): bool {
  return b == SPACE || b == TAB;
}

/** True for a line end (LF, or the CR of CR LF: see `validate`). */
@inline function isLineEnd(b: u8): bool {
  return b == LF || b == CR;
}

/**
 * The end of the field starting at `p`: the first space, tab, LF, CR, `"`
 * or `{` (whether that byte may end the field is `isFieldStop`'s to say).
 * Terminates: the sentinel LF follows the record.
 */
function fieldEnd(p: usize): usize {
  const space = i8x16.splat(SPACE);
  const tab = i8x16.splat(TAB);
  const lf = i8x16.splat(LF);
  const cr = i8x16.splat(CR);
  const quote = i8x16.splat(QUOTE);
  const brace = i8x16.splat(OPEN_BRACE);
  while (true) {
    const v = v128.load(p);
    const stop = v128.or(
      v128.or(
        v128.or(i8x16.eq(v, space), i8x16.eq(v, tab)),
        v128.or(i8x16.eq(v, lf), i8x16.eq(v, cr))
      ),
      v128.or(i8x16.eq(v, quote), i8x16.eq(v, brace))
    );
    const mask = i8x16.bitmask(stop);
    if (mask != 0) return p + <usize>ctz<i32>(mask);
    p += 16;
  }
  return p; // unreachable
}

/** True when `[p, p + n)` is all ASCII digits (n ≥ 1). */
function allDigits(p: usize, n: usize): bool {
  const zero = i8x16.splat(ZERO);
  const ten = i8x16.splat(10);
  while (n >= 16) {
    const d = i8x16.sub(v128.load(p), zero);
    if (i8x16.bitmask(i8x16.lt_u(d, ten)) != 0xffff) return false;
    p += 16;
    n -= 16;
  }
  if (n == 0) return true;
  const d = i8x16.sub(v128.load(p), zero);
  const want: i32 = (1 << <i32>n) - 1;
  return (i8x16.bitmask(i8x16.lt_u(d, ten)) & want) == want;
}

/**
 * Copies `n` bytes: 32 at once (two 16-byte stores, no loop for the usual
 * key or value), then 16 at a time; may read and write up to 31 bytes past
 * `n` (the input's and the output's slack cover it).
 */
@inline function copy32(to: usize, from: usize, n: usize): void {
  v128.store(to, v128.load(from));
  v128.store(to + 16, v128.load(from + 16));
  for (let k: usize = 32; k < n; k += 16) v128.store(to + k, v128.load(from + k));
}

/** True when the 20 digits at `p` exceed 2^64 − 1 (scan.ts exceedsUint64). */
function exceedsUint64(p: usize): bool {
  for (let k: usize = 0; k < 20; k++) {
    const a = load<u8>(p + k);
    const b = load<u8>(MAX_UINT64 + k);
    if (a != b) return a > b;
  }
  return false;
}

/** True when the `n` bytes at `a` and at `b` are equal. */
function same(a: usize, b: usize, n: usize): bool {
  for (let k: usize = 0; k < n; k++) {
    if (load<u8>(a + k) != load<u8>(b + k)) return false;
  }
  return true;
}

/**
 * True when `[p, e)` is one of the field's documented values, or the field
 * has none (shared/flowlog/value-audit.ts `check`: an exact byte compare;
 * integers after their leading zeros, as the scanner records them).
 */
function expected(index: usize, p: usize, e: usize): bool {
  const count = <usize>load<u16>(CHECKS + index * 4 + 2);
  if (count == 0) return true;
  let v = POOL + <usize>load<u16>(CHECKS + index * 4);
  const n = e - p;
  for (let c: usize = 0; c < count; c++) {
    const length = <usize>load<u8>(v);
    if (length == n && same(v + 1, p, n)) return true;
    v += 1 + length;
  }
  return false;
}

/**
 * True when the canonical digits `[p, e)`, at least `n` of them, are within
 * the field's documented range, whose maximum has `n` digits
 * (value-audit.ts `checkRanges`: fewer digits than the maximum are in range,
 * which the caller has checked, more are above it, as many compare digit by
 * digit; every range starts at 0).
 */
function inRange(index: usize, p: usize, e: usize, n: usize): bool {
  if (e - p > n) return false;
  const max = POOL + <usize>load<u16>(RANGES + index * 2);
  for (let k: usize = 0; k < n; k++) {
    const a = load<u8>(p + k);
    const b = load<u8>(max + k);
    if (a != b) return a < b;
  }
  return true;
}

/** True when the field `[p, e)` is the header's first token (a header line). */
function isHeaderToken(p: usize, e: usize): bool {
  const n = <usize>load<u32>(HEADER_LENGTH);
  if (e - p != n) return false;
  for (let k: usize = 0; k < n; k++) {
    if (load<u8>(p + k) != load<u8>(HEADER_BYTES + k)) return false;
  }
  return true;
}

// Cursors between the phases of a record (module globals: no allocation);
// the per-line loop keeps its own in locals and stores them back.
let at: usize = 0; // input cursor
let out: usize = 0; // output cursor

/** Result of `wrapped`: a wrapper whose message is empty or spaces only. */
const EMPTY_MESSAGE: i32 = 1;
/** Result of `classify` for `-`: the field is absent and omitted. */
const ABSENT: i32 = -100;

/**
 * True when the line's text ends at `p`: at a line end (bare), at a `"`
 * (wrapped: the message's first quote is where its text ends).
 */
@inline function isTextEnd(p: usize, wrapped: bool): bool {
  const b = load<u8>(p);
  return wrapped ? b == QUOTE : isLineEnd(b);
}

/**
 * True when the byte that stopped a field may end it: a blank or a line
 * end in a bare line; a space or the message's closing quote in a wrapped
 * one. Any other stop — `"` or `{` in a bare line (TS escapes the field,
 * or finds bad_integer where its digits alone might overflow); TAB, LF, CR
 * or `{` in a message (a raw control byte TS's JSON refuses, or a wrapper
 * `wrapped` does not take) — declines the record.
 */
@inline function isFieldStop(stop: u8, wrapped: bool): bool {
  return wrapped
    ? stop == SPACE || stop == QUOTE
    : stop != QUOTE && stop != OPEN_BRACE;
}

/**
 * True when `[p, end)` is four decimal octets, each 1-3 digits, ≤ 255,
 * without a leading zero: shared/net/ip.ts parseIpv4Into's rule.
 */
function isIpv4(p: usize, end: usize): bool {
  let parts = 0;
  let value: u32 = 0;
  let digits = 0;
  for (; p < end; p++) {
    const b = load<u8>(p);
    if (b == DOT) {
      if (digits == 0 || parts == 3) return false;
      parts++;
      value = 0;
      digits = 0;
    } else {
      const d = <u32>b - <u32>ZERO;
      if (d > 9 || digits == 3) return false;
      if (digits == 1 && value == 0) return false; // leading zero
      value = value * 10 + d;
      if (value > 255) return false;
      digits++;
    }
  }
  return digits != 0 && parts == 3;
}

@inline function isHex(b: u8): bool {
  return (b >= ZERO && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66);
}

/**
 * True when `[start, end)` is RFC 4291 section 2.2 text (groups of 1-4 hex
 * digits, one `::` at most, a dotted IPv4 tail): shared/net/ip.ts
 * parseIpv6Into's rule, without keeping the groups.
 */
function isIpv6(start: usize, end: usize): bool {
  let i = start;
  let count = 0;
  let gap = false;
  if (load<u8>(i) == COLON) {
    if (i + 1 >= end || load<u8>(i + 1) != COLON) return false;
    gap = true;
    i += 2;
  }
  while (i < end) {
    if (count == 8) return false;
    let j = i;
    while (j < end && j - i < 5 && isHex(load<u8>(j))) j++;
    if (j == i || j - i > 4) return false;
    if (j < end && load<u8>(j) == DOT) {
      if (count > 6 || !isIpv4(i, end)) return false;
      count += 2;
      break;
    }
    count++;
    if (j == end) break;
    if (load<u8>(j) != COLON || j + 1 == end) return false;
    i = j + 1;
    if (load<u8>(i) == COLON) {
      if (gap) return false;
      gap = true;
      i++;
    }
  }
  return gap ? count <= 7 : count == 8;
}

/**
 * True when `[start, end)` is an IPv4 or IPv6 address as shared/net/ip.ts
 * parseIp reads it (2 to 45 bytes; IPv6 when it holds a `:`).
 */
function isIp(start: usize, end: usize): bool {
  const n = end - start;
  if (n < 2 || n > 45) return false;
  for (let p = start; p < end; p++) {
    if (load<u8>(p) == COLON) return isIpv6(start, end);
  }
  return isIpv4(start, end);
}

/**
 * Classifies the field `[start, end)` like scan.ts scanInteger /
 * scanString (after `isFieldStop`).
 * @returns how many leading zeros to skip (≥ 0), ABSENT, or a negative
 *   result code
 */
@inline function classify(index: usize, start: usize, end: usize, wrapped: bool): i32 {
  // A line whose first field is the header's first token: left to TS's
  // header rule (record-transformer.ts isHeader).
  if (index == 0 && isHeaderToken(start, end)) return UNSUPPORTED;
  if (!isFieldStop(load<u8>(end), wrapped)) return UNSUPPORTED;
  const n = end - start;
  if (n == 1 && load<u8>(start) == DASH) return ABSENT;
  let first = start;
  const kind = <usize>load<u8>(CONFIG + index);
  if (kind != STRING) {
    if (!allDigits(start, n)) return BAD_INTEGER;
    while (first < end - 1 && load<u8>(first) == ZERO) first++;
    const digits = end - first;
    if (digits > 20 || (digits == 20 && exceedsUint64(first))) return INTEGER_OVERFLOW;
    // Above its documented range: the TypeScript path counts it (value audit).
    // One compare for every integer: `kind` digits or more (never for an
    // UNBOUNDED one) may be above its range.
    if (digits >= kind && !inRange(index, first, end, kind)) return UNSUPPORTED;
  } else if (load<u8>(ADDRESSES + index) != 0 && !isIp(start, end)) {
    // No IPv4/IPv6 address: the TypeScript path counts it (value audit).
    return UNSUPPORTED;
  }
  // An undocumented value: the TypeScript path counts it (value audit).
  if (!expected(index, first, end)) return UNSUPPORTED;
  return <i32>(first - start);
}

/**
 * Writes a present field like json.ts writeFields: its prefix (`,"key":`
 * or `,"key":"`, without the comma for the line's first), its bytes
 * `[first, end)`, and the closing quote of a string.
 * @returns the output cursor after it
 */
@inline function write(o: usize, index: usize, comma: usize, first: usize, end: usize): usize {
  const prefixLength = <usize>load<u8>(PREFIX_LENGTHS + index) - comma;
  copy32(o, PREFIXES + index * PREFIX_SLOT + comma, prefixLength);
  o += prefixLength;
  copy32(o, first, end - first);
  o += end - first;
  if (load<u8>(CONFIG + index) == STRING) store<u8>(o++, QUOTE);
  return o;
}

/**
 * The result of a line that failed on the value of field `index`, which
 * starts at `p`: TOO_FEW_FIELDS or TOO_MANY_FIELDS when the line's field
 * count (`index` fields before `p`, then the runs of non-blank bytes up to
 * the text's end) differs from the format's, else `code` — as scan.ts
 * `valueFailureReason` decides. The failure path only: a line that scans
 * fine never counts. Terminates: the sentinel LF follows the record (a
 * wrapped message's line end is `wrapperEnd`'s to refuse).
 */
function valueFailure(code: i32, index: usize, p: usize, wrapped: bool, fieldCount: usize): i32 {
  let fields = index;
  let inField = false;
  while (true) {
    const b = load<u8>(p);
    if (isLineEnd(b) || (wrapped && b == QUOTE)) break;
    const blank = isBlank(b);
    if (!blank && !inField) fields++;
    inField = !blank;
    p++;
  }
  if (fields < fieldCount) return TOO_FEW_FIELDS;
  if (fields > fieldCount) return TOO_MANY_FIELDS;
  return code;
}

/**
 * One line's text starting at `at` (not blank): `{`, its fields, `}` LF.
 * The text ends at a line end, or, `wrapped`, at the message's first `"`
 * (fields are separated by spaces only there: a tab is `\t` in JSON).
 * Invariant: `p` stops on the first byte after each field's trailing
 * blanks; the text's end there (`isTextEnd`) means the line is complete.
 * Stores `p` back to `at` (where it stopped, also on a failure); on
 * success, the output cursor to `out`.
 */
function line(fieldCount: usize, wrapped: bool): i32 {
  let p = at;
  let o = out;
  let comma: usize = 1; // 1 until the line's first present field
  let code: i32 = 0;
  store<u8>(o++, OPEN_BRACE);
  for (let index: usize = 0; index < fieldCount; index++) {
    if (isTextEnd(p, wrapped)) {
      code = TOO_FEW_FIELDS;
      break;
    }
    const end = fieldEnd(p);
    const kind = classify(index, p, end, wrapped);
    if (kind >= 0) {
      o = write(o, index, comma, p + <usize>kind, end);
      comma = 0;
    } else if (kind == BAD_INTEGER || kind == INTEGER_OVERFLOW) {
      code = valueFailure(kind, index, p, wrapped, fieldCount);
      break;
    } else if (kind != ABSENT) {
      code = kind;
      break;
    }
    p = end;
    while (load<u8>(p) == SPACE || (!wrapped && load<u8>(p) == TAB)) p++;
  }
  if (code == 0 && !isTextEnd(p, wrapped)) code = TOO_MANY_FIELDS;
  at = p;
  if (code != 0) return code;
  store<u8>(o, CLOSE_BRACE);
  store<u8>(o + 1, LF);
  out = o + 2;
  return 0;
}

/**
 * The first `"`, TAB, LF, CR or `{` at or after `p`. Terminates: the
 * sentinel LF follows the record.
 */
function messageStop(p: usize): usize {
  const quote = i8x16.splat(QUOTE);
  const tab = i8x16.splat(TAB);
  const lf = i8x16.splat(LF);
  const cr = i8x16.splat(CR);
  const brace = i8x16.splat(OPEN_BRACE);
  while (true) {
    const v = v128.load(p);
    const stop = v128.or(
      v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, tab)), i8x16.eq(v, brace)),
      v128.or(i8x16.eq(v, lf), i8x16.eq(v, cr))
    );
    const mask = i8x16.bitmask(stop);
    if (mask != 0) return p + <usize>ctz<i32>(mask);
    p += 16;
  }
  return p; // unreachable
}

/** True when `{"message":"` (12 bytes) is at `p`; reads 16 (slack covers it). */
@inline function isWrapperPrefix(p: usize): bool {
  const prefix = i8x16(
    0x7b, 0x22, 0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, // {"messag
    0x65, 0x22, 0x3a, 0x22, 0, 0, 0, 0 //              e":"
  );
  return (i8x16.bitmask(i8x16.eq(v128.load(p), prefix)) & 0xfff) == 0xfff;
}

/**
 * The end of a wrapper whose message was read up to `p`: the message's
 * first `"` at or after `p` with nothing but `"`-free text without TAB, LF,
 * CR or `{` before it, then blanks, `}`, blanks and the line's end.
 * @returns the offset of the line's end (LF or CR), or 0: not the kernel's
 */
function wrapperEnd(p: usize): usize {
  let q = messageStop(p);
  if (load<u8>(q) != QUOTE) return 0;
  q++;
  while (isBlank(load<u8>(q))) q++;
  if (load<u8>(q) != CLOSE_BRACE) return 0;
  q++;
  while (isBlank(load<u8>(q))) q++;
  return isLineEnd(load<u8>(q)) ? q : 0;
}

/**
 * A `{`-line at `at`, taken only when it is exactly direct delivery's
 * wrapper: the 12 bytes `{"message":"`, a message without `"`, TAB, LF, CR
 * or `{` (nor, by `validate`, `\`, another control byte or non-ASCII),
 * `"`, blanks, `}`, blanks, then the line's end. That is the shape
 * framing.ts `wrappedRange` accepts, restricted to a message
 * `hasJsonSpecial` finds nothing in, which the TypeScript path scans as the
 * line itself (record-transformer.ts `transformWrapped`: leading spaces
 * skipped, then `scanLine`); every other `{`-line goes to the TypeScript
 * path. The message is read once: its fields first, then `wrapperEnd`
 * checks the rest of the line from where they stopped, so a result found in
 * the message (a line, or a malformed reason) counts only for an exact
 * wrapper.
 * @returns 0 (a line written), EMPTY_MESSAGE, or a negative result code
 */
function wrapped(fieldCount: usize): i32 {
  if (!isWrapperPrefix(at)) return UNSUPPORTED;
  at += MESSAGE_PREFIX_LENGTH;
  while (load<u8>(at) == SPACE) at++;
  const code = load<u8>(at) == QUOTE ? EMPTY_MESSAGE : line(fieldCount, true);
  if (code == UNSUPPORTED) return code;
  const after = wrapperEnd(at);
  if (after == 0) return UNSUPPORTED;
  at = after;
  return code;
}

/**
 * Transforms the record `[start, start + length)` (LF sentinel at its end)
 * into flat JSON lines at `outputAt`. A line is bare flow-log text, or the
 * text wrapped as `{"message":"<text>"}` (`wrapped`); both are written the
 * same way.
 *
 * Invariants of the loop: `at` only moves forward and never passes the
 * sentinel (every scan stops on a line end, a wrapped line's fields also
 * on its message's first quote, which `wrapperEnd` then checks);
 * `out` grows by at most `lineOverhead` (braces, LF, prefixes, quotes) plus
 * the line's own bytes per line, checked against `outputCap` before each
 * line; nothing is allocated. O(length).
 *
 * @returns the output length, or a negative code (see top of file)
 */
function transformAt(
  start: usize,
  length: usize,
  fieldCount: usize,
  outputAt: usize,
  outputCap: usize,
  lineOverhead: usize
): i32 {
  lineCount = 0;
  const end = start + length;
  if (!validate(start, end)) return UNSUPPORTED;
  at = start;
  out = outputAt;
  const limit = outputAt + outputCap;
  while (at < end) {
    const b = load<u8>(at);
    if (isLineEnd(b) || isBlank(b)) {
      at++;
      continue;
    }
    if (out + lineOverhead + (end - at) > limit) return NO_ROOM;
    const code = b == OPEN_BRACE ? wrapped(fieldCount) : line(fieldCount, false);
    if (code < 0) return code;
    if (code == 0) lineCount++;
  }
  if (lineCount == 0) return NO_LINES;
  return <i32>(out - outputAt);
}

/** `transformAt` of the record at INPUT (the caller wrote its LF sentinel). */
export function transform(
  length: usize,
  fieldCount: usize,
  outputAt: usize,
  outputCap: usize,
  lineOverhead: usize
): i32 {
  return transformAt(INPUT, length, fieldCount, outputAt, outputCap, lineOverhead);
}

/** Bytes per record in the batch table (five u32/i32 words). */
const ENTRY: usize = 20;

/**
 * Transforms a batch of records in one call. `tableAt` holds `count`
 * entries of five words: the record's start and end (absolute offsets of
 * memory; end 0: skip it), then, written here, its output's start, its
 * output length or a negative result code, and its lines. Records are
 * taken in table order and their outputs written one after the other from
 * `outputAt`; a record is bounded like `transform`'s caller bounds it (its
 * length plus `lineOverhead` per possible line: at most one line per two
 * bytes per field, plus one), so the caller sizes the whole output as the
 * sum of those bounds. A record whose output passes `maxOutput` is taken
 * back and marked UNSUPPORTED: the TypeScript path answers it.
 *
 * Each record's end gets the LF sentinel for its scan, and the byte there
 * (the next record's first, or slack) is put back afterwards: the records
 * may lie next to each other, as they do in the decoded arena.
 *
 * @returns the end of the output written (absolute offset)
 */
export function transformBatch(
  count: usize,
  tableAt: usize,
  fieldCount: usize,
  outputAt: usize,
  lineOverhead: usize,
  maxOutput: usize
): usize {
  let o = outputAt;
  for (let i: usize = 0; i < count; i++) {
    const entry = tableAt + i * ENTRY;
    const start = <usize>load<u32>(entry);
    const end = <usize>load<u32>(entry, 4);
    store<u32>(entry, <u32>o, 8);
    store<u32>(entry, 0, 16);
    if (end == 0) {
      store<i32>(entry, UNSUPPORTED, 12);
      continue;
    }
    const length = end - start;
    const cap = length + ((length + 1) / (2 * fieldCount) + 1) * lineOverhead;
    const saved = load<u8>(end);
    store<u8>(end, LF);
    let result = transformAt(start, length, fieldCount, o, cap, lineOverhead);
    store<u8>(end, saved);
    if (result > 0 && <usize>result > maxOutput) result = UNSUPPORTED;
    store<i32>(entry, result, 12);
    if (result >= 0) {
      store<u32>(entry, <u32>lineCount, 16);
      o += <usize>result;
    }
  }
  return o;
}
