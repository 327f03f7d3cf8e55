import { describe, expect, it } from 'vitest';
import { buildPipeline, EntryResult, type Entry } from '../../src/stanza/index.js';

const entry = (body: string, attributes: Record<string, string> = {}): Entry => ({
  record: { timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, body, attributes },
});

describe('stanza filter operator', () => {
  it('drops the entries its expr matches (the Collector examples: body matches / not matches, ==, and/or/not)', () => {
    const { pipeline, errors } = buildPipeline([{ type: 'filter', expr: 'body not matches "^WARN:"' }]);
    expect(errors).toEqual([]);
    expect(pipeline.process(entry('WARN: disk'))).toBe(EntryResult.Ok);
    expect(pipeline.process(entry('INFO: fine'))).toBe(EntryResult.Drop);
    const two = buildPipeline([{ type: 'filter', expr: '(attributes.level == "debug" or attributes["x.y"] != nil) and not body matches "keep"' }]).pipeline;
    expect(two.process(entry('a', { level: 'debug' }))).toBe(EntryResult.Drop);
    expect(two.process(entry('a', { 'x.y': '1' }))).toBe(EntryResult.Drop);
    expect(two.process(entry('keep me', { level: 'debug' }))).toBe(EntryResult.Ok);
    expect(two.process(entry('a', { level: 'info' }))).toBe(EntryResult.Ok);
  });

  it('drop_ratio 0 drops nothing; an expression outside the subset is a config error', () => {
    expect(buildPipeline([{ type: 'filter', expr: 'body matches "x"', drop_ratio: 0 }]).pipeline.process(entry('x'))).toBe(EntryResult.Ok);
    expect(buildPipeline([{ type: 'filter', expr: 'len(body) > 3' }]).errors.join()).toMatch(/operators\[0\] \(filter\): expr: /);
  });
});
