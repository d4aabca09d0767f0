/**
 * ENRICH=aws_service: the AWS service and Region whose published range
 * (ip-ranges.json) holds each address.
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import type { FlowLogLine } from '../flowlog/line.ts';
import { ipv4Number } from '../net/ip.ts';
import {
  type EnrichmentRun,
  enrichmentRun,
  type LineEnrichment,
} from '../output/enrichment.ts';
import { keyBytes } from '../output/nested-writer.ts';
import { addressFieldsOf, ParsedAddresses } from './address.ts';
import type { IpRangeMatch, IpRangeTable } from './ip-ranges.ts';
import type { Enricher } from './types.ts';

/** Per address field: where it is and the two keys it adds. */
interface ServiceKeys {
  readonly index: number;
  /** Bytes of `"<key>_aws_service":`. */
  readonly serviceKey: Buffer;
  /** Bytes of `"<key>_aws_region":`. */
  readonly regionKey: Buffer;
  /** Both entries per match, preformatted (see {@link MAX_CACHED_NAMES}). */
  readonly runs: Map<IpRangeMatch, EnrichmentRun>;
}

/**
 * Service and Region names kept as JSON bytes: ip-ranges.json names a few
 * dozen services and Regions; past this many (a hostile document) values
 * are encoded per line instead of cached.
 */
const MAX_CACHED_NAMES = 4096;

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
  private readonly parsed: ParsedAddresses;
  private readonly names = new Map<string, Buffer>();

  constructor(
    format: FlowLogFormat,
    ranges: IpRangeTable,
    parsed?: ParsedAddresses
  ) {
    this.parsed = parsed ?? new ParsedAddresses(format.fields.length);
    this.ranges = ranges;
    this.fields = addressFieldsOf(format).map(({ index, key }) => ({
      index,
      serviceKey: keyBytes(`${key}_aws_service`),
      regionKey: keyBytes(`${key}_aws_region`),
      runs: new Map(),
    }));
  }

  enrich(line: FlowLogLine, into: LineEnrichment): void {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const version = this.parsed.version(line, field.index, into.serial);
      if (version === 0) continue;
      const address = this.parsed.bytes(field.index);
      const match =
        version === 4
          ? this.ranges.lookup4(ipv4Number(address))
          : this.ranges.lookup6(address);
      if (match === undefined) continue;
      into.addRun(this.run(field, match));
    }
  }

  /**
   * The field's two entries for a match, cached per match object: a table
   * refresh makes new matches, so the cache is emptied when full.
   */
  private run(field: ServiceKeys, match: IpRangeMatch): EnrichmentRun {
    let run = field.runs.get(match);
    if (run === undefined) {
      run = enrichmentRun([
        [field.serviceKey, this.json(match.service)],
        [field.regionKey, this.json(match.region)],
      ]);
      if (field.runs.size >= MAX_CACHED_NAMES) field.runs.clear();
      field.runs.set(match, run);
    }
    return run;
  }

  /** A name as JSON string bytes, cached. */
  private json(name: string): Buffer {
    let bytes = this.names.get(name);
    if (bytes === undefined) {
      bytes = Buffer.from(JSON.stringify(name), 'utf8');
      if (this.names.size < MAX_CACHED_NAMES) this.names.set(name, bytes);
    }
    return bytes;
  }
}

export { AwsServiceEnricher };
