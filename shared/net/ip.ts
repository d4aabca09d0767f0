/**
 * IPv4 and IPv6 addresses and CIDR blocks, parsed straight from bytes: the
 * one implementation the enrichers (address classes, direction, Community
 * ID, ip-ranges) and FILTER's `in` lists share. Pure; nothing allocated on
 * the per-line path.
 */

/** What {@link parseIp} found: 4, 6, or 0 when the text is not an address. */
type IpVersion = 0 | 4 | 6;

/** Hex digit values by byte; -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c; // 0-9
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c; // A-F
  HEX[0x61 + c] = 10 + c; // a-f
}

const DOT = 0x2e; // .
const COLON = 0x3a; // :
const SLASH = 0x2f; // /

/** Groups of the IPv6 address being parsed (parsing is not re-entrant). */
const groups = new Uint16Array(8);

/**
 * Parses dotted-quad IPv4 in `bytes[start, end)` into `out[at .. at+4)`.
 * An octet with a leading zero (`010`) is refused: inet_aton(3) reads it as
 * octal, Node's `net.isIP` refuses it, and AWS never writes it, so the text
 * is not taken as any address (RFC 6943 §3.1.1 warns of this ambiguity).
 * @returns true when the text is exactly four decimal octets
 */
function parseIpv4Into(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  at: number
): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === DOT) {
      if (digits === 0 || part === 3) return false;
      out[at + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else {
      const d = b - 0x30;
      if (d < 0 || d > 9 || digits === 3) return false;
      if (digits === 1 && value === 0) return false; // leading zero
      value = value * 10 + d;
      if (value > 255) return false;
      digits++;
    }
  }
  if (digits === 0 || part !== 3) return false;
  out[at + 3] = value;
  return true;
}

/** Reads one hex group at `i`; returns its end, or -1 when not 1-4 digits. */
function hexGroupEnd(bytes: Uint8Array, i: number, end: number): number {
  let j = i;
  while (j < end && j - i < 5 && HEX[bytes[j]!]! >= 0) j++;
  return j === i || j - i > 4 ? -1 : j;
}

/** Copies the parsed groups into 16 bytes, expanding `::` at `gap`. */
function expandGroups(count: number, gap: number, out: Uint8Array): boolean {
  if (gap < 0 ? count !== 8 : count > 7) return false;
  out.fill(0, 0, 16);
  const tail = gap < 0 ? count : gap;
  for (let g = 0; g < tail; g++) {
    out[g * 2] = groups[g]! >> 8;
    out[g * 2 + 1] = groups[g]! & 0xff;
  }
  for (let g = tail; g < count; g++) {
    const slot = 8 - (count - g);
    out[slot * 2] = groups[g]! >> 8;
    out[slot * 2 + 1] = groups[g]! & 0xff;
  }
  return true;
}

