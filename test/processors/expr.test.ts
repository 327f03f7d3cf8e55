import { describe, expect, it } from 'vitest';
import { compileCondition, compileStatement, type EvalContext } from '../../src/processorhelper/expr-eval.js';
import { log } from './helpers.js';

const ctx = (attributes: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): EvalContext => ({
  resource: { attributes: { 'service.name': 'api' } },
  scope: { name: 'lib', version: '2' },
  log: log('hello "world"', attributes as never, extra),
});

describe('OTTL-subset conditions', () => {
  const t = (src: string, c = ctx()) => compileCondition('log', src)(c);

  it('has OTTL precedence: not > and > or, with parentheses', () => {
    expect(t('true or false and false')).toBe(true);
    expect(t('(true or false) and false')).toBe(false);
    expect(t('not false and true')).toBe(true);
    expect(t('not (true and true) or false')).toBe(false);
  });

  it('compares ints, doubles, strings, nil and mixed types like OTTL', () => {
    const c = ctx({ i: 5n, d: 5.5, s: 'abc', b: true });
    expect(t('attributes["i"] == 5', c)).toBe(true);
    expect(t('attributes["i"] < 5.5', c)).toBe(true);
    expect(t('attributes["d"] >= 5.5', c)).toBe(true);
    expect(t('attributes["s"] > "abb"', c)).toBe(true);
    expect(t('attributes["s"] == 5', c)).toBe(false);
    expect(t('attributes["s"] != 5', c)).toBe(true);
    expect(t('attributes["missing"] == nil', c)).toBe(true);
    expect(t('attributes["i"] == nil', c)).toBe(false);
    expect(t('attributes["missing"] > 1', c)).toBe(false);
    expect(t('attributes["b"] == true', c)).toBe(true);
    expect(t('severity_number == SEVERITY_NUMBER_INFO', c)).toBe(true);
    expect(t('severity_number >= SEVERITY_NUMBER_WARN', c)).toBe(false);
  });

  it('reads strings with escapes, resource and scope fields, and converter functions', () => {
    expect(t('body == "hello \\"world\\""')).toBe(true);
    expect(t('resource.attributes["service.name"] == "api" and instrumentation_scope.version == "2"')).toBe(true);
    expect(t('Len(body) == 13 and ToUpperCase(resource.attributes["service.name"]) == "API"')).toBe(true);
    expect(t('Int("42") == 42 and Double("1.5") == 1.5 and String(7) == "7"')).toBe(true);
    expect(t('Int(5.7) == 5 and Int(true) == 1 and Double(true) == 1.0 and Double(3) == 3.0')).toBe(true);
    expect(t('Int("4.2") == nil and Int(attributes["missing"]) == nil and Double("x") == nil and Double(" ") == nil')).toBe(true);
    expect(t('IsString(body) and not IsInt(body) and IsMatch(body, "^hel+o")')).toBe(true);
  });

  it('gives readable errors', () => {
    expect(() => compileCondition('log', 'body ==')).toThrow(/expected a value, got end of input \(at column 8\)/);
    expect(() => compileCondition('log', 'body == "x')).toThrow(/unterminated string/);
    expect(() => compileCondition('log', 'IsMatch(body, "(")')).toThrow(/invalid regex/);
    expect(() => compileCondition('log', 'IsMatch(body)')).toThrow(/IsMatch\(\) needs its "pattern" argument/);
    expect(() => compileCondition('log', 'SEVERITY_NUMBER_LOUD == 1')).toThrow(/unknown constant/);
    expect(() => compileCondition('span', 'body == "x"')).toThrow(/unknown path "body" in span context/);
    expect(() => compileCondition('log', '"x"')).toThrow(/is not a condition/);
  });
});

describe('OTTL-subset statements', () => {
  it('set does nothing with nil, and keep_keys/delete work on resource attributes', () => {
    const c = ctx({ a: 'x' });
    compileStatement('log', 'set(attributes["a"], attributes["nope"])')(c);
    expect(c.log!.attributes.a).toBe('x');
    compileStatement('log', 'set(severity_number, 17)')(c);
    expect(c.log!.severityNumber).toBe(17);
    compileStatement('log', 'keep_keys(resource.attributes, [])')(c);
    expect(c.resource.attributes).toEqual({});
  });
});
