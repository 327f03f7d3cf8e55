// The OTTL grammar lives in ./ottl/parse.ts; these names kept for the components that import them.
export { ExprError, parseCondition, parseStatement, parseValue, type Node, type Statement, type CmpOp } from './ottl/parse.js';
