// Deterministic synthetic flow-log events for the benchmarks.
// - makeSizedEvent: the generator of scripts/make-big-event.mjs, events sized
//   by their JSON text (npm run bench);
// - makeEvent / formatOf: the earlier generator, events sized by their
//   decoded data, kept for test/bench/audit-cost.ts and
//   test/aws/helpers/reingest-simulation.ts, whose published figures used it.
import { prng, V5_29_FORMAT } from '../../scripts/lib/seeded.mjs';
import {
  FORMATS,
  type GeneratedEvent,
  type GeneratedFormat,
  LAMBDA_REQUEST_LIMIT,
  makeEvent as makeSizedEvent,
  V8_40_FORMAT,
} from '../../scripts/make-big-event.mjs';
import { VPC_DEFAULT_FORMAT } from '../../shared/flowlog/fields.ts';

function lineMaker(formatName: 'v2' | 'v5', random: () => number) {
  const int = (max: number) => Math.floor(random() * max);
  const ip = () => `10.${int(256)}.${int(256)}.${int(256)}`;
  const hex = (n: number) =>
    Array.from({ length: n }, () => int(16).toString(16)).join('');
  return (): string => {
    const start = 1700000000 + int(86400);
    const action = random() < 0.2 ? 'REJECT' : 'ACCEPT';
    const src = ip();
    const dst = ip();
    const sport = int(65536);
    const dport = [443, 22, 80, 3389, 53][int(5)]!;
    const packets = 1 + int(5000);
    const bytes = packets * (40 + int(1400));
    if (formatName === 'v2') {
      return `2 123456789012 eni-${hex(17)} ${src} ${dst} ${sport} ${dport} 6 ${packets} ${bytes} ${start} ${start + 60} ${action} OK`;
    }
    const egress = random() < 0.5;
    return `5 ${src} ${dst} ${sport} ${dport} 6 ${start} ${start + 60} IPv4 ${packets} ${bytes} 123456789012 vpc-${hex(17)} subnet-${hex(17)} i-${hex(17)} eni-${hex(17)} us-east-1 use1-az${1 + int(6)} - - ${action} ${[0, 2, 3, 18, 19][int(5)]} ${src} ${dst} ${egress ? '-' : 'S3'} ${egress ? 'S3' : '-'} ${egress ? 1 + int(8) : '-'} ${egress ? 'egress' : 'ingress'} OK`;
  };
}

/** A Firehose event whose record data adds up to about `targetBytes`. */
function makeEvent(
  formatName: 'v2' | 'v5',
  targetBytes: number,
  wrapped: boolean,
  seed = 42
): { json: string; textBytes: number; records: number } {
  const random = prng(seed);
  const nextLine = lineMaker(formatName, random);
  const records: Array<{
    recordId: string;
    approximateArrivalTimestamp: number;
    data: string;
  }> = [];
  let dataBytes = 0;
  let textBytes = 0;
  while (dataBytes < targetBytes) {
    const line = nextLine();
    const data = wrapped
      ? `${JSON.stringify({ message: line })}\n`
      : `${line}\n`;
    textBytes += line.length + 1;
    dataBytes += data.length;
    records.push({
      recordId: `49546986683135544286507457936321625675700192471156785154${String(records.length).padStart(6, '0')}`,
      approximateArrivalTimestamp: 1700000000000,
      data: Buffer.from(data).toString('base64'),
    });
  }
  const event = {
    invocationId: 'bench',
    deliveryStreamArn:
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/bench',
    region: 'us-east-1',
    records,
  };
  return { json: JSON.stringify(event), textBytes, records: records.length };
}

/** The LogFormat of a benchmark format name. */
function formatOf(name: 'v2' | 'v5'): string {
  return name === 'v2' ? VPC_DEFAULT_FORMAT : V5_29_FORMAT;
}

export type { GeneratedEvent, GeneratedFormat };
export {
  FORMATS,
  formatOf,
  LAMBDA_REQUEST_LIMIT,
  makeEvent,
  makeSizedEvent,
  prng,
  V5_29_FORMAT,
  V8_40_FORMAT,
};
