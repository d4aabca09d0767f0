/** The 29-field version-5 format of AWS's example records. */
export declare const V5_29_FORMAT: string;
/** mulberry32: a small, well-known 32-bit seeded PRNG; values in [0, 1). */
export declare function prng(seed: number): () => number;
