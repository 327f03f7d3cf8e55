// The unit stanza operators work on: a log record plus the resource attributes it carries
// (operators may write `resource.x`; receivers group records by resource afterwards).
import type { Attributes, LogRecord } from '../pdata/types.js';

export interface Entry {
  record: LogRecord;
  resource?: Attributes;
}

/** A configured operator: mutates the entry in place; throws OperatorError to keep it as-is. */
export interface Operator {
  readonly type: string;
  readonly id: string;
  process(e: Entry): void;
}

export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorError';
  }
}
