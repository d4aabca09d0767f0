/**
 * IP address primitives for the enrichers: parse an address straight from a
 * line's bytes into 16 bytes, classify it, and match it against CIDR lists.
 * No strings are made on the per-line path.
 */
import { EnrichError } from './errors.ts';

/** What {@link parseIp} found: 4, 6, or 0 when the text is not an address. */
type IpVersion = 0 | 4 | 6;

/** Address classes reported by the `ip` enricher (`srcaddr_class`, …). */
const ADDRESS_CLASS = {
  /** RFC 1918: 10/8, 172.16/12, 192.168/16. */
  PRIVATE: 'private',
  /** RFC 6598 carrier-grade NAT: 100.64/10. */
  SHARED: 'shared',
  /** 127/8, ::1. */
  LOOPBACK: 'loopback',
  /** 169.254/16, fe80::/10. */
  LINK_LOCAL: 'link_local',
  /** 224/4, ff00::/8. */
  MULTICAST: 'multicast',
  /** RFC 4193: fc00::/7. */
  UNIQUE_LOCAL: 'unique_local',
  /** RFC 5737 and RFC 3849 / RFC 9637: 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20. */
  DOCUMENTATION: 'documentation',
  /** 0.0.0.0 and ::. */
  UNSPECIFIED: 'unspecified',
  /** 255.255.255.255. */
  BROADCAST: 'broadcast',
  /** 0/8, 192.0.0/24, 198.18/15, 240/4, and IPv6 outside 2000::/3 not named above. */
  RESERVED: 'reserved',
  /** Everything else. */
  PUBLIC: 'public',
} as const;

/** One of the {@link ADDRESS_CLASS} values. */
type AddressClass = (typeof ADDRESS_CLASS)[keyof typeof ADDRESS_CLASS];

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

// biome-ignore format: one range per row, as the IANA special-purpose registry lists them
const IPV4_SPECIAL: ReadonlyArray<readonly [number, number, AddressClass]> = [
  [0x0a000000, 8, ADDRESS_CLASS.PRIVATE], // 10.0.0.0/8
  [0xac100000, 12, ADDRESS_CLASS.PRIVATE], // 172.16.0.0/12
  [0xc0a80000, 16, ADDRESS_CLASS.PRIVATE], // 192.168.0.0/16
  [0x64400000, 10, ADDRESS_CLASS.SHARED], // 100.64.0.0/10
  [0x7f000000, 8, ADDRESS_CLASS.LOOPBACK], // 127.0.0.0/8
  [0xa9fe0000, 16, ADDRESS_CLASS.LINK_LOCAL], // 169.254.0.0/16
  [0xc0000200, 24, ADDRESS_CLASS.DOCUMENTATION], // 192.0.2.0/24
  [0xc6336400, 24, ADDRESS_CLASS.DOCUMENTATION], // 198.51.100.0/24
  [0xcb007100, 24, ADDRESS_CLASS.DOCUMENTATION], // 203.0.113.0/24
  [0xe0000000, 4, ADDRESS_CLASS.MULTICAST], // 224.0.0.0/4
  [0x00000000, 8, ADDRESS_CLASS.RESERVED], // 0.0.0.0/8 "this network"
  [0xc0000000, 24, ADDRESS_CLASS.RESERVED], // 192.0.0.0/24 IETF assignments
  [0xc6120000, 15, ADDRESS_CLASS.RESERVED], // 198.18.0.0/15 benchmarking
  [0xf0000000, 4, ADDRESS_CLASS.RESERVED], // 240.0.0.0/4
];

/** Masks for IPv4 prefix lengths 0-32. */
const IPV4_MASKS = Uint32Array.from({ length: 33 }, (_, n) =>
  n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0
);

/** {@link IPV4_SPECIAL} as parallel arrays: the per-line loop reads no tuples. */
const SPECIAL_NETWORKS = Uint32Array.from(IPV4_SPECIAL, ([network]) => network);
const SPECIAL_MASKS = Uint32Array.from(IPV4_SPECIAL, ([, n]) => IPV4_MASKS[n]!);
const SPECIAL_CLASSES = IPV4_SPECIAL.map(([, , kind]) => kind);

/**
 * Classifies an IPv4 address given as a 32-bit number.
 *
 * @example classifyIpv4(0x0a000001) // 'private' (10.0.0.1)
 */
function classifyIpv4(value: number): AddressClass {
  if (value === 0) return ADDRESS_CLASS.UNSPECIFIED;
  if (value === 0xffffffff) return ADDRESS_CLASS.BROADCAST;
  for (let i = 0; i < SPECIAL_NETWORKS.length; i++) {
    if ((value & SPECIAL_MASKS[i]!) >>> 0 === SPECIAL_NETWORKS[i]) {
      return SPECIAL_CLASSES[i]!;
    }
  }
  return ADDRESS_CLASS.PUBLIC;
}

