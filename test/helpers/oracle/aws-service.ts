/**
 * ENRICH=aws_service: the AWS service and Region whose published range
 * (ip-ranges.json) holds each address.
 */
import type { FlowLogFormat } from '../../../shared/flowlog/format.ts';
import type { FlowLogLine } from '../../../shared/flowlog/line.ts';
import { ipv4Number } from '../../../shared/net/ip.ts';
import { addressFieldsOf, readAddress } from './address.ts';
import type { IpRangeTable } from './ip-ranges.ts';
import type { Enricher, Enrichment } from './types.ts';

/** Per address field: where it is and the two keys it adds. */
interface ServiceKeys {
  readonly index: number;
  readonly serviceKey: string;
  readonly regionKey: string;
}

/**
 * Adds `<field>_aws_service` and `<field>_aws_region` (strings) for each of
 * srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr inside a published AWS prefix.
 * A named service wins over AMAZON; then the most specific prefix. Needs at
 * least one address field and an {@link IpRangeTable}. O(log intervals) per
 * address.
 */
class AwsServiceEnricher implements Enricher {
  readonly name = 'aws_service';
  /** The table in use; the handler logs its `createDate` at cold start. */
  readonly ranges: IpRangeTable;
  private readonly fields: readonly ServiceKeys[];
  private readonly address = new Uint8Array(16);

  constructor(format: FlowLogFormat, ranges: IpRangeTable) {
    this.ranges = ranges;
    this.fields = addressFieldsOf(format).map(({ index, key }) => ({
      index,
      serviceKey: `${key}_aws_service`,
      regionKey: `${key}_aws_region`,
    }));
  }

  enrich(line: FlowLogLine, into: Enrichment): void {
    for (const field of this.fields) {
      const version = readAddress(line, field.index, this.address);
      if (version === 0) continue;
      const match =
        version === 4
          ? this.ranges.lookup4(ipv4Number(this.address))
          : this.ranges.lookup6(this.address);
      if (match === undefined) continue;
      into[field.serviceKey] = match.service;
      into[field.regionKey] = match.region;
    }
  }
}

export { AwsServiceEnricher };
