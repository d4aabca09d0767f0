/**
 * The syntax tree of a FILTER expression, as the parser builds it: fields are
 * still names and values still text; `compileFilter` checks both against the
 * flow-log format.
 */

/** Comparison operators. */
type CompareOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A field reference: the name as written and where. */
interface FieldRef {
  readonly name: string;
  readonly column: number;
}

/** A literal: bare number, quoted string or bare word (incl. CIDRs). */
interface Literal {
  readonly kind: 'number' | 'string' | 'word';
  readonly text: string;
  readonly column: number;
}

/** One node of the tree. `and`/`or` are n-ary (two or more items). */
type FilterNode =
  | { readonly kind: 'or'; readonly items: readonly FilterNode[] }
  | { readonly kind: 'and'; readonly items: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly item: FilterNode }
  | {
      readonly kind: 'compare';
      readonly field: FieldRef;
      readonly operator: CompareOperator;
      readonly operatorColumn: number;
      readonly value: Literal;
    }
  | {
      readonly kind: 'in';
      readonly field: FieldRef;
      /** True for `not in`. */
      readonly negated: boolean;
      readonly values: readonly Literal[];
    }
  | {
      readonly kind: 'presence';
      readonly field: FieldRef;
      /** True for `is present`, false for `is absent`. */
      readonly present: boolean;
    };

export type { CompareOperator, FieldRef, FilterNode, Literal };
