/**
 * IPv4/IPv6 address parsing from bytes and CIDR prefix matching, for FILTER's
 * `in` lists. Networks are parsed once; matching a line allocates nothing.
 */

/** `.`, 0x2E */
const DOT = 0x2e;
/** `:`, 0x3A */
const COLON = 0x3a;
/** `0`, 0x30 */
const DIGIT_ZERO = 0x30;

/** Byte → hex digit value, or -1; index is the byte value. */
const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let b = 0; b < 10; b++) table[0x30 + b] = b; // 0-9
  for (let b = 0; b < 6; b++) {
    table[0x41 + b] = 10 + b; // A-F
    table[0x61 + b] = 10 + b; // a-f
  }
  return table;
})();

/**
 * Parses dotted-quad IPv4 text in `bytes[start, end)`.
 *
 * @returns the address as an unsigned 32-bit number, or -1 when not IPv4
 * @example parseIpv4(Buffer.from('10.0.0.1'), 0, 8) // 167772161
 */
function parseIpv4(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === DOT) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      continue;
    }
    const digit = b - DIGIT_ZERO;
    if (digit < 0 || digit > 9 || digits === 3) return -1;
    octet = octet * 10 + digit;
    if (octet > 255) return -1;
    digits++;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** Moves the groups after a `::` to the end and zero-fills the gap. */
function expandGap(out: Uint16Array, gap: number, count: number): void {
  const shift = 8 - count;
  for (let k = count - 1; k >= gap; k--) out[k + shift] = out[k]!;
  for (let k = gap; k < gap + shift; k++) out[k] = 0;
}

/** Reads an embedded IPv4 tail (`::ffff:1.2.3.4`) into two groups. */
function readIpv4Tail(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint16Array,
  count: number
): number {
  const v4 = count <= 6 ? parseIpv4(bytes, start, end) : -1;
  if (v4 < 0) return -1;
  out[count] = Math.floor(v4 / 65536);
  out[count + 1] = v4 % 65536;
  return count + 2;
}

/**
 * Parses IPv6 text in `bytes[start, end)` (RFC 4291 §2.2, with `::` and an
 * optional dotted-quad tail) into eight 16-bit groups. No zone IDs.
 *
 * @returns true when the text is an IPv6 address; `out` then holds it
 * @example parseIpv6(Buffer.from('fd00::1'), 0, 7, groups) // true
 */
function parseIpv6(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint16Array
): boolean {
  let i = start;
  let count = 0;
  let gap = -1;
  if (end - start >= 2 && bytes[i] === COLON && bytes[i + 1] === COLON) {
    gap = 0;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    while (i < end && i - groupStart < 4) {
      const hex = HEX_VALUE[bytes[i]!]!;
      if (hex < 0) break;
      value = value * 16 + hex;
      i++;
    }
    const digits = i - groupStart;
    if (i < end && bytes[i] === DOT) {
      count = readIpv4Tail(bytes, groupStart, end, out, count);
      if (count < 0) return false;
      i = end;
      break;
    }
    if (digits === 0 || count === 8) return false;
    out[count++] = value;
    if (i === end) break;
    if (bytes[i] !== COLON || i + 1 === end) return false;
    i++;
    if (bytes[i] === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  if (gap < 0) return count === 8;
  if (count === 8) return false;
  expandGap(out, gap, count);
  return true;
}

/** A parsed network: family, prefix length and the masked network bits. */
interface Cidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  /** IPv4: network and mask as unsigned 32-bit numbers. */
  readonly v4Network: number;
  readonly v4Mask: number;
  /** IPv6: network and mask as eight 16-bit groups. */
  readonly v6Network: Uint16Array;
  readonly v6Mask: Uint16Array;
}

/** True when text looks like `<address>/<anything>`: hex digits, `.`, `:`. */
function looksLikeCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash <= 0) return false;
  const address = text.slice(0, slash);
  return /^[0-9a-fA-F.:]+$/.test(address) && /[.:]/.test(address);
}

function parsePrefix(text: string, max: number): number {
  if (!/^[0-9]{1,3}$/.test(text)) return -1;
  const prefix = Number.parseInt(text, 10);
  return prefix <= max ? prefix : -1;
}

