// Types of scripts/gen-ocsf-schema.mjs for the TypeScript tests.

/** ../shared/schemas/ocsf-1.1.0 beside the clone. */
export declare const DEFAULT_SCHEMA_DIR: string;
/** test/schemas/ocsf-1.1.0-network-activity.json. */
export declare const DEFAULT_OUT: string;
/** The compact class-4001 subset of the OCSF schema source in `dir`. */
export declare function generate(dir: string): Record<string, unknown>;
/** The subset as the file text (JSON and a final newline). */
export declare function render(dir: string): string;
