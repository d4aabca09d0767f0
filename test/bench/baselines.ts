// The yardsticks every benchmark row is measured against. Each takes the
// event's JSON text and returns the response's JSON text, as the Lambda
// runtime hands a function its event and sends back its result.
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';

/** A field of the format, for NAIVE: its output key and whether numeric. */
interface NaiveField {
  readonly key: string;
  readonly type: 'int' | 'string';
}

/**
 * FLOOR: what any transform pays — parse the event, decode and re-encode
 * every record's bytes, stringify the response.
 */
function floor(eventJson: string): string {
  const event = JSON.parse(eventJson) as FirehoseTransformationEvent;
  const records: FirehoseTransformationResultRecord[] = [];
  for (const record of event.records) {
    records.push({
      recordId: record.recordId,
      result: 'Ok',
      data: Buffer.from(record.data, 'base64').toString('base64'),
    });
  }
  return JSON.stringify({ records });
}

/**
 * FLOOR-EXACT: FLOOR, but each record re-encodes bytes exactly as large as
 * our output for it (`outputs[i]`, our decoded output) instead of its input:
 * the least any transform producing that output can pay. OURS over it is
 * our own work.
 */
function floorExact(eventJson: string, outputs: readonly Buffer[]): string {
  const event = JSON.parse(eventJson) as FirehoseTransformationEvent;
  const records: FirehoseTransformationResultRecord[] = [];
  for (let i = 0; i < event.records.length; i++) {
    const record = event.records[i]!;
    // Decoded as any transform must, then replaced by the output's bytes.
    Buffer.from(record.data, 'base64');
    records.push({
      recordId: record.recordId,
      result: 'Ok',
      data: outputs[i]!.toString('base64'),
    });
  }
  return JSON.stringify({ records });
}

/** One line to a JSON object the blueprint way. */
function naiveLine(line: string, fields: readonly NaiveField[]): string {
  const values = line.split(' ');
  const object: Record<string, string | number> = {};
  for (let i = 0; i < fields.length; i++) {
    const value = values[i]!;
    if (value === '-') continue;
    const field = fields[i]!;
    object[field.key] = field.type === 'int' ? Number(value) : value;
  }
  return JSON.stringify(object);
}

/**
 * NAIVE: how the AWS blueprints transform — toString, split, Number,
 * JSON.stringify per line (no range checks: 64-bit counters lose digits).
 */
function naive(eventJson: string, fields: readonly NaiveField[]): string {
  const event = JSON.parse(eventJson) as FirehoseTransformationEvent;
  const records: FirehoseTransformationResultRecord[] = [];
  for (const record of event.records) {
    const text = Buffer.from(record.data, 'base64').toString('utf8');
    let out = '';
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      const line = raw.startsWith('{')
        ? (JSON.parse(raw) as { message: string }).message
        : raw;
      out += `${naiveLine(line, fields)}\n`;
    }
    records.push({
      recordId: record.recordId,
      result: 'Ok',
      data: Buffer.from(out).toString('base64'),
    });
  }
  return JSON.stringify({ records });
}

export type { NaiveField };
export { floor, floorExact, naive };
