/**
 * Writes the Glue columns of the Security Lake OCSF table (template.yaml,
 * resource OcsfSchemaTable) from OCSF_ATTRIBUTES.
 *
 *   npm run gen:security-lake-schema            # rewrite the block
 *   npm run gen:security-lake-schema -- --check # exit 1 when it is stale
 *
 * test/template/security-lake.test.ts fails when the block drifts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withGeneratedColumns } from './lib/security-lake-schema.ts';

const TEMPLATE = join(import.meta.dirname, '..', 'template.yaml');

const current = readFileSync(TEMPLATE, 'utf8');
const generated = withGeneratedColumns(current);
if (process.argv.includes('--check')) {
  if (generated !== current) {
    process.stderr.write(
      'template.yaml: the OcsfSchemaTable columns differ from OCSF_ATTRIBUTES; run npm run gen:security-lake-schema\n'
    );
    process.exit(1);
  }
  process.stdout.write('template.yaml: OcsfSchemaTable columns up to date\n');
} else if (generated !== current) {
  writeFileSync(TEMPLATE, generated);
  process.stdout.write('template.yaml: OcsfSchemaTable columns written\n');
} else {
  process.stdout.write('template.yaml: OcsfSchemaTable columns up to date\n');
}
