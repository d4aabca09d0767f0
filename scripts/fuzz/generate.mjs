// Seeded generation of Firehose records for the fuzzer: realistic flow-log
// lines of several formats in every framing the function accepts (bare
// lines, `{"message":…}` wrappers, gzip CloudWatch Logs envelopes, plain
// envelopes), garbage and hostile sizes, then byte-level mutations.
//
// A record is kept as a *form* so that the shrinker can cut it down:
//   { kind: 'raw', payload }    data = base64(payload)
//   { kind: 'gzip', payload }   data = base64(gzip(payload))
//   { kind: 'gzip2', payload, split }  two gzip members: payload[0, split)
//                                and payload[split, …)
//   { kind: 'b64', payload }    data = payload as text (possibly not base64)
import { gzipSync } from 'node:zlib';
import { V5_29_FORMAT } from '../lib/seeded.mjs';

/** AWS's VPC default format (version 2 fields in documented order). */
const VPC_DEFAULT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';

/** AWS's Transit Gateway default format. */
const TGW_DEFAULT =
  '${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} ${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} ${tgw-src-vpc-id} ${tgw-dst-vpc-id} ${tgw-src-subnet-id} ${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} ${tgw-dst-az-id} ${tgw-pair-attachment-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${log-status} ${type} ${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} ${packets-lost-ttl-expired} ${tcp-flags} ${region} ${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service}';

/** The settings the handler runs under, one bundle instance each. */
const PROFILES = [
  { name: 'v2-default', format: VPC_DEFAULT, version: 2 },
  {
    name: 'v2-filter',
    format: VPC_DEFAULT,
    version: 2,
    filter: 'action = REJECT',
  },
  { name: 'v5-29', format: V5_29_FORMAT, version: 5 },
  {
    name: 'v7-v8-ecs',
    format: `${VPC_DEFAULT} \${ecs-cluster-name} \${ecs-task-id} \${ecs-service-name} \${ecs-cluster-arn} \${reject-reason}`,
    version: 8,
  },
  { name: 'tgw', format: TGW_DEFAULT, version: 6 },
  {
    name: 'custom-unknown',
    format:
      '${version} ${srcaddr} ${x-custom-tag} ${bytes} ${account-id} ${tcp-flags} ${traffic-path} ${flow-direction}',
    version: 5,
  },
];

const INT_EDGES = [
  '0',
  '00',
  '007',
  '9007199254740993',
  '18446744073709551615',
  '018446744073709551615',
  '18446744073709551616',
  '99999999999999999999999',
  '4294967296',
  '-',
];
const STRING_EDGES = [
  'unknown',
  '012345678901',
  'é',
  '日本語',
  '😀',
  'a"b',
  'a\\b',
  '\u0001',
  '\u007f',
  '\u2028',
  '}{',
  '} {',
  '{"message":"x"}',
  '-',
  '--',
];

function rnd(rng, n) {
  return Math.floor(rng() * n);
}

function pick(rng, list) {
  return list[rnd(rng, list.length)];
}

function hex(rng, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rnd(rng, 16)];
  return s;
}

function digits(rng, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rnd(rng, 10));
  return s;
}

function ipv4(rng) {
  return `${rnd(rng, 256)}.${rnd(rng, 256)}.${rnd(rng, 256)}.${rnd(rng, 256)}`;
}

function address(rng) {
  if (rng() < 0.8) return ipv4(rng);
  return `2001:db8:${hex(rng, 4)}:${hex(rng, 4)}::${hex(rng, 3)}`;
}

