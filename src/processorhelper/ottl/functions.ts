// How an OTTL function is declared: its parameters (positional order = the Collector's, names =
// the snake_case names named arguments use), where it may run, and a build step that turns the
// bound arguments into a getter (converters) or an effect (editors, returning nothing).
import type { Node } from './parse.js';
import type { ContextKind, EvalContext, Field, Getter } from './paths.js';
import type { Val } from './values.js';

/**
 * - `any`: any value expression (Go's Getter and its typed variants; types are checked when run)
 * - `path`: a path that is read and written (GetSetter)
 * - `string` `int` `float` `bool`: a literal, known when the config loads
 * - `strings`: a list literal of string literals; `list`: a list literal of value expressions
 * - `function`: the name of a one-argument converter, such as SHA256
 */
export type ParamKind = 'any' | 'path' | 'string' | 'int' | 'float' | 'bool' | 'strings' | 'list' | 'function';

export interface Param {
  name: string;
  kind: ParamKind;
  optional?: boolean;
  /** Other names a named argument may use (Go field names that changed). */
  aliases?: string[];
}

/** The arguments of one call, bound to their parameters. */
export interface Bound {
  has(name: string): boolean;
  node(name: string): Node | undefined;
  get(name: string): Getter;
  path(name: string): Field;
  str(name: string): string | undefined;
  int(name: string): number | undefined;
  float(name: string): number | undefined;
  bool(name: string): boolean | undefined;
  strings(name: string): string[] | undefined;
  list(name: string): Getter[] | undefined;
  fn(name: string): ((c: EvalContext, v: Val) => Val) | undefined;
  /** A config-time error naming this call's argument. */
  fail(name: string, message: string): never;
}

export interface FunctionDef {
  name: string;
  params: Param[];
  /** Editors start statements (lowercase names); converters are values. */
  editor?: boolean;
  /** Only in these contexts (e.g. metric functions, IsRootSpan). */
  contexts?: ContextKind[];
  build(a: Bound, kind: ContextKind): Getter;
}

const P = (name: string, kind: ParamKind, optional = false, aliases?: string[]): Param => ({ name, kind, optional, aliases });
export const arg = (name: string, kind: ParamKind, aliases?: string[]): Param => P(name, kind, false, aliases);
export const opt = (name: string, kind: ParamKind, aliases?: string[]): Param => P(name, kind, true, aliases);

/** Functions the Collector has that telemd refuses, with why and what to use instead. */
export interface Refusal {
  why: string;
  instead?: string;
}
