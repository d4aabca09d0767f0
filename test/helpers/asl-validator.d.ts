// asl-validator ships no types: the shape of its one export (its README).
declare module 'asl-validator' {
  interface AslValidatorOptions {
    readonly checkPaths?: boolean;
    readonly checkArn?: boolean;
  }
  interface AslValidatorResult {
    readonly isValid: boolean;
    readonly errors: readonly unknown[];
  }
  function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions
  ): AslValidatorResult;
  export default aslValidator;
}
