import { describe, expect, it } from 'vitest';
import { VPC_DEFAULT_FORMAT } from '../../../shared/flowlog/fields.ts';
import { parseFormat } from '../../../shared/flowlog/format.ts';
import { EcsSerializer } from '../../../shared/output/ecs.ts';
import {
  createSerializer,
  OUTPUT_FORMATS,
  OutputFormatError,
} from '../../../shared/output/index.ts';
import { JsonSerializer } from '../../../shared/output/json.ts';
import { OcsfSerializer } from '../../../shared/output/ocsf.ts';

const format = parseFormat(VPC_DEFAULT_FORMAT);

describe('createSerializer', () => {
  it('lists json, ocsf and ecs, json first', () => {
    // Assess
    expect(OUTPUT_FORMATS).toEqual(['json', 'ocsf', 'ecs']);
  });

  it('builds the serializer each format name stands for', () => {
    // Act
    const built = OUTPUT_FORMATS.map((name) => createSerializer(name, format));

    // Assess
    expect(built[0]).toBeInstanceOf(JsonSerializer);
    expect(built[1]).toBeInstanceOf(OcsfSerializer);
    expect(built[2]).toBeInstanceOf(EcsSerializer);
    expect(built.map((serializer) => serializer.name)).toEqual([
      'json',
      'ocsf',
      'ecs',
    ]);
  });

  it.each(['xml', 'OCSF', ' json', ''])(
    'refuses %j naming the value and the allowed ones',
    (name) => {
      // Act
      const act = (): unknown => createSerializer(name, format);

      // Assess
      expect(act).toThrow(OutputFormatError);
      expect(act).toThrow(
        `OUTPUT_FORMAT: '${name}' is not supported; allowed: json, ocsf, ecs`
      );
      try {
        act();
      } catch (error) {
        expect((error as OutputFormatError).code).toBe('OUTPUT_FORMAT_UNKNOWN');
      }
    }
  );
});