function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function v6Mask(prefix: number): Uint16Array {
  const mask = new Uint16Array(8);
  for (let k = 0; k < 8; k++) {
    const bits = Math.min(16, Math.max(0, prefix - k * 16));
    mask[k] = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
  }
  return mask;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

function formatIpv6(groups: Uint16Array): string {
  return Array.from(groups, (g) => g.toString(16)).join(':');
}

/**
 * Parses a CIDR literal such as `10.0.0.0/8` or `fd00::/8`. Compile time only.
 *
 * @returns the network, or a sentence saying what is wrong with it
 * @example parseCidr('10.0.0.0/8') // { family: 4, prefix: 8, … }
 */
function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const bytes = Buffer.from(text.slice(0, slash), 'latin1');
  const prefixText = text.slice(slash + 1);
  const v4 = parseIpv4(bytes, 0, bytes.length);
  if (v4 >= 0) {
    const prefix = parsePrefix(prefixText, 32);
    if (prefix < 0) return `the prefix length must be 0 to 32`;
    const mask = v4Mask(prefix);
    const network = (v4 & mask) >>> 0;
    if (network !== v4) {
      return `it has bits set after the /${prefix} prefix (the network is ${formatIpv4(network)}/${prefix})`;
    }
    const empty = new Uint16Array(8);
    return {
      family: 4,
      prefix,
      v4Network: network,
      v4Mask: mask,
      v6Network: empty,
      v6Mask: empty,
    };
  }
  const groups = new Uint16Array(8);
  if (!parseIpv6(bytes, 0, bytes.length, groups)) {
    return 'the address is neither IPv4 (a.b.c.d) nor IPv6';
  }
  const prefix = parsePrefix(prefixText, 128);
  if (prefix < 0) return `the prefix length must be 0 to 128`;
  const mask = v6Mask(prefix);
  const network = groups.map((g, k) => g & mask[k]!);
  if (network.some((g, k) => g !== groups[k])) {
    return `it has bits set after the /${prefix} prefix (the network is ${formatIpv6(network)}/${prefix})`;
  }
  return {
    family: 6,
    prefix,
    v4Network: 0,
    v4Mask: 0,
    v6Network: network,
    v6Mask: mask,
  };
}

/**
 * Tests an address field's bytes against a fixed set of networks. An IPv4
 * value only matches IPv4 networks, an IPv6 value only IPv6 networks (so
 * `::ffff:10.0.0.1` is not in `10.0.0.0/8`).
 */
class CidrMatcher {
  private readonly v4Networks: Float64Array;
  private readonly v4Masks: Float64Array;
  private readonly v6: readonly Cidr[];
  /** Reused per call: matching allocates nothing. */
  private readonly groups = new Uint16Array(8);

  constructor(cidrs: readonly Cidr[]) {
    const v4 = cidrs.filter((c) => c.family === 4);
    this.v4Networks = Float64Array.from(v4, (c) => c.v4Network);
    this.v4Masks = Float64Array.from(v4, (c) => c.v4Mask);
    this.v6 = cidrs.filter((c) => c.family === 6);
  }

  /**
   * True when `bytes[start, end)` is an address inside one of the networks.
   * O(networks); text that is not an address matches nothing.
   */
  matches(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.v4Networks.length > 0) {
      const address = parseIpv4(bytes, start, end);
      if (address >= 0) return this.matchesV4(address);
    }
    if (this.v6.length === 0) return false;
    return (
      parseIpv6(bytes, start, end, this.groups) && this.matchesV6(this.groups)
    );
  }

  private matchesV4(address: number): boolean {
    for (let k = 0; k < this.v4Networks.length; k++) {
      if ((address & this.v4Masks[k]!) >>> 0 === this.v4Networks[k]) {
        return true;
      }
    }
    return false;
  }

  private matchesV6(groups: Uint16Array): boolean {
    for (const cidr of this.v6) {
      let inside = true;
      for (let k = 0; k < 8 && inside; k++) {
        inside = (groups[k]! & cidr.v6Mask[k]!) === cidr.v6Network[k];
      }
      if (inside) return true;
    }
    return false;
  }
}

export type { Cidr };
export { CidrMatcher, looksLikeCidr, parseCidr, parseIpv4, parseIpv6 };
