/**
 * CIDR literals in FILTER's `in` lists: recognising them and wording what is
 * wrong with them. Parsing and matching are shared/net/ip.ts's.
 */
import { type Cidr, parseCidrText } from '../net/ip.ts';

/** True when text looks like `<address>/<anything>`: hex digits, `.`, `:`. */
function looksLikeCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash <= 0) return false;
  const address = text.slice(0, slash);
  return /^[0-9a-fA-F.:]+$/.test(address) && /[.:]/.test(address);
}

/**
 * Parses a CIDR literal such as `10.0.0.0/8` or `fd00::/8`. Compile time only.
 *
 * @returns the network, or a sentence saying what is wrong with it
 * @example parseCidr('10.0.0.0/8') // { version: 4, prefix: 8, … }
 */
function parseCidr(text: string): Cidr | string {
  const parsed = parseCidrText(text);
  if (!('problem' in parsed)) return parsed;
  switch (parsed.problem) {
    case 'no-prefix':
    case 'address':
      return 'the address is neither IPv4 (a.b.c.d) nor IPv6';
    case 'prefix-length':
      return `the prefix length must be 0 to ${parsed.max}`;
    case 'host-bits': {
      const prefix = parsed.network.slice(parsed.network.indexOf('/') + 1);
      return `it has bits set after the /${prefix} prefix (the network is ${parsed.network})`;
    }
  }
}

export { looksLikeCidr, parseCidr };
