// The RE2 translation is shared with every component that takes a Go pattern (src/util/re2.ts).
export { compileRegex, RegexError, type CompiledRegex } from '../util/re2.js';