/** A plausible value for one field of a line, `-` sometimes. */
function fieldValue(rng, name, profile) {
  if (rng() < 0.02) return pick(rng, STRING_EDGES);
  if (rng() < 0.08) return '-';
  switch (name) {
    case 'version':
      return String(profile.version);
    case 'srcport':
    case 'dstport':
      return String(rnd(rng, 65536));
    case 'protocol':
      return pick(rng, ['6', '17', '1', '58', String(rnd(rng, 256))]);
    case 'packets':
    case 'bytes':
    case 'packets-lost-no-route':
    case 'packets-lost-blackhole':
    case 'packets-lost-mtu-exceeded':
    case 'packets-lost-ttl-expired':
      return rng() < 0.05 ? pick(rng, INT_EDGES) : String(rnd(rng, 1e9));
    case 'start':
    case 'end':
      return String(1_700_000_000 + rnd(rng, 1e7));
    case 'tcp-flags':
      return String(pick(rng, [0, 1, 2, 3, 18, 19, 4, 24, rnd(rng, 256)]));
    case 'traffic-path':
      return String(1 + rnd(rng, 8));
    case 'action':
      return rng() < 0.5 ? 'ACCEPT' : 'REJECT';
    case 'log-status':
      return pick(rng, ['OK', 'OK', 'OK', 'NODATA', 'SKIPDATA']);
    case 'account-id':
    case 'tgw-src-vpc-account-id':
    case 'tgw-dst-vpc-account-id':
      return rng() < 0.1 ? 'unknown' : `0${digits(rng, 11)}`;
    case 'srcaddr':
    case 'dstaddr':
    case 'pkt-srcaddr':
    case 'pkt-dstaddr':
      return address(rng);
    case 'interface-id':
    case 'tgw-src-eni':
    case 'tgw-dst-eni':
      return `eni-${hex(rng, 17)}`;
    case 'type':
      return pick(rng, ['IPv4', 'IPv6', 'EFA']);
    case 'flow-direction':
      return rng() < 0.5 ? 'ingress' : 'egress';
    case 'region':
      return pick(rng, ['us-east-1', 'eu-west-3', 'ap-southeast-2']);
    case 'resource-type':
      return pick(rng, ['TransitGateway', 'TransitGatewayAttachment']);
    case 'reject-reason':
      return 'BPA';
    case 'pkt-src-aws-service':
    case 'pkt-dst-aws-service':
      return pick(rng, ['S3', 'AMAZON', 'EC2', 'ROUTE53']);
    case 'x-custom-tag':
      return pick(rng, ['tag', 'ü-ñ', 'a"q', 'b\\s', '☃', `t${hex(rng, 6)}`]);
    default:
      return `${name.split('-')[0]}-${hex(rng, 1 + rnd(rng, 17))}`;
  }
}

const NAMES = new WeakMap();

function names(profile) {
  let list = NAMES.get(profile);
  if (list === undefined) {
    list = profile.format.split(' ').map((t) => t.slice(2, -1));
    NAMES.set(profile, list);
  }
  return list;
}

/** One flow-log line; sometimes tabs or runs of blanks between fields. */
function flowLine(rng, profile) {
  const values = names(profile).map((n) => fieldValue(rng, n, profile));
  if (rng() < 0.9) return values.join(' ');
  return values
    .map((v, i) => (i === 0 ? v : `${pick(rng, ['  ', '\t', ' \t '])}${v}`))
    .join('');
}

function flowLines(rng, profile, max) {
  const n = 1 + rnd(rng, rng() < 0.9 ? Math.min(max, 6) : max);
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(flowLine(rng, profile));
  return lines;
}

