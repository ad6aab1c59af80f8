// The syntax tree of SQL filter expressions and rule actions (sql-parser.ts builds it,
// sql-eval.ts evaluates it).

export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message)
    this.name = 'SqlSyntaxError'
  }
}

/** A property reference: `sys.Label`, `user.color`, or `color` (user scope by default). */
export interface PropertyRef {
  scope: 'sys' | 'user'
  name: string
}

export type SqlNode =
  | {kind: 'constant'; value: string | number | boolean | null}
  | {kind: 'property'; ref: PropertyRef}
  | {kind: 'parameter'; name: string}
  | {kind: 'unary'; op: '-' | '+' | 'NOT'; operand: SqlNode}
  | {kind: 'binary'; op: '+' | '-' | '*' | '/' | '%' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR'; left: SqlNode; right: SqlNode}
  | {kind: 'isNull'; operand: SqlNode; negated: boolean}
  | {kind: 'in'; operand: SqlNode; list: SqlNode[]; negated: boolean}
  | {kind: 'like'; operand: SqlNode; pattern: SqlNode; escape?: SqlNode; negated: boolean}
  | {kind: 'exists'; ref: PropertyRef}
  | {kind: 'function'; name: 'newid' | 'property'; args: SqlNode[]}

export type SqlStatement = {kind: 'set'; ref: PropertyRef; value: SqlNode} | {kind: 'remove'; ref: PropertyRef}
