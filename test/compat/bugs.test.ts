import { describe, expect, it } from 'vitest';
import { factory as attributes } from '../../processors/attributes/index.js';
import { factory as resource } from '../../processors/resource/index.js';
import { factory as filter } from '../../processors/filter/index.js';
import { compileGoRegex, goRegex, namedGroups, replaceAllGo, translateGoRegex, type GoRegExp } from '../../src/util/goregex.js';
import { allLogs, log, logs, make, parseConfig } from '../processors/helpers.js';

describe('Go regular expressions', () => {
  it('translate named groups, leading flags, \\A \\z and POSIX classes', () => {
    const t = new RegExp(translateGoRegex('(?i)^(?P<a>[[:digit:]]+)\\z').source, 'u');
    expect(t.exec('042')?.groups).toEqual({ a: '042' });
    expect(t.test('042\n')).toBe(false);
    const re = compileGoRegex('(?i)\\Aget (?P<path>\\S+)\\z') as RegExp;
    expect(re.exec('GET /x')?.groups).toEqual({ path: '/x' });
    expect(re.test('GET /x\n')).toBe(false);
    expect(compileGoRegex('(')).toMatch(/invalid regexp/);
  });

  it('read as RE2 reads them: one translation (src/util/re2.ts) for PromQL and every Go pattern', () => {
    const re = (p: string) => compileGoRegex(p) as RegExp;
    expect(re('^\\d+$').test('١٢')).toBe(false); // \d is ASCII in RE2
    expect(re('a(?i)b').test('aB')).toBe(true); // a flag group in the middle
    expect(re('(?s)a.b').test('a\nb')).toBe(true);
    expect(re('a.b').test('a\nb')).toBe(false);
    expect(compileGoRegex('(a)\\1')).toMatch(/invalid escape sequence/); // no backreferences in RE2
    expect(compileGoRegex('(?=x)')).toMatch(/invalid or unsupported Perl syntax/);
    const g = goRegex('(?<year>\\d{4})-(?P<month>\\d{2})') as GoRegExp;
    expect(namedGroups(g.exec('on 2024-03-01')!, g.names)).toEqual({ year: '2024', month: '03' });
    expect(replaceAllGo(g, '2024-03 and 1999-12', '$month/${year}')).toBe('03/2024 and 12/1999');
    expect(replaceAllGo(goRegex('a*') as GoRegExp, 'baaac', 'X')).toBe('XbXcX');
  });

  it('attributes and resource extract take (?P<name>...) groups as the stanza parser does', async () => {
    const a = await make(attributes, { actions: [{ key: 'url', action: 'extract', pattern: '^/(?P<service>\\w+)/(?P<id>\\d+)$' }] }, 'logs');
    await a.p.consume(logs([log('x', { url: '/orders/42' })]));
    expect(allLogs(a.sink.batches)[0]!.attributes).toEqual({ url: '/orders/42', service: 'orders', id: '42' });
    const r = await make(resource, { attributes: [{ key: 'host.name', action: 'extract', pattern: '^(?P<env>[a-z]+)-' }] }, 'logs');
    const d = logs([log('x')], { 'host.name': 'prod-db-1' });
    await r.p.consume(d);
    expect(r.sink.batches[0]!.resourceLogs[0]!.resource.attributes).toEqual({ 'host.name': 'prod-db-1', env: 'prod' });
  });
});

describe('filter processor', () => {
  it('a severity-only log match needs no match_type (as in the Collector); matching names still does', async () => {
    const { p, sink } = await make(filter, { logs: { include: { severity_number: { min: 'WARN' } } } }, 'logs');
    await p.consume(logs([log('a', {}, { severityNumber: 9 }), log('b', {}, { severityNumber: 13 })]));
    expect(allLogs(sink.batches).map((l) => l.body)).toEqual(['b']);
    expect(() => parseConfig(filter, { logs: { exclude: { bodies: ['x'] } } })).toThrow(/match_type: required/);
  });
});