/** JSON string text with random (valid) escapes. */
function jsonString(rng, text) {
  if (rng() < 0.7) return JSON.stringify(text);
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (ch === '"' || ch === '\\' || code < 0x20) {
      out += JSON.stringify(ch).slice(1, -1);
    } else if (rng() < 0.1 && code < 0x10000) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (ch === '/' && rng() < 0.5) {
      out += '\\/';
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

function wrap(rng, line) {
  const message = jsonString(rng, line);
  const r = rng();
  if (r < 0.8) return `{"message":${message}}`;
  if (r < 0.9) return `{ "message" : ${message} }`;
  return `{"timestamp":${rnd(rng, 1e12)},"message":${message},"x":[1,{}]}`;
}

function joinLines(rng, lines) {
  const eol = rng() < 0.8 ? '\n' : '\r\n';
  let text = lines.join(eol);
  if (rng() < 0.5) text += eol;
  if (rng() < 0.05) text = `${eol}${text}${eol}${eol}`;
  return text;
}

function header(profile) {
  return names(profile).join(' ');
}

function envelope(rng, messages) {
  const events = messages.map(
    (message, i) =>
      `{"id":"${digits(rng, 56)}","timestamp":${1_700_000_000_000 + i},"message":${jsonString(rng, message)}}`
  );
  return `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"vpc-flow-logs","logStream":"eni-${hex(rng, 17)}-all","subscriptionFilters":["to-firehose"],"logEvents":[${events.join(',')}]}`;
}

const CONTROL = `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1700000000000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`;

function envelopes(rng, profile) {
  const n = rng() < 0.8 ? 1 : 2 + rnd(rng, 3);
  const parts = [];
  for (let i = 0; i < n; i++) {
    if (rng() < 0.15) parts.push(CONTROL);
    else parts.push(envelope(rng, flowLines(rng, profile, 12)));
  }
  return parts.join(pick(rng, ['', '', '\n', ' ', '\r\n']));
}

/** A record in one of the framings, before mutation. */
function framed(rng, profile) {
  const r = rng();
  if (r < 0.3) {
    const lines = flowLines(rng, profile, 40);
    if (rng() < 0.08)
      lines.splice(rnd(rng, lines.length + 1), 0, header(profile));
    if (rng() < 0.05) lines.splice(rnd(rng, lines.length + 1), 0, '', ' \t');
    return {
      kind: 'raw',
      payload: Buffer.from(joinLines(rng, lines)),
      label: 'bare',
    };
  }
  if (r < 0.52) {
    const lines = flowLines(rng, profile, 20).map((l) => wrap(rng, l));
    return {
      kind: 'raw',
      payload: Buffer.from(joinLines(rng, lines)),
      label: 'wrapped',
    };
  }
  if (r < 0.72) {
    const text = envelopes(rng, profile);
    if (rng() < 0.2) {
      const split = text.indexOf('}{') + 1 || text.indexOf('}\n{') + 1 || 0;
      return {
        kind: 'gzip2',
        payload: Buffer.from(text),
        split,
        label: 'cwl-gzip-members',
      };
    }
    return { kind: 'gzip', payload: Buffer.from(text), label: 'cwl-gzip' };
  }
  if (r < 0.78) {
    return {
      kind: 'raw',
      payload: Buffer.from(envelopes(rng, profile)),
      label: 'cwl-plain',
    };
  }
  if (r < 0.83) {
    const lines = flowLines(rng, profile, 30);
    if (rng() < 0.3) lines.unshift(header(profile));
    return {
      kind: 'gzip',
      payload: Buffer.from(joinLines(rng, lines)),
      label: 'gzip-lines',
    };
  }
  if (r < 0.88) return garbage(rng);
  if (r < 0.93) return badBase64(rng, profile);
  if (r < 0.96) return small(rng);
  return { kind: 'raw', payload: Buffer.alloc(0), label: 'empty' };
}

/** The short JSON-ish and blank records that broke the fast paths. */
function small(rng) {
  const text = pick(rng, [
    '{"a":"b"}',
    '{""}',
    '{"msg":"x"}',
    '{}',
    '{',
    '}',
    '{"message":""}',
    '{"message":"}',
    '{"message":"',
    '{"message":"-"}',
    '{"message":1}',
    '{"message":null}',
    '[]',
    '"x"',
    ' ',
    '\n',
    '\r\n',
    '\t\t',
    '-',
    '{"messageType":"CONTROL_MESSAGE"}',
    '{"messageType":"DATA_MESSAGE","logEvents":[]}',
  ]);
  const suffix = pick(rng, ['', '\n', '\r\n', ' ']);
  return { kind: 'raw', payload: Buffer.from(text + suffix), label: 'small' };
}

function garbage(rng) {
  const n = rnd(rng, rng() < 0.9 ? 64 : 4096);
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) bytes[i] = rnd(rng, 256);
  if (rng() < 0.3 && n >= 2) {
    bytes[0] = 0x1f;
    bytes[1] = 0x8b;
  }
  return { kind: 'raw', payload: bytes, label: 'garbage' };
}

function badBase64(rng, profile) {
  const good = Buffer.from(flowLine(rng, profile)).toString('base64');
  const chars = [...good];
  const r = rng();
  if (r < 0.25)
    chars.splice(
      rnd(rng, chars.length),
      0,
      pick(rng, ['-', '_', '*', ' ', '\n', '.', 'é'])
    );
  else if (r < 0.45) chars.splice(rnd(rng, chars.length), 1);
  else if (r < 0.6) chars.push('=');
  else if (r < 0.75) chars.splice(0, chars.length, ...good.replace(/=+$/, ''));
  else chars.splice(rnd(rng, chars.length), 0, '=');
  return { kind: 'b64', payload: Buffer.from(chars.join('')), label: 'base64' };
}

/** Inserted by mutations: bytes that matter to framing and scanning. */
const INTERESTING = [
  0x20, 0x09, 0x0d, 0x0a, 0x7b, 0x7d, 0x22, 0x5c, 0x2d, 0x30, 0x39, 0x00, 0x80,
  0xff, 0xc3, 0xed, 0x3a, 0x2c, 0x5b, 0x5d, 0x1f, 0x8b,
];
const SPLICES = [
  '{"a":"b"}',
  '\n{"a":"b"}',
  '\n{""}\n',
  '}{',
  '} {',
  '\\u0000',
  '\\ud800',
  '\\"',
  '\\n',
  '18446744073709551616',
  '\r',
  '\n\n',
  '"}',
  '{"message":"',
];

/** One byte-level mutation of `bytes`. */
function mutateOnce(rng, bytes, donor) {
  const n = bytes.length;
  const at = rnd(rng, n + 1);
  switch (rnd(rng, 8)) {
    case 0:
      if (n === 0) return bytes;
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from([rnd(rng, 256)]),
        bytes.subarray(at + 1),
      ]);
    case 1:
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from([pick(rng, INTERESTING)]),
        bytes.subarray(at),
      ]);
    case 2:
      return Buffer.concat([
        bytes.subarray(0, at),
        bytes.subarray(at + 1 + rnd(rng, 8)),
      ]);
    case 3:
      return bytes.subarray(0, at);
    case 4:
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(pick(rng, SPLICES)),
        bytes.subarray(at),
      ]);
    case 5: {
      const from = rnd(rng, n + 1);
      const chunk = bytes.subarray(from, from + rnd(rng, 64));
      return Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at)]);
    }
    case 6: {
      const from = rnd(rng, donor.length + 1);
      const chunk = donor.subarray(from, from + rnd(rng, 200));
      return Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at)]);
    }
    default: {
      // Replace a digit run with an integer edge value.
      const text = bytes.toString('latin1');
      const m = /[0-9]+/g;
      m.lastIndex = at;
      const found = m.exec(text);
      if (found === null) return bytes;
      return Buffer.concat([
        bytes.subarray(0, found.index),
        Buffer.from(pick(rng, INT_EDGES)),
        bytes.subarray(found.index + found[0].length),
      ]);
    }
  }
}

