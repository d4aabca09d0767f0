// The yardsticks every benchmark row is measured against.
import type { FirehoseTransformationEvent } from 'aws-lambda';

/**
 * FLOOR: what any transform pays — parse the event, decode and re-encode
 * every record's bytes, stringify the response.
 */
function floor(eventJson: string): string {
  const event = JSON.parse(eventJson) as FirehoseTransformationEvent;
  const records = event.records.map((record) => ({
    recordId: record.recordId,
    result: 'Ok',
    data: Buffer.from(record.data, 'base64').toString('base64'),
  }));
  return JSON.stringify({ records });
}

/**
 * FLOOR+OUT: FLOOR, but re-encoding bytes as large as our output instead of
 * the input. JSON output is 2.3-2.5x the flow-log text, so this is the least
 * any transform producing it can cost; OURS over it is our own work.
 */
function floorWithOutput(
  eventJson: string,
  outputs: readonly Buffer[]
): string {
  const event = JSON.parse(eventJson) as FirehoseTransformationEvent;
  const records = event.records.map((record, i) => {
    Buffer.from(record.data, 'base64');
    return {
      recordId: record.recordId,
      result: 'Ok',
      data: outputs[i]!.toString('base64'),
    };
  });
  return JSON.stringify({ records });
}

/**
 * NAIVE: how the blueprints transform — toString, split, Number,
 * JSON.stringify per line.
 */
function naive(
  eventJson: string,
  fields: ReadonlyArray<{ key: string; type: string }>
): string {
  const event = JSON.parse(eventJson) as FirehoseTransformationEvent;
  const records = event.records.map((record) => {
    const text = Buffer.from(record.data, 'base64').toString('utf8');
    let out = '';
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      const line = raw.startsWith('{')
        ? (JSON.parse(raw).message as string)
        : raw;
      const values = line.split(' ');
      const object: Record<string, string | number> = {};
      fields.forEach((field, i) => {
        const value = values[i]!;
        if (value === '-') return;
        object[field.key] = field.type === 'int' ? Number(value) : value;
      });
      out += `${JSON.stringify(object)}\n`;
    }
    return {
      recordId: record.recordId,
      result: 'Ok',
      data: Buffer.from(out).toString('base64'),
    };
  });
  return JSON.stringify({ records });
}

export { floor, floorWithOutput, naive };
