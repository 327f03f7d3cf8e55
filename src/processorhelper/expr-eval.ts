// OTTL for the processors and connectors that take it (transform, filter, routing, count): one
// implementation in ./ottl, these names kept for the components that import them.
export {
  compileAny,
  compileCondition,
  compileStatement,
  ENUMS,
  type CompileOptions,
  type Condition,
  type Effect,
} from './ottl/compile.js';
export type { ContextKind, DataPoint, EvalContext, Field, Getter } from './ottl/paths.js';
export { OttlError, OttlDuration, OttlTime, type Val } from './ottl/values.js';
