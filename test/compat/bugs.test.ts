import { describe, expect, it } from 'vitest';
import { factory as attributes } from '../../processors/attributes/index.js';
import { factory as resource } from '../../processors/resource/index.js';
import { factory as filter } from '../../processors/filter/index.js';
import { compileGoRegex, translateGoRegex } from '../../src/util/goregex.js';
import { allLogs, log, logs, make, parseConfig } from '../processors/helpers.js';

describe('Go regular expressions', () => {
  it('translate named groups, leading flags, \\A \\z and POSIX classes', () => {
    expect(translateGoRegex('(?i)^(?P<a>[[:digit:]]+)\\z')).toEqual({ source: '^(?<a>[0-9]+)$(?![\\s\\S])', flags: 'i' });
    const re = compileGoRegex('(?i)\\Aget (?P<path>\\S+)\\z') as RegExp;
    expect(re.exec('GET /x')?.groups).toEqual({ path: '/x' });
    expect(re.test('GET /x\n')).toBe(false);
    expect(compileGoRegex('(')).toMatch(/invalid regexp/);
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
