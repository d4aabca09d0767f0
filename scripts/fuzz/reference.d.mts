/** A LogFormat as the reference parser reads it. */
export interface ReferenceFormat {
  names: string[];
  keys: string[];
  integer: boolean[];
  header: string;
}

/** One expected output line: [key, value] in format order. */
export type ReferenceEntries = [string, string | bigint][];

/** What a record should become. */
export interface ReferenceOutcome {
  status: 'Ok' | 'Dropped' | 'ProcessingFailed';
  kept: ReferenceEntries[];
  why: string;
  loose: string[];
  inflated: number;
}

export declare function referenceFormat(logFormat: string): ReferenceFormat;
export declare function referenceRecord(
  data: string,
  format: ReferenceFormat,
  options: {
    maxInflated: number;
    filter: ((entries: ReferenceEntries) => boolean) | undefined;
  }
): ReferenceOutcome;
export declare function splitJsonValues(text: string): unknown[] | undefined;
export declare function expectedBytes(kept: ReferenceEntries[]): number;
