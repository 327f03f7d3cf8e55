import { describe, expect, it } from 'vitest';
import { buildPipeline, Outcome, type Entry } from '../../src/stanza/index.js';

const entry = (body: string, attributes: Record<string, string> = {}): Entry => ({
  record: { timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, body, attributes },
});

describe('stanza filter operator', () => {
  it('drops the entries its expr matches (the Collector examples: body matches / not matches, ==, and/or/not)', () => {
    const { pipeline, errors } = buildPipeline([{ type: 'filter', expr: 'body not matches "^WARN:"' }]);
    expect(errors).toEqual([]);
    expect(pipeline.process(entry('WARN: disk'))).toBe(Outcome.Ok);
    expect(pipeline.process(entry('INFO: fine'))).toBe(Outcome.Drop);
    const two = buildPipeline([{ type: 'filter', expr: '(attributes.level == "debug" or attributes["x.y"] != nil) and not body matches "keep"' }]).pipeline;
    expect(two.process(entry('a', { level: 'debug' }))).toBe(Outcome.Drop);
    expect(two.process(entry('a', { 'x.y': '1' }))).toBe(Outcome.Drop);
    expect(two.process(entry('keep me', { level: 'debug' }))).toBe(Outcome.Ok);
    expect(two.process(entry('a', { level: 'info' }))).toBe(Outcome.Ok);
  });

  it('drop_ratio 0 drops nothing; an expression outside the subset is a config error', () => {
    expect(buildPipeline([{ type: 'filter', expr: 'body matches "x"', drop_ratio: 0 }]).pipeline.process(entry('x'))).toBe(Outcome.Ok);
    expect(buildPipeline([{ type: 'filter', expr: 'len(body) > 3' }]).errors.join()).toMatch(/operators\[0\] \(filter\): expr: /);
  });
});
