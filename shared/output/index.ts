/**
 * OUTPUT_FORMAT: picks the line serializer by name, once at cold start.
 */
import type { FlowLogFormat } from '../flowlog/format.ts';
import { EcsSerializer } from './ecs.ts';
import { JsonSerializer } from './json.ts';
import { OcsfSerializer } from './ocsf.ts';
import type { LineSerializer } from './types.ts';

/** The OUTPUT_FORMAT values, the default first. */
const OUTPUT_FORMATS = ['json', 'ocsf', 'ecs'] as const;

/** One of {@link OUTPUT_FORMATS}. */
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Stable codes of output configuration errors. */
type OutputFormatErrorCode = 'OUTPUT_FORMAT_UNKNOWN';

/** OUTPUT_FORMAT names a format that does not exist. */
class OutputFormatError extends Error {
  readonly code: OutputFormatErrorCode;

  constructor(code: OutputFormatErrorCode, message: string) {
    super(message);
    this.name = 'OutputFormatError';
    this.code = code;
  }
}

function isOutputFormat(name: string): name is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(name);
}

/**
 * Builds the serializer for an OUTPUT_FORMAT value and a parsed LogFormat.
 * Names are matched exactly (the config reader trims them).
 *
 * @throws OutputFormatError (`OUTPUT_FORMAT_UNKNOWN`) naming the bad value
 * @example createSerializer('ocsf', parseFormat(VPC_DEFAULT_FORMAT)).name // 'ocsf'
 */
function createSerializer(name: string, format: FlowLogFormat): LineSerializer {
  if (!isOutputFormat(name)) {
    throw new OutputFormatError(
      'OUTPUT_FORMAT_UNKNOWN',
      `OUTPUT_FORMAT: '${name}' is not supported; allowed: ${OUTPUT_FORMATS.join(', ')}`
    );
  }
  switch (name) {
    case 'ocsf':
      return new OcsfSerializer(format);
    case 'ecs':
      return new EcsSerializer(format);
    default:
      return new JsonSerializer(format);
  }
}

export type { OutputFormat, OutputFormatErrorCode };
export { createSerializer, isOutputFormat, OUTPUT_FORMATS, OutputFormatError };