/** Parses RFC 4291 text (with `::` and a dotted IPv4 tail) into 16 bytes. */
function parseIpv6Into(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array
): boolean {
  let i = start;
  let count = 0;
  let gap = -1;
  if (bytes[i] === COLON) {
    if (bytes[i + 1] !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (count === 8) return false;
    const j = hexGroupEnd(bytes, i, end);
    if (j < 0) return false;
    if (j < end && bytes[j] === DOT) {
      if (count > 6 || !parseIpv4Into(bytes, i, end, out, 12)) return false;
      groups[count++] = (out[12]! << 8) | out[13]!;
      groups[count++] = (out[14]! << 8) | out[15]!;
      break;
    }
    let value = 0;
    for (let k = i; k < j; k++) value = value * 16 + HEX[bytes[k]!]!;
    groups[count++] = value;
    if (j === end) break;
    if (bytes[j] !== COLON || j + 1 === end) return false;
    i = j + 1;
    if (bytes[i] === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  return expandGroups(count, gap, out);
}

/**
 * Parses an IPv4 or IPv6 address from `bytes[start, end)` into `out`:
 * IPv4 in `out[0..4)`, IPv6 in `out[0..16)`. O(length), no allocation.
 *
 * @returns 4, 6, or 0 when the text is not an address
 * @example parseIp(Buffer.from('10.0.0.1'), 0, 8, out) // 4
 */
function parseIp(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array
): IpVersion {
  if (end - start < 2 || end - start > 45) return 0;
  for (let i = start; i < end; i++) {
    if (bytes[i] === COLON)
      return parseIpv6Into(bytes, start, end, out) ? 6 : 0;
  }
  return parseIpv4Into(bytes, start, end, out, 0) ? 4 : 0;
}

/** An IPv4 address in `b[at..at+4)` as an unsigned 32-bit number. */
function ipv4Number(b: Uint8Array, at = 0): number {
  return (
    ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
  );
}

/** True for ::ffff:0:0/96, IPv4-mapped IPv6 (RFC 4291 §2.5.5.2). */
function isIpv4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Masks for IPv4 prefix lengths 0-32. */
const IPV4_MASKS = Uint32Array.from({ length: 33 }, (_, n) =>
  n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0
);

/** A parsed CIDR block: the network's bytes (4 or 16) and prefix length. */
interface Cidr {
  readonly text: string;
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/**
 * Why a CIDR text was refused; callers word it for their own setting.
 * `network` is the block the text meant, for host bits set after the prefix.
 */
type CidrProblem =
  | { readonly problem: 'no-prefix' }
  | { readonly problem: 'address' }
  | { readonly problem: 'prefix-length'; readonly max: 32 | 128 }
  | { readonly problem: 'host-bits'; readonly network: string };

/** The address bytes as text: dotted quad, or eight uncompressed hex groups. */
function formatAddress(bytes: Uint8Array, version: 4 | 6): string {
  if (version === 4) return Array.from(bytes.subarray(0, 4)).join('.');
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) {
    groups.push(((bytes[g * 2]! << 8) | bytes[g * 2 + 1]!).toString(16));
  }
  return groups.join(':');
}

/** Clears the bits after `prefix`, in place. */
function maskAfter(bytes: Uint8Array, prefix: number, size: number): void {
  for (let bit = prefix; bit < size * 8; bit++) {
    bytes[bit >> 3] = bytes[bit >> 3]! & ~(1 << (7 - (bit & 7)));
  }
}

/**
 * Parses `a.b.c.d/n` or `x:y::/n`, refusing host bits after the prefix.
 * Configuration time only.
 *
 * @returns the block, or what is wrong with the text
 * @example parseCidrText('10.0.0.0/8') // { version: 4, prefix: 8, … }
 */
function parseCidrText(text: string): Cidr | CidrProblem {
  const trimmed = text.trim();
  const raw = Buffer.from(trimmed, 'latin1');
  const slash = raw.indexOf(SLASH);
  if (slash < 0) return { problem: 'no-prefix' };
  const bytes = new Uint8Array(16);
  const version = parseIp(raw, 0, slash, bytes);
  if (version === 0) return { problem: 'address' };
  const digits = trimmed.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(digits) ? Number(digits) : -1;
  const max = version === 4 ? 32 : 128;
  if (prefix < 0 || prefix > max) return { problem: 'prefix-length', max };
  const size = version === 4 ? 4 : 16;
  const network = bytes.slice(0, size);
  maskAfter(network, prefix, size);
  if (!samePrefix(network, bytes, size * 8)) {
    return {
      problem: 'host-bits',
      network: `${formatAddress(network, version)}/${prefix}`,
    };
  }
  return { text: trimmed, version, bytes: network, prefix };
}

/** True when the first `prefix` bits of `a` and `b` agree. */
function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

/**
 * A fixed list of CIDR blocks to test addresses against. An IPv4 address only
 * matches IPv4 blocks and an IPv6 address only IPv6 blocks, so
 * `::ffff:10.0.0.1` is not in `10.0.0.0/8`. O(blocks) per test.
 *
 * @example new CidrSet([cidr]).containsText(bytes, start, end)
 */
class CidrSet {
  readonly cidrs: readonly Cidr[];
  private readonly v4Networks: Uint32Array;
  private readonly v4Masks: Uint32Array;
  private readonly v6: readonly Cidr[];
  /** Reused by {@link CidrSet.containsText}: testing allocates nothing. */
  private readonly scratch = new Uint8Array(16);

  constructor(cidrs: readonly Cidr[]) {
    this.cidrs = cidrs;
    const v4 = cidrs.filter((c) => c.version === 4);
    this.v4Networks = Uint32Array.from(v4, (c) => ipv4Number(c.bytes));
    this.v4Masks = Uint32Array.from(v4, (c) => IPV4_MASKS[c.prefix]!);
    this.v6 = cidrs.filter((c) => c.version === 6);
  }

  /**
   * Like {@link CidrSet.contains}, but an IPv4-mapped IPv6 address
   * (::ffff:0:0/96, RFC 4291 §2.5.5.2) is tested as the IPv4 address it
   * carries (and as itself against IPv6 blocks). The `direction` enricher
   * uses this so it agrees with the `ip` enricher's address class; FILTER
   * keeps {@link CidrSet.contains}.
   */
  containsMapped(address: Uint8Array, version: IpVersion): boolean {
    if (version === 6 && isIpv4Mapped(address)) {
      const v4 = this.scratchV4;
      v4.set(address.subarray(12, 16));
      if (this.contains(v4, 4)) return true;
    }
    return this.contains(address, version);
  }

  /** Reused by {@link CidrSet.containsMapped}. */
  private readonly scratchV4 = new Uint8Array(4);

  /** True when the parsed address (see {@link parseIp}) is in a block. */
  contains(address: Uint8Array, version: IpVersion): boolean {
    if (version === 4) {
      const value = ipv4Number(address);
      for (let i = 0; i < this.v4Networks.length; i++) {
        if ((value & this.v4Masks[i]!) >>> 0 === this.v4Networks[i]) {
          return true;
        }
      }
      return false;
    }
    if (version !== 6) return false;
    for (const cidr of this.v6) {
      if (samePrefix(address, cidr.bytes, cidr.prefix)) return true;
    }
    return false;
  }

  /** True when `bytes[start, end)` is an address inside a block. */
  containsText(bytes: Uint8Array, start: number, end: number): boolean {
    const scratch = this.scratch;
    return this.contains(scratch, parseIp(bytes, start, end, scratch));
  }
}

export type { Cidr, CidrProblem, IpVersion };
export {
  CidrSet,
  IPV4_MASKS,
  ipv4Number,
  isIpv4Mapped,
  parseCidrText,
  parseIp,
};
