// The re-ingestion marker `#flp-reingest/1 attempt=N`: docs/reingestion.md
// documents N as 1-9. A line with any other attempt is not a marker: it stays
// in the data and the record fails as a malformed line.
import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../../shared/firehose/batch.ts';
import {
  MARKER_BYTES,
  readReingestMarker,
} from '../../../shared/firehose/reingest-marker.ts';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { jsonTransformer } from '../../helpers/pipeline.ts';

/** AWS's documented v2 example ("Flow log record examples"). */
const LINE =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n';

const marked = (attempt: string) =>
  Buffer.from(`#flp-reingest/1 attempt=${attempt}\n${LINE}`);

describe('readReingestMarker', () => {
  it.each(['1', '9'])('reads attempt=%s, inside the documented 1-9', (n) => {
    expect(readReingestMarker(marked(n))).toEqual({
      attempt: Number(n),
      offset: MARKER_BYTES,
    });
  });

  it.each(['0', '10'])('leaves attempt=%s, outside 1-9, in the data', (n) => {
    expect(readReingestMarker(marked(n))).toEqual({ attempt: 0, offset: 0 });
  });

  it.each(['0', '10'])(
    'fails a record marked attempt=%s as malformed, answering the rest',
    (n) => {
      // Prepare
      const event = {
        records: [marked(n), marked('1')].map((bytes, i) => ({
          recordId: `r${i}`,
          approximateArrivalTimestamp: 1_700_000_000_000,
          data: bytes.toString('base64'),
        })),
      };
      // Act
      const { response } = transformBatch(
        event,
        jsonTransformer(VPC_DEFAULT_FORMAT)
      );
      // Assess
      expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
        ['r0', 'ProcessingFailed'],
        ['r1', 'Ok'],
      ]);
    }
  );
});
