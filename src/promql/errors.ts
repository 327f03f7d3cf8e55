// Errors the engine raises, with the Prometheus HTTP API's errorType for each.

/** A query that is not valid PromQL (or uses what this engine refuses), with its position. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  readonly errorType = 'bad_data';
  /** 1-based line and column (in characters) of `offset` within the query text. */
  readonly line: number;
  readonly col: number;
  constructor(
    readonly query: string,
    /** Offset of the offending part in the query text (UTF-16 index), and its end. */
    readonly offset: number,
    readonly endOffset: number,
    /** The message without the position prefix. */
    readonly detail: string,
    /** Valid PromQL that this engine refuses (rather than invalid PromQL). */
    readonly unsupported = false,
  ) {
    const { line, col } = lineCol(query, offset);
    super(`${line}:${col}: parse error: ${detail}`);
    this.line = line;
    this.col = col;
  }
}

export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: [...text.slice(lineStart, end)].length + 1 };
}

export type QueryErrorType = 'execution' | 'timeout' | 'canceled' | 'bad_data';

/** A query that parsed but failed while evaluating (Prometheus' 422/503 errors). */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    readonly errorType: QueryErrorType = 'execution',
  ) {
    super(message);
  }
}

export function tooManySamples(): QueryError {
  return new QueryError('query processing would load too many samples into memory in query execution');
}
