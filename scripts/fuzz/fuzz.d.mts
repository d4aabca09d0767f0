/** One record of a reproducer, as printed. */
export interface ReproducerRecord {
  kind: string;
  label: string;
  bytes: number;
  payload: string;
  expected: string | undefined;
  got: string | undefined;
  gotData: string | undefined;
}

/** The smallest batch found that still shows a fault class. */
export interface Reproducer {
  profile: string;
  noArrival: boolean;
  reproduced: boolean;
  records: ReproducerRecord[];
}

/** What a fuzz run found. */
export interface FuzzSummary {
  seed: number;
  records: number;
  invocations: number;
  crashes: number;
  crashedRecords: number;
  lost: number;
  wrong: number;
  oversize: number;
  ms: number;
  handlerMs: number;
  statuses: Record<string, number>;
  labels: Record<string, number>;
  classes: Map<
    string,
    {
      kind: string;
      count: number;
      /** Faulty records by framing label (`bare+mut`, `cwl-gzip`, …). */
      framings: Record<string, number>;
      reproducer?: Reproducer | undefined;
    }
  >;
}

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  records: number;
  seed: number;
  /** Path of the bundle, dist/flow-log-processor/index.mjs. */
  bundle: string;
  hostileRate?: number;
  shrinkMs?: number;
  profiles?: string[] | undefined;
  onProgress?: (summary: FuzzSummary) => void;
}

/** Fuzzes the bundled handler; see scripts/fuzz/fuzz.mjs. */
export declare function runFuzz(options: FuzzOptions): Promise<FuzzSummary>;
/** Bytes as a JSON-like string: printable ASCII as is, the rest \xNN. */
export declare function show(bytes: Buffer): string;
