/**
 * IP address primitives for the enrichers: parse an address straight from a
 * line's bytes into 16 bytes, classify it, and match it against CIDR lists.
 * No strings are made on the per-line path.
 */
import {
  type Cidr,
  CidrSet,
  IPV4_MASKS,
  ipv4Number,
  parseCidrText,
} from '../net/ip.ts';
import { EnrichError } from './errors.ts';

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

/**
 * Why a CIDR text was refused, worded for INTERNAL_CIDRS, or the block.
 *
 * @example tryParseCidr('10.0.0.1/8') // 'has host bits set after the prefix length'
 */
function tryParseCidr(text: string): Cidr | string {
  const parsed = parseCidrText(text);
  if (!('problem' in parsed)) return parsed;
  switch (parsed.problem) {
    case 'no-prefix':
      return 'has no /prefix-length';
    case 'address':
      return 'is not an IPv4 or IPv6 network';
    case 'prefix-length':
      return `prefix length must be 0-${parsed.max}`;
    case 'host-bits':
      return `has host bits set after the prefix length (the network is ${parsed.network})`;
  }
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

/**
 * The internal networks (INTERNAL_CIDRS) as a set to test addresses against.
 *
 * @throws EnrichError ENRICH_BAD_CIDR naming the setting and the bad value
 * @example internalNetworks(['10.0.0.0/8']).contains(bytes, 4)
 */
function internalNetworks(
  texts: readonly string[],
  setting = 'INTERNAL_CIDRS'
): CidrSet {
  return new CidrSet(texts.map((text) => parseCidr(text, setting)));
}

export type { AddressClass };
export {
  ADDRESS_CLASS,
  classifyIpv4,
  classifyIpv6,
  internalNetworks,
  parseCidr,
  tryParseCidr,
};
