// The PromQL engine: parse, evaluate over any Queryable, format as the Prometheus HTTP API.
export { parseExpr, typeOf } from './parser.js';
export { formatExpr, type Expr, type ValueType } from './ast.js';
export { ParseError, QueryError, type QueryErrorType } from './errors.js';
export {
  evalInstant,
  evalRange,
  instantQuery,
  rangeQuery,
  toApiData,
  QUERY_DEFAULTS,
  type ApiPoint,
  type QueryData,
  type QueryOptions,
  type QueryResult,
  type SampleOut,
  type SeriesOut,
} from './engine.js';
export { formatValue, formatTimestamp, formatFloatF, parseGoFloat } from './format.js';
export { parseDuration, formatDuration } from './durations.js';
export { compileMatcher, compileMatchers, matchesAll, type ValuePredicate } from './matchers.js';
export { compileRegex, RegexError, type CompiledRegex } from './regex.js';
export { MemoryQueryable, type AppendResult, type MemoryQueryableOptions, type SeriesRef } from './memory.js';
export { STALE_NAN, isStaleNaN, type Labels, type Matcher, type MatchType, type Queryable, type SelectHints, type SeriesSamples } from './queryable.js';
export { querySuccessJson, queryErrorJson, queryDataJson, goJsonString } from './apijson.js';