function mutate(rng, form, donor) {
  let payload = form.payload;
  const times = 1 + rnd(rng, 4);
  for (let i = 0; i < times; i++) payload = mutateOnce(rng, payload, donor);
  if (form.kind !== 'raw' && form.kind !== 'b64' && rng() < 0.15) {
    // Mutate the compressed bytes instead.
    let bytes = gzipOf(form);
    bytes = mutateOnce(rng, bytes, donor);
    return { kind: 'raw', payload: bytes, label: `${form.label}+bytes` };
  }
  return { ...form, payload, label: `${form.label}+mut` };
}

function gzipOf(form) {
  if (form.kind === 'gzip') return gzipSync(form.payload, { level: 1 });
  const split = Math.min(form.split ?? 0, form.payload.length);
  return Buffer.concat([
    gzipSync(form.payload.subarray(0, split), { level: 1 }),
    gzipSync(form.payload.subarray(split), { level: 1 }),
  ]);
}

/** The Firehose `data` string of a form. */
function dataOf(form) {
  switch (form.kind) {
    case 'raw':
      return form.payload.toString('base64');
    case 'b64':
      return form.payload.toString('latin1');
    default:
      return gzipOf(form).toString('base64');
  }
}

/**
 * Hostile sizes (issue #9): each kept small enough for a fuzz batch but at
 * the shapes that cost the most. `maxInflated` is MAX_DECOMPRESSED_BYTES.
 */
