/**
 * ENRICH=tcp_flags: the names of the flags in the `tcp-flags` bitmask, as VPC
 * flow logs define them: FIN = 1, SYN = 2, RST = 4, SYN-ACK = 18. Flags are
 * OR-ed over the interval, so 3 is SYN and FIN, 19 is SYN-ACK and FIN.
 */
import { type FlowLogFormat, fieldIndex } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import type { LineEnrichment } from '../output/enrichment.ts';
import { keyBytes } from '../output/nested-writer.ts';
import type { Enricher } from './types.ts';

const FIN = 1;
const SYN = 2;
const RST = 4;
const ACK = 16;

/**
 * Flag names for one bitmask value, SYN or SYN-ACK first, then FIN, then
 * RST. ACK without SYN, PSH, URG, ECE and CWR are not flow-log flags and add
 * no name (AWS: "ACK and PSH alone are not reported").
 *
 * @example tcpFlagNames(19) // ['SYN-ACK', 'FIN']
 */
function tcpFlagNames(value: number): string[] {
  const names: string[] = [];
  if ((value & (SYN | ACK)) === (SYN | ACK)) names.push('SYN-ACK');
  else if (value & SYN) names.push('SYN');
  if (value & FIN) names.push('FIN');
  if (value & RST) names.push('RST');
  return names;
}

/** The JSON array of names for every byte value, shared by all lines. */
const NAMES_JSON_BY_VALUE: readonly Buffer[] = Array.from(
  { length: 256 },
  (_, value) => Buffer.from(JSON.stringify(tcpFlagNames(value)))
);

const K_TCP_FLAG_NAMES = keyBytes('tcp_flag_names');

/**
 * Adds `tcp_flag_names` (string[]; `[]` for 0). Needs `tcp-flags`. Values
 * above 255 add nothing. O(1) per line: the arrays are precomputed and shared.
 */
class TcpFlagsEnricher implements Enricher {
  readonly name = 'tcp_flags';
  private readonly flags: number;

  constructor(format: FlowLogFormat) {
    this.flags = fieldIndex(format, 'tcp-flags');
  }

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    const value = line.integer(this.flags);
    if (value === undefined || value > 255) return;
    into.addConst(K_TCP_FLAG_NAMES, NAMES_JSON_BY_VALUE[value]!);
  }
}

export { TcpFlagsEnricher, tcpFlagNames };