/** True when bytes `[from, to)` of `b` are all zero. */
function zeros(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

/** ::ffff:0:0/96 (IPv4-mapped) or 64:ff9b::/96 (NAT64): classify the IPv4 tail. */
function embedsIpv4(b: Uint8Array): boolean {
  if (zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return true;
  return b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b
    ? zeros(b, 4, 12)
    : false;
}

/**
 * Classifies an IPv6 address given as 16 bytes. IPv4-mapped and NAT64
 * addresses take the class of the IPv4 address they carry.
 *
 * @example classifyIpv6(bytesOf('fd00::1')) // 'unique_local'
 */
function classifyIpv6(b: Uint8Array): AddressClass {
  if (zeros(b, 0, 15)) {
    if (b[15] === 0) return ADDRESS_CLASS.UNSPECIFIED;
    if (b[15] === 1) return ADDRESS_CLASS.LOOPBACK;
  }
  if (embedsIpv4(b)) return classifyIpv4(ipv4Number(b, 12));
  const b0 = b[0]!;
  if (b0 === 0xff) return ADDRESS_CLASS.MULTICAST;
  if ((b0 & 0xfe) === 0xfc) return ADDRESS_CLASS.UNIQUE_LOCAL;
  if (b0 === 0xfe && (b[1]! & 0xc0) === 0x80) return ADDRESS_CLASS.LINK_LOCAL;
  if (b0 === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) {
    return ADDRESS_CLASS.DOCUMENTATION; // 2001:db8::/32
  }
  if (b0 === 0x3f && b[1] === 0xff && (b[2]! & 0xf0) === 0) {
    return ADDRESS_CLASS.DOCUMENTATION; // 3fff::/20
  }
  return (b0 & 0xe0) === 0x20 ? ADDRESS_CLASS.PUBLIC : ADDRESS_CLASS.RESERVED;
}

/** A parsed CIDR block: the network's bytes (4 or 16) and prefix length. */
interface Cidr {
  readonly text: string;
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** Why a CIDR text was refused, or the parsed block. */
function tryParseCidr(text: string): Cidr | string {
  const trimmed = text.trim();
  const raw = Buffer.from(trimmed, 'latin1');
  const slash = raw.indexOf(SLASH);
  if (slash < 0) return 'has no /prefix-length';
  const bytes = new Uint8Array(16);
  const version = parseIp(raw, 0, slash, bytes);
  if (version === 0) return 'is not an IPv4 or IPv6 network';
  const digits = trimmed.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(digits) ? Number(digits) : -1;
  const max = version === 4 ? 32 : 128;
  if (prefix < 0 || prefix > max) return `prefix length must be 0-${max}`;
  const size = version === 4 ? 4 : 16;
  for (let bit = prefix; bit < size * 8; bit++) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) {
      return 'has host bits set after the prefix length';
    }
  }
  return { text: trimmed, version, bytes: bytes.slice(0, size), prefix };
}

/**
 * Parses `a.b.c.d/n` or `x:y::/n`, refusing host bits after the prefix.
 *
 * @param setting - named in the error, e.g. INTERNAL_CIDRS
 * @throws EnrichError ENRICH_BAD_CIDR naming the setting and the value
 * @example parseCidr('10.0.0.0/8').prefix // 8
 */
function parseCidr(text: string, setting = 'INTERNAL_CIDRS'): Cidr {
  const parsed = tryParseCidr(text);
  if (typeof parsed === 'string') {
    throw new EnrichError(
      'ENRICH_BAD_CIDR',
      `${setting}: '${text}' ${parsed}; expected CIDR blocks such as 10.0.0.0/8 or fc00::/7`
    );
  }
  return parsed;
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
 * A list of CIDR blocks to test addresses against. O(blocks) per test;
 * meant for short lists such as INTERNAL_CIDRS.
 *
 * @example new CidrSet(['10.0.0.0/8']).contains(bytes, 4)
 */
class CidrSet {
  readonly cidrs: readonly Cidr[];
  private readonly v4Networks: Uint32Array;
  private readonly v4Masks: Uint32Array;
  private readonly v6: readonly Cidr[];

  constructor(texts: readonly string[], setting = 'INTERNAL_CIDRS') {
    this.cidrs = texts.map((text) => parseCidr(text, setting));
    const v4 = this.cidrs.filter((c) => c.version === 4);
    this.v4Networks = Uint32Array.from(v4, (c) => ipv4Number(c.bytes));
    this.v4Masks = Uint32Array.from(v4, (c) => IPV4_MASKS[c.prefix]!);
    this.v6 = this.cidrs.filter((c) => c.version === 6);
  }

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
}

export type { AddressClass, Cidr, IpVersion };
export {
  ADDRESS_CLASS,
  CidrSet,
  classifyIpv4,
  classifyIpv6,
  ipv4Number,
  parseCidr,
  parseIp,
  tryParseCidr,
};