function hostile(rng, profile, maxInflated) {
  switch (rnd(rng, 9)) {
    case 0: {
      // `{` + `} {`×N: the concatenated-envelope fallback's worst case.
      const n = 1000 + rnd(rng, 200_000);
      return {
        kind: 'gzip',
        payload: Buffer.from(`{${'} {'.repeat(n)}}`),
        label: 'hostile-brace-runs',
      };
    }
    case 1: {
      // Many tiny log events in one envelope.
      const n = 1000 + rnd(rng, 50_000);
      const events = '{"id":"","timestamp":0,"message":""},'.repeat(n);
      return {
        kind: 'gzip',
        payload: Buffer.from(
          `{"messageType":"DATA_MESSAGE","logEvents":[${events}{"id":"","timestamp":0,"message":"x"}]}`
        ),
        label: 'hostile-tiny-events',
      };
    }
    case 2:
      return {
        kind: rng() < 0.5 ? 'gzip' : 'raw',
        payload: Buffer.alloc(10_000 + rnd(rng, 300_000), 0x20),
        label: 'hostile-spaces',
      };
    case 3: {
      // A long malformed line (600 KB class).
      const line = 'x'.repeat(50_000 + rnd(rng, 550_000));
      return {
        kind: 'raw',
        payload: Buffer.from(line),
        label: 'hostile-long-line',
      };
    }
    case 4: {
      // A gzip bomb just over, at, or under the decompression cap.
      const size = maxInflated + pick(rng, [-1, 0, 1, 1024, maxInflated]);
      return {
        kind: 'gzip',
        payload: Buffer.alloc(Math.max(0, size), 0x20),
        label: 'hostile-gzip-bomb',
      };
    }
    case 5: {
      // A big legal record: many lines up to ~1,000 KiB (Firehose's cap).
      const lines = [];
      let bytes = 0;
      const target = 100_000 + rnd(rng, 900_000);
      while (bytes < target) {
        const line = flowLine(rng, profile);
        lines.push(line);
        bytes += line.length + 1;
      }
      return {
        kind: 'raw',
        payload: Buffer.from(lines.join('\n')),
        label: 'hostile-big-legal',
      };
    }
    case 6: {
      // One very long field (token) in an otherwise valid line.
      const values = flowLine(rng, profile).split(' ');
      values[rnd(rng, values.length)] = 'a'.repeat(100_000 + rnd(rng, 400_000));
      return {
        kind: 'raw',
        payload: Buffer.from(values.join(' ')),
        label: 'hostile-long-field',
      };
    }
    case 7: {
      // Deeply nested JSON in a wrapper and in an envelope.
      const depth = 1000 + rnd(rng, 50_000);
      const text = `{"message":"x","deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      return {
        kind: rng() < 0.5 ? 'gzip' : 'raw',
        payload: Buffer.from(text),
        label: 'hostile-deep-json',
      };
    }
    default: {
      // Many wrapped lines with escapes.
      const lines = [];
      for (let i = 0; i < 2000 + rnd(rng, 5000); i++) {
        lines.push(
          `{"message":${JSON.stringify(flowLine(rng, profile)).replaceAll(' ', '\\u0020')}}`
        );
      }
      return {
        kind: 'raw',
        payload: Buffer.from(lines.join('\n')),
        label: 'hostile-escaped-wrappers',
      };
    }
  }
}

/**
 * A batch at the response budget: legal records of 200–1,000 KiB whose JSON
 * output (about three times the input, then base64) totals 3–9 MB, so some
 * must overflow the 6 MB response, plus a few small records after them.
 */
function budgetBatch(rng, profile) {
  const forms = [];
  const target = 1_000_000 + rnd(rng, 2_000_000);
  let bytes = 0;
  while (bytes < target) {
    const lines = [];
    let size = 0;
    const cap = 200_000 + rnd(rng, 800_000);
    while (size < cap) {
      const line = flowLine(rng, profile);
      lines.push(line);
      size += line.length + 1;
    }
    forms.push({
      kind: 'raw',
      payload: Buffer.from(lines.join('\n')),
      label: 'budget-big',
    });
    bytes += size;
  }
  for (let i = rnd(rng, 5); i > 0; i--) forms.push(framed(rng, profile));
  return forms;
}

/**
 * One fuzz batch: 1–40 records of one profile (mostly), mutated at random,
 * occasionally with a hostile record.
 *
 * @returns forms, see the top of this file
 */
function makeBatch(rng, profile, options) {
  if (rng() < options.hostileRate) return budgetBatch(rng, profile);
  const n = 1 + rnd(rng, rng() < 0.9 ? 16 : 40);
  const forms = [];
  let donor = Buffer.from(flowLine(rng, profile));
  for (let i = 0; i < n; i++) {
    let form;
    if (rng() < options.hostileRate) {
      form = hostile(rng, profile, options.maxInflated);
    } else {
      form = framed(rng, profile);
      if (rng() < 0.35) form = mutate(rng, form, donor);
    }
    donor = form.payload.length < 4096 ? form.payload : donor;
    forms.push(form);
  }
  return forms;
}

export { dataOf, makeBatch, PROFILES, TGW_DEFAULT, VPC_DEFAULT };
