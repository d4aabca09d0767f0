/**
 * ENRICH=protocol: the IANA keyword of the `protocol` number
 * (https://www.iana.org/assignments/protocol-numbers, protocol-numbers-1.csv).
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import { ENRICHMENT_ROLE, type LineEnrichment } from '../output/enrichment.ts';
import { keyBytes } from '../output/nested-writer.ts';
import type { Enricher } from './types.ts';

/**
 * IANA keywords for protocol numbers 0-146, by number. An empty string marks
 * a number IANA assigns without a keyword (61, 63, 68, 99, 114). Keywords
 * IANA suffixes with " (deprecated)" (13, 53, 95, 122) are kept without the
 * suffix; 84 has two keywords (TTP, IPTM) and reports the first.
 */
// biome-ignore format: ten numbers per row, as the registry counts them
const IANA_KEYWORDS: readonly string[] = [
  'HOPOPT', 'ICMP', 'IGMP', 'GGP', 'IPv4', 'ST', 'TCP', 'CBT', 'EGP', 'IGP', // 0-9
  'BBN-RCC-MON', 'NVP-II', 'PUP', 'ARGUS', 'EMCON', 'XNET', 'CHAOS', 'UDP', 'MUX', 'DCN-MEAS', // 10-19
  'HMP', 'PRM', 'XNS-IDP', 'TRUNK-1', 'TRUNK-2', 'LEAF-1', 'LEAF-2', 'RDP', 'IRTP', 'ISO-TP4', // 20-29
  'NETBLT', 'MFE-NSP', 'MERIT-INP', 'DCCP', '3PC', 'IDPR', 'XTP', 'DDP', 'IDPR-CMTP', 'TP++', // 30-39
  'IL', 'IPv6', 'SDRP', 'IPv6-Route', 'IPv6-Frag', 'IDRP', 'RSVP', 'GRE', 'DSR', 'BNA', // 40-49
  'ESP', 'AH', 'I-NLSP', 'SWIPE', 'NARP', 'Min-IPv4', 'TLSP', 'SKIP', 'IPv6-ICMP', 'IPv6-NoNxt', // 50-59
  'IPv6-Opts', '', 'CFTP', '', 'SAT-EXPAK', 'KRYPTOLAN', 'RVD', 'IPPC', '', 'SAT-MON', // 60-69
  'VISA', 'IPCV', 'CPNX', 'CPHB', 'WSN', 'PVP', 'BR-SAT-MON', 'SUN-ND', 'WB-MON', 'WB-EXPAK', // 70-79
  'ISO-IP', 'VMTP', 'SECURE-VMTP', 'VINES', 'TTP', 'NSFNET-IGP', 'DGP', 'TCF', 'EIGRP', 'OSPFIGP', // 80-89
  'Sprite-RPC', 'LARP', 'MTP', 'AX.25', 'IPIP', 'MICP', 'SCC-SP', 'ETHERIP', 'ENCAP', '', // 90-99
  'GMTP', 'IFMP', 'PNNI', 'PIM', 'ARIS', 'SCPS', 'QNX', 'A/N', 'IPComp', 'SNP', // 100-109
  'Compaq-Peer', 'IPX-in-IP', 'VRRP', 'PGM', '', 'L2TP', 'DDX', 'IATP', 'STP', 'SRP', // 110-119
  'UTI', 'SMP', 'SM', 'PTP', 'ISIS over IPv4', 'FIRE', 'CRTP', 'CRUDP', 'SSCOPMCE', 'IPLT', // 120-129
  'SPS', 'PIPE', 'SCTP', 'FC', 'RSVP-E2E-IGNORE', 'Mobility Header', 'UDPLite', 'MPLS-in-IP', 'manet', 'HIP', // 130-139
  'Shim6', 'WESP', 'ROHC', 'Ethernet', 'AGGFRAG', 'NSH', 'Homa', // 140-146
];

/** 255 is the only number above 146 with an IANA keyword. */
const RESERVED_NUMBER = 255;

/** Keyword by protocol number 0-255; undefined where IANA gives none. */
const PROTOCOL_NAMES: ReadonlyArray<string | undefined> = Object.freeze(
  Array.from({ length: 256 }, (_, n) => {
    if (n === RESERVED_NUMBER) return 'Reserved';
    const keyword = IANA_KEYWORDS[n];
    return keyword ? keyword : undefined;
  })
);

/** {@link PROTOCOL_NAMES} as JSON string bytes. */
const PROTOCOL_NAME_JSON: ReadonlyArray<Buffer | undefined> =
  PROTOCOL_NAMES.map((name) =>
    name === undefined ? undefined : Buffer.from(JSON.stringify(name))
  );

const K_PROTOCOL_NAME = keyBytes('protocol_name');

/**
 * The IANA keyword of a protocol number, or undefined for numbers without one
 * (unassigned 147-252, experimentation 253-254, and the five keyword-less
 * assignments).
 *
 * @example protocolName(58) // 'IPv6-ICMP'
 */
function protocolName(protocol: number): string | undefined {
  return PROTOCOL_NAMES[protocol];
}

/**
 * Adds `protocol_name` (string). Needs `protocol`. O(1) per line.
 *
 * @example new ProtocolEnricher(format).enrich(line, into) // into.toObject().protocol_name === 'TCP'
 */
class ProtocolEnricher implements Enricher {
  readonly name = 'protocol';
  private readonly protocol: number;

  constructor(format: FlowLogFormat) {
    this.protocol = fieldIndex(format, 'protocol');
  }

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    const value = line.integer(this.protocol);
    if (value === undefined || value > 255) return;
    const name = PROTOCOL_NAME_JSON[value];
    if (name === undefined) return;
    into.addConst(K_PROTOCOL_NAME, name, ENRICHMENT_ROLE.PROTOCOL_NAME, value);
  }
}

export { PROTOCOL_NAMES, ProtocolEnricher, protocolName };
